import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ContainmentError } from '../../../src/errors.js';
import { containKey, REVOKE_SESSIONS_POLICY_NAME } from '../../../src/steps/contain.js';
import {
  aliceHoldsTheKey,
  CONTAINED_KEY as KEY,
  keyListed,
  sessionsDeniedBefore,
  tagged,
} from '../../support/contained-key.js';
import { incidentFor } from '../../support/incidents.js';

const NOW = new Date('2026-11-27T03:00:00.000Z');
const iamMock = mockClient(IAMClient);
const cloudTrailMock = mockClient(CloudTrailClient);
const MUTATIONS = [DeleteAccessKeyCommand, UpdateAccessKeyCommand, PutUserPolicyCommand, TagUserCommand] as const;

function deps() {
  return {
    iam: new IAMClient({ region: 'us-east-1' }),
    cloudTrail: new CloudTrailClient({ region: 'us-east-1' }),
    accountId: '123456789012',
    now: () => NOW,
  };
}

function noSuchEntity(): NoSuchEntityException {
  return new NoSuchEntityException({ message: 'not found', $metadata: {} });
}

function expectNoMutation(): void {
  const sent = iamMock.calls().map((call) => call.args[0].constructor);
  expect(sent.filter((command) => (MUTATIONS as readonly unknown[]).includes(command))).toEqual([]);
}

beforeEach(() => {
  iamMock.reset();
  cloudTrailMock.reset();
  cloudTrailMock.on(LookupEventsCommand).resolves({ Events: [] });
  aliceHoldsTheKey(iamMock);
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
});

