/*
 * Step Functions retries `DeleteAccessKeyPair` when Lambda's answer is lost (Lambda.ServiceException)
 * although the invocation deleted the key, before it denied the sessions and left its record on the
 * user. The retry finds a key IAM no longer knows, and CloudTrail may not show the deletion for
 * minutes: the owner IAM named when the incident was claimed is what shows the key was held here,
 * for a report that names no user (AWS Health may not) or names that same user (Trusted Advisor).
 */
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { IamClient } from '../../../src/aws/narrow-clients.js';
import { CLAIM_STEP, containTask } from '../../../src/state-machine/tasks/contain-task.js';
import type { ContainmentResult } from '../../../src/steps/contain.js';
import type { SignalReceipt } from '../../../src/steps/signals/receive-signal.js';
import { containConfig } from '../../support/contain-config.js';
import { type EventFixture, loadEvent } from '../../support/fixtures.js';

const KEY = 'AKIA2EXAMPLEHEALTH7Q';
/** The key and user the Trusted Advisor event names. */
const NAMED_KEY = 'AKIAIOSFODNN7EXAMPLE';
const CONFIG = containConfig({});

/** IAM holding alice's key until it is deleted; what was sent is kept. */
function fakeIam(key = KEY, owner = 'alice') {
  let held = true;
  const sent: object[] = [];
  const noSuchEntity = () => new NoSuchEntityException({ message: 'not found', $metadata: {} });
  const iam = {
    send: async (command: object) => {
      sent.push(command);
      if (command instanceof GetAccessKeyLastUsedCommand) {
        if (!held) throw noSuchEntity();
        return { UserName: owner, AccessKeyLastUsed: {} };
      }
      if (command instanceof ListAccessKeysCommand)
        return { AccessKeyMetadata: held ? [{ AccessKeyId: key, Status: 'Active' }] : [] };
      if (command instanceof DeleteAccessKeyCommand) {
        if (!held) throw noSuchEntity();
        held = false;
        return {};
      }
      if (command instanceof ListUserTagsCommand) return { Tags: [] };
      if (command instanceof GetUserPolicyCommand) throw noSuchEntity();
      if (command instanceof ListUserPoliciesCommand) return { PolicyNames: [] };
      return {};
    },
  } as unknown as IamClient;
  return { iam, sent, deleteKey: () => (held = false) };
}

async function claimed(iam: IamClient, event: EventFixture = 'health-exposed-entities-only') {
  const state = { event: loadEvent(event) };
  const signal = (await containTask({ iam }, CONFIG)({ ...state, step: CLAIM_STEP })) as SignalReceipt;
  return { ...state, signal };
}

describe('containment retried after an attempt that deleted the key', () => {
  it('is already contained, by the owner IAM named at the claim, and that owner’s sessions are denied', async () => {
    const { iam, sent, deleteKey } = fakeIam();
    const state = await claimed(iam);
    expect(state.signal).toMatchObject({ role: 'first', ownerName: 'alice' });
    // The first attempt deleted the key and ended before recording anything; its answer was lost.
    deleteKey();

    const retried = (await containTask({ iam }, CONFIG)(state)) as ContainmentResult;

    expect(retried.outcome).toBe('already-contained');
    expect(retried.contained).toBe(true);
    expect(retried.userName).toBe('alice');
    expect(retried.summary).toMatch(/IAM named alice as its holder when this report was received/);
    const denied = sent.filter((command) => command instanceof PutUserPolicyCommand);
    expect(denied.map((command) => (command as PutUserPolicyCommand).input.UserName)).toEqual(['alice']);
    expect(sent.some((command) => command instanceof DeleteAccessKeyCommand)).toBe(false);
  });

  it('after a whole first attempt, finds its record on the owner and denies nothing twice', async () => {
    const { iam, sent } = fakeIam();
    const state = await claimed(iam);
    const first = (await containTask({ iam }, CONFIG)(state)) as ContainmentResult;
    expect(first.outcome).toBe('deleted');
    const tag = sent.find((command) => command instanceof TagUserCommand) as TagUserCommand;
    const policy = sent.find((command) => command instanceof PutUserPolicyCommand) as PutUserPolicyCommand;
    sent.length = 0;
    // IAM now answers with what the first attempt left on alice.
    const replay = {
      send: async (command: object) => {
        if (command instanceof ListUserTagsCommand) return { Tags: tag.input.Tags };
        if (command instanceof ListUserPoliciesCommand) return { PolicyNames: [policy.input.PolicyName] };
        if (command instanceof GetUserPolicyCommand)
          return { PolicyDocument: encodeURIComponent(policy.input.PolicyDocument ?? '') };
        return iam.send(command as never);
      },
    } as unknown as IamClient;

    const retried = (await containTask({ iam: replay }, CONFIG)(state)) as ContainmentResult;

    expect(retried.outcome).toBe('already-contained');
    expect(retried.userName).toBe('alice');
    expect(retried.summary).toMatch(/deleted/);
    expect(sent.some((command) => command instanceof PutUserPolicyCommand)).toBe(false);
  });

  it('is not found when the claim named no owner: IAM never said the key was held here', async () => {
    const { iam, deleteKey } = fakeIam();
    deleteKey();
    const state = await claimed(iam);
    expect(state.signal).not.toHaveProperty('ownerName');

    const retried = (await containTask({ iam }, CONFIG)(state)) as ContainmentResult;

    expect(retried.outcome).toBe('not-found');
  });

  it('is already contained, with alice’s sessions denied, for a report naming alice, the owner IAM named at the claim', async () => {
    const { iam, sent, deleteKey } = fakeIam(NAMED_KEY, 'Alice');
    const state = await claimed(iam, 'trusted-advisor-exposed');
    expect(state.signal).toMatchObject({ role: 'first', ownerName: 'Alice' });
    deleteKey();

    const retried = (await containTask({ iam }, CONFIG)(state)) as ContainmentResult;

    expect(retried).toMatchObject({ outcome: 'already-contained', contained: true, userName: 'alice' });
    expect(retried.summary).toMatch(/IAM named Alice as its holder when this report was received/);
    const denied = sent.filter((command) => command instanceof PutUserPolicyCommand);
    expect(denied.map((command) => (command as PutUserPolicyCommand).input.UserName)).toEqual(['alice']);
  });

  it('is not found for a report naming alice when IAM named another owner at the claim: nothing ties the key to alice', async () => {
    const { iam, sent, deleteKey } = fakeIam(NAMED_KEY, 'bob');
    const state = await claimed(iam, 'trusted-advisor-exposed');
    expect(state.signal).toMatchObject({ role: 'first', ownerName: 'bob' });
    deleteKey();

    const retried = (await containTask({ iam }, CONFIG)(state)) as ContainmentResult;

    expect(retried.outcome).toBe('not-found');
    expect(sent.some((command) => command instanceof PutUserPolicyCommand)).toBe(false);
  });
});