describe('containKey in delete mode', () => {
  it('deletes the key of its owner and revokes the sessions issued before now', async () => {
    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'deleted', contained: true, userName: 'alice', mode: 'delete' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, {
      UserName: 'alice',
      AccessKeyId: KEY,
    });
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, {
      UserName: 'alice',
      PolicyName: REVOKE_SESSIONS_POLICY_NAME,
    });
    const policy = JSON.parse(iamMock.commandCalls(PutUserPolicyCommand)[0]?.args[0].input.PolicyDocument ?? '');
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': NOW.toISOString() } },
    });
    expect(result.actions.map((action) => [action.kind, action.status])).toEqual([
      ['delete-access-key', 'done'],
      ['revoke-sessions', 'done'],
      ['record-containment', 'done'],
    ]);
  });

  it('resolves the owner when the event names no user', async () => {
    const result = await containKey(deps(), incidentFor(KEY, null));

    expect(result.userName).toBe('alice');
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, {
      UserName: 'alice',
      AccessKeyId: KEY,
    });
  });

  it('skips session revocation when asked to', async () => {
    await containKey(deps(), incidentFor(KEY, 'alice'), { revokeSessions: false });

    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 1);
    expect(iamMock).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('records what it did on the user, for later signals about the same key', async () => {
    await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      UserName: 'alice',
      Tags: [{ Key: `exposed-keys/contained/${KEY}`, Value: `deleted ${NOW.toISOString()}` }],
    });
  });

  it('reports not-found, a human to look, when IAM does not know the key and nothing shows it was deleted', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'not-found', contained: false });
    expect(result.humanSteps.join()).toMatch(/get-access-key-info --access-key-id AKIAIOSFODNN7EXAMPLE/);
    expect(cloudTrailMock).toHaveReceivedCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteAccessKey' }],
    });
    expectNoMutation();
  });

  it('reports already-contained when exposed-keys left its record on the user the event names', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    tagged(iamMock, 'deleted 2026-11-27T02:00:00.000Z');
    sessionsDeniedBefore(iamMock, '2026-11-27T02:00:00.000Z');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'already-contained', contained: true });
    expect(result.summary).toMatch(/exposed-keys contained it earlier \(deleted 2026-11-27T02:00:00.000Z/);
    expectNoMutation();
  });

  it('reports already-contained, the sessions denied, a key gone whose owner at the claim is the user the event names', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());

    const result = await containKey({ ...deps(), ownerAtClaim: 'Alice' }, incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'already-contained', contained: true, userName: 'alice' });
    expect(result.summary).toMatch(
      /IAM named Alice as its holder when this report was received, and no longer knows it/,
    );
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', target: 'alice', status: 'done' }),
    ]);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, { UserName: 'alice' });
  });

  it('reports not-found, denying no sessions, a key gone whose owner at the claim is another user than the event names', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());

    const result = await containKey({ ...deps(), ownerAtClaim: 'bob' }, incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'not-found', contained: false });
    expectNoMutation();
  });

  it('takes no refused DeleteAccessKey in CloudTrail (a wrong profile, say) for the deletion of the key', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    const refused = (errorCode: string) => ({
      EventName: 'DeleteAccessKey',
      EventTime: new Date('2026-11-26T10:00:00Z'),
      CloudTrailEvent: JSON.stringify({
        eventName: 'DeleteAccessKey',
        errorCode,
        errorMessage: `The Access Key with id ${KEY} cannot be found.`,
        requestParameters: { userName: 'alice', accessKeyId: KEY },
        userIdentity: { arn: 'arn:aws:iam::123456789012:user/responder' },
      }),
    });
    cloudTrailMock
      .on(LookupEventsCommand)
      .resolves({ Events: [refused('NoSuchEntityException'), refused('AccessDenied')] });

    const result = await containKey(deps(), incidentFor(KEY, null));

    expect(result).toMatchObject({ outcome: 'not-found', contained: false });
    expectNoMutation();
  });

  it('says when the search for the key’s deletion stopped at its cap of pages, rather than that nothing shows it', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    const other = {
      EventName: 'DeleteAccessKey',
      EventTime: new Date('2026-11-26T10:00:00Z'),
      CloudTrailEvent: JSON.stringify({ requestParameters: { userName: 'bob', accessKeyId: 'AKIAI44QH8DHBEXAMPLE' } }),
    };
    cloudTrailMock
      .on(LookupEventsCommand)
      .resolves({ Events: Array.from({ length: 50 }, () => other), NextToken: 'more' });

    const result = await containKey(deps(), incidentFor(KEY, null));

    expect(result.outcome).toBe('not-found');
    expect(cloudTrailMock).toHaveReceivedCommandTimes(LookupEventsCommand, 10);
    expect(result.warnings.join()).toMatch(/Only the latest 500 key deletions .* an earlier one was not looked for/);
  });

  it('reports already-contained when CloudTrail shows the deletion of the key', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    cloudTrailMock.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventName: 'DeleteAccessKey',
          EventTime: new Date('2026-11-26T10:00:00Z'),
          CloudTrailEvent: JSON.stringify({
            requestParameters: { userName: 'alice', accessKeyId: KEY },
            userIdentity: { arn: 'arn:aws:iam::123456789012:user/admin' },
          }),
        },
      ],
    });

    const result = await containKey(deps(), incidentFor(KEY, null));

    expect(result).toMatchObject({ outcome: 'already-contained', contained: true });
    expect(result.summary).toMatch(
      /CloudTrail shows its deletion at 2026-11-26T10:00:00.000Z by arn:aws:iam::123456789012:user\/admin/,
    );
  });

  it("denies the sessions only of the user CloudTrail's deletion ties the key to, never of one named on its word alone", async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    const deletion = (record: object) => ({
      Events: [
        {
          EventName: 'DeleteAccessKey',
          EventTime: new Date('2026-11-26T10:00:00Z'),
          CloudTrailEvent: JSON.stringify({ userIdentity: { arn: 'arn:aws:iam::123456789012:user/admin' }, ...record }),
        },
      ],
    });
    cloudTrailMock
      .on(LookupEventsCommand)
      .resolves(deletion({ requestParameters: { userName: 'bob', accessKeyId: KEY } }));

    const bobs = await containKey(deps(), incidentFor(KEY, 'alice'));

    // Not done, for a human to decide: the execution then fails.
    expect(bobs).toMatchObject({ outcome: 'already-contained', contained: true });
    expect(bobs.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', target: 'bob', status: 'failed' }),
    ]);
    expect(bobs.summary).toMatch(
      /the sessions were NOT denied: the evidence ties AKIAIOSFODNN7EXAMPLE to bob, not to alice/,
    );
    expect(bobs.humanSteps).toEqual([
      `The report names alice, but ${KEY} was bob's: if so, deny bob's sessions: exposed-keys respond --key ${KEY} --user bob`,
    ]);
    expectNoMutation();

    // A report naming no user: the user CloudTrail's deletion names has them denied.
    const unnamed = await containKey(deps(), incidentFor(KEY, null));

    expect(unnamed.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', target: 'bob', status: 'done' }),
    ]);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, { UserName: 'bob' });
    iamMock.resetHistory();

    // A key deleted by its own user, with no user named in the call: the caller's.
    cloudTrailMock.on(LookupEventsCommand).resolves(
      deletion({
        requestParameters: { accessKeyId: KEY },
        userIdentity: { type: 'IAMUser', userName: 'Alice', arn: 'arn:aws:iam::123456789012:user/Alice' },
      }),
    );

    const alices = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(alices.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', target: 'alice', status: 'done' }),
    ]);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, { UserName: 'alice' });
  });

  it("puts a revocation for a gone key's sessions unless one already denies those minted before its deletion; none for a key gone over 36 hours", async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    const deletedAt = (at: string) => ({
      Events: [
        {
          EventName: 'DeleteAccessKey',
          EventTime: new Date(at),
          CloudTrailEvent: JSON.stringify({ requestParameters: { userName: 'alice', accessKeyId: KEY } }),
        },
      ],
    });
    // A revocation left by an older incident, with a cutoff before this key's deletion.
    sessionsDeniedBefore(iamMock, '2026-01-01T00:00:00.000Z');
    cloudTrailMock.on(LookupEventsCommand).resolves(deletedAt('2026-11-26T10:00:00Z'));

    const recent = await containKey(deps(), incidentFor(KEY, null));

    expect(recent.userName).toBe('alice');
    expect(recent.summary).toMatch(/; the sessions of alice minted before now are denied$/);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, { UserName: 'alice' });
    iamMock.resetHistory();

    cloudTrailMock.on(LookupEventsCommand).resolves(deletedAt('2026-11-25T14:00:00Z'));
    const old = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(old).toMatchObject({ outcome: 'already-contained', actions: [], humanSteps: [] });
    expectNoMutation();
  });

  it('plans, in a dry run, the session denial a real run would make for a key CloudTrail shows deleted', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    cloudTrailMock.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventName: 'DeleteAccessKey',
          EventTime: new Date('2026-11-26T10:00:00Z'),
          CloudTrailEvent: JSON.stringify({ requestParameters: { userName: 'alice', accessKeyId: KEY } }),
        },
      ],
    });

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { dryRun: true });

    expect(result.outcome).toBe('already-contained');
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'revoke-sessions', status: 'planned' })]);
    expectNoMutation();
  });

  it('reports the key deleted, and revokes its sessions, when a retried delete finds it gone', async () => {
    iamMock.on(DeleteAccessKeyCommand).rejects(noSuchEntity());
    // IAM no longer knows the key once its deletion went through.
    iamMock.on(GetAccessKeyLastUsedCommand).resolvesOnce({ UserName: 'alice' }).rejects(noSuchEntity());

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'deleted', contained: true, humanSteps: [] });
    expect(result.actions[0]?.detail).toMatch(/is gone: IAM no longer had it/);
    expect(iamMock).toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('reports a retried delete as deleted while IAM, not yet consistent, still names the same user, who no longer lists the key', async () => {
    iamMock.on(DeleteAccessKeyCommand).rejects(noSuchEntity());
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'deleted', contained: true });
    expect(result.actions[0]?.detail).toMatch(/is gone: IAM no longer had it/);
  });

  it('never says deleted when IAM finds no such key of the user because the user was renamed: the key is still usable', async () => {
    iamMock.on(DeleteAccessKeyCommand).rejects(noSuchEntity());
    iamMock.on(GetAccessKeyLastUsedCommand).resolvesOnce({ UserName: 'alice' }).resolves({ UserName: 'alice2' });

    const failure = containKey(deps(), incidentFor(KEY, 'alice'));

    await expect(failure).rejects.toBeInstanceOf(ContainmentError);
    await expect(failure).rejects.toThrow(/yet it still knows the key, held by alice2.*It may still be active/);
    expect(iamMock).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('never says deactivated when the user was renamed between the owner check and the listing of its keys', async () => {
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    iamMock.on(GetAccessKeyLastUsedCommand).resolvesOnce({ UserName: 'alice' }).resolves({ UserName: 'alice2' });

    const failure = containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    await expect(failure).rejects.toThrow(/held by alice2/);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('reports a session revocation that failed, as a warning and a step for a human, and still deletes', async () => {
    iamMock.on(PutUserPolicyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result.outcome).toBe('deleted');
    expect(result.actions[1]).toMatchObject({ kind: 'revoke-sessions', status: 'failed' });
    expect(result.warnings.join()).toMatch(/Sessions minted from AKIAIOSFODNN7EXAMPLE are still valid/);
    expect(result.humanSteps.join()).toMatch(/aws:TokenIssueTime/);
  });

  it('throws a ContainmentError, saying the key is still active, when IAM refuses the delete', async () => {
    iamMock.on(DeleteAccessKeyCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));

    const failure = containKey(deps(), incidentFor(KEY, 'alice'));

    await expect(failure).rejects.toBeInstanceOf(ContainmentError);
    await expect(failure).rejects.toThrow(/still active.*iam:DeleteAccessKey failed: AccessDenied/);
    expect(iamMock).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('throws a ContainmentError and changes nothing when the owner cannot be looked up', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('slow down'), { name: 'Throttling' }));

    await expect(containKey(deps(), incidentFor(KEY, 'alice'))).rejects.toThrow(/nothing was changed/);
    expectNoMutation();
  });
});

describe('containKey refuses keys it must not touch', () => {
  it('touches nothing when the owner differs from the event user, and says so', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'mallory' });

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result).toMatchObject({ outcome: 'owner-mismatch', contained: false, userName: 'mallory' });
    expect(result.humanSteps.join()).toMatch(/names alice.*belongs to mallory/);
    expectNoMutation();
  });

  it("says the responder's --user, not an event, named another user, when respond was run by hand", async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'mallory' });

    const result = await containKey(deps(), incidentFor(KEY, 'alice', { source: 'manual' }));

    expect(result).toMatchObject({ outcome: 'owner-mismatch', contained: false, userName: 'mallory' });
    expect(result.summary).toBe(`--user names alice but ${KEY} belongs to mallory; nothing was changed.`);
    expect(result.humanSteps).toEqual([
      `--user names alice, but IAM says ${KEY} belongs to mallory. Nothing was changed.`,
      `Confirm which user holds the key, then contain the key by hand or run \`exposed-keys respond --key ${KEY} --user mallory\`.`,
    ]);
    expectNoMutation();
  });

  it('gives the steps for a root key, as IAM tells it, and changes nothing', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'root' });
    iamMock.on(ListAccessKeysCommand).rejects(noSuchEntity());

    const result = await containKey(deps(), incidentFor('AKIAJROOTKEYEXAMPLE2', 'ROOT'));

    expect(result).toMatchObject({ outcome: 'manual-action-required', contained: false });
    expect(result.humanSteps[0]).toMatch(/Sign in as the root user and delete access key AKIAJROOTKEYEXAMPLE2/);
    expectNoMutation();
  });

  it('contains the key of an IAM user named root, which the spelling alone would take for the root user', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'root' });
    keyListed(iamMock, 'Active');

    const result = await containKey(deps(), incidentFor(KEY, 'root'));

    expect(result).toMatchObject({ outcome: 'deleted', userName: 'root' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName: 'root', AccessKeyId: KEY });
  });

  it('checks the owner even when the event names root, and touches nothing when IAM names someone else', async () => {
    const result = await containKey(deps(), incidentFor(KEY, 'root'));

    expect(result).toMatchObject({ outcome: 'owner-mismatch', userName: 'alice' });
    expectNoMutation();
  });

  it('touches nothing in a key of another account than the one it runs in', async () => {
    const result = await containKey(deps(), { ...incidentFor(KEY, 'alice'), accountId: '210987654321' });

    expect(result).toMatchObject({ outcome: 'other-account', contained: false });
    expect(result.humanSteps.join()).toMatch(/belongs to account 210987654321/);
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('takes IAM user names as IAM does, whatever their case', async () => {
    const result = await containKey(deps(), incidentFor(KEY, 'Alice'));

    expect(result.outcome).toBe('deleted');
  });

  it("treats a key IAM says is the root user's as a root key", async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: '<root_account>' });

    const result = await containKey(deps(), incidentFor(KEY, null));

    expect(result.outcome).toBe('manual-action-required');
    expectNoMutation();
  });

  it('gives the steps for a temporary key and calls nothing', async () => {
    const result = await containKey(deps(), incidentFor('ASIAIOSFODNN7EXAMPLE', 'alice'));

    expect(result).toMatchObject({ outcome: 'manual-action-required', contained: false });
    expect(result.humanSteps.join('\n')).toMatch(/temporary \(STS\) key.*\n.*\n.*Revoke active sessions/);
    expect(iamMock.calls()).toHaveLength(0);
  });
});

describe('containKey in other modes', () => {
  it('deactivates the key in deactivate mode, checking its status first', async () => {
    iamMock.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { AccessKeyId: 'AKIAOTHERKEYEXAMPLE2', Status: 'Active' },
        { AccessKeyId: KEY, Status: 'Active' },
      ],
    });
    iamMock.on(UpdateAccessKeyCommand).resolves({});

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    expect(result).toMatchObject({ outcome: 'deactivated', contained: true });
    expect(iamMock).toHaveReceivedCommandExactlyOnceWith(UpdateAccessKeyCommand, {
      UserName: 'alice',
      AccessKeyId: KEY,
      Status: 'Inactive',
    });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('reports a key it deactivated before as already contained, and changes nothing', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'deactivated 2026-11-26T01:00:00.000Z');
    sessionsDeniedBefore(iamMock, '2026-11-26T01:00:00.000Z');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    expect(result).toMatchObject({ outcome: 'already-contained', contained: true, actions: [] });
    expect(result.summary).toMatch(/contained it earlier \(deactivated 2026-11-26T01:00:00.000Z\)/);
    expectNoMutation();
  });

  it('denies the sessions of a key found contained whose sessions nothing shows denied: a tag anyone may write, a revocation that failed', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'deactivated 2026-11-01T00:00:00.000Z');
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({
      UserName: 'alice',
      AccessKeyLastUsed: {
        LastUsedDate: new Date('2026-11-27T02:00:00.000Z'),
        ServiceName: 'sts',
        Region: 'us-east-1',
      },
    });
    // Denied before the key's last use: sessions it minted then still work.
    sessionsDeniedBefore(iamMock, '2026-11-01T00:00:00.000Z');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    expect(result).toMatchObject({ outcome: 'already-contained', contained: true });
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'revoke-sessions', status: 'done' })]);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, { UserName: 'alice' });
  });

  it('asks a human when the sessions of a key deleted before cannot be denied, rather than report it contained and done', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(noSuchEntity());
    tagged(iamMock, 'deleted 2026-11-27T02:00:00.000Z');
    iamMock.on(GetUserPolicyCommand).rejects(noSuchEntity());
    iamMock.on(PutUserPolicyCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result.outcome).toBe('already-contained');
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'revoke-sessions', status: 'failed' })]);
    expect(result.humanSteps.length).toBeGreaterThan(0);
    expect(result.summary).toMatch(/; the sessions minted before now could not be denied$/);
    expect(result.summary).not.toMatch(/left inactive/);
  });

  it('completes the containment of a key someone else deactivated: its sessions denied, the containment recorded', async () => {
    keyListed(iamMock, 'Inactive');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    expect(result).toMatchObject({ outcome: 'already-contained', contained: true, humanSteps: [] });
    expect(result.summary).toMatch(/already inactive, not by exposed-keys; .*sessions minted before now are denied/);
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', status: 'done' }),
      {
        kind: 'record-containment',
        target: 'alice',
        status: 'done',
        detail: `recorded "found inactive ${NOW.toISOString()}" on alice (tag exposed-keys/contained/${KEY})`,
      },
    ]);
    expect(iamMock).toHaveReceivedCommandWith(PutUserPolicyCommand, {
      UserName: 'alice',
      PolicyName: REVOKE_SESSIONS_POLICY_NAME,
    });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      UserName: 'alice',
      Tags: [{ Key: `exposed-keys/contained/${KEY}`, Value: `found inactive ${NOW.toISOString()}` }],
    });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('says a human must act when the sessions of a key found inactive cannot be denied', async () => {
    keyListed(iamMock, 'Inactive');
    iamMock.on(ListUserTagsCommand).rejects(new Error('tags unreadable'));
    iamMock.on(PutUserPolicyCommand).rejects(new Error('denied'));

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    expect(result.outcome).toBe('already-contained');
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', status: 'failed' }),
      expect.objectContaining({ kind: 'record-containment', status: 'done' }),
    ]);
    expect(result.humanSteps.join('\n')).toMatch(/alice/);
    expect(result.warnings.join('\n')).toMatch(/Could not read the tags of alice/);
  });

  it('leaves the key active in notify-only mode and says what to do', async () => {
    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'notify-only' });

    expect(result).toMatchObject({ outcome: 'notify-only', contained: false });
    expect(result.humanSteps.join()).toMatch(
      /aws iam delete-access-key --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE/,
    );
    expectNoMutation();
  });

  it.each(['delete', 'deactivate'] as const)('plans without calling any mutating API in a %s dry run', async (mode) => {
    keyListed(iamMock, 'Active');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode, dryRun: true });

    expect(result).toMatchObject({ outcome: 'planned', dryRun: true, contained: false });
    expect(result.actions.map((action) => [action.kind, action.status])).toEqual([
      [`${mode}-access-key`, 'planned'],
      ['revoke-sessions', 'planned'],
      ['record-containment', 'planned'],
    ]);
    expectNoMutation();
  });
});

describe('containKey and the AWS quarantine policy', () => {
  it('reports an attached AWSCompromisedKeyQuarantine policy and never detaches it', async () => {
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        {
          PolicyName: 'AWSCompromisedKeyQuarantineV3',
          PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
        },
      ],
    });

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result.quarantinePolicies).toEqual(['AWSCompromisedKeyQuarantineV3']);
    const names = iamMock.calls().map((call) => call.args[0].constructor.name);
    expect(names.filter((name) => /Detach|DeleteUserPolicy|DeletePolicy/.test(name))).toEqual([]);
  });

  it('keeps going, with a warning, when the attached policies cannot be listed', async () => {
    iamMock.on(ListAttachedUserPoliciesCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDenied' }));

    const result = await containKey(deps(), incidentFor(KEY, 'alice'));

    expect(result.outcome).toBe('deleted');
    expect(result.warnings[0]).toMatch(/Could not check for an AWSCompromisedKeyQuarantine\* policy on alice/);
  });
});

describe('the cutoff of the session revocation', () => {
  it('is taken once the key is unusable, so that a session minted while IAM was asked is denied too', async () => {
    let clock = NOW.getTime();
    let deletedAt = 0;
    iamMock.on(GetAccessKeyLastUsedCommand).callsFake(async () => {
      clock += 40_000;
      return { UserName: 'alice' };
    });
    iamMock.on(DeleteAccessKeyCommand).callsFake(async () => {
      deletedAt = clock;
      return {};
    });

    await containKey({ ...deps(), now: () => new Date(clock) }, incidentFor(KEY, 'alice'));

    const policy = JSON.parse(iamMock.commandCalls(PutUserPolicyCommand)[0]?.args[0].input.PolicyDocument ?? '{}');
    const cutoff = Date.parse(policy.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']);
    expect(deletedAt).toBeGreaterThan(NOW.getTime());
    expect(cutoff).toBeGreaterThanOrEqual(deletedAt);
  });
});
