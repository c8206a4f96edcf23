import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../src/errors.js';
import { containTask } from '../../../src/state-machine/tasks/contain-task.js';
import { investigateTask } from '../../../src/state-machine/tasks/investigate-task.js';
import { incidentReportOf, type WorkflowState } from '../../../src/state-machine/workflow-state.js';
import { followUpOutcome, needsHuman } from '../../../src/steps/incident-outcome.js';
import { type FollowUpKind, followUpEvent } from '../../../src/steps/lifecycle/follow-up.js';
import { containConfig } from '../../support/contain-config.js';

/*
 * A stack outside organisation mode reads and changes only its own account: a follow-up whose
 * schedule names another (a `respond --account` against it, a stack that was a hub once) would find
 * no such key in IAM ("already deleted") and nothing in CloudTrail ("no activity").
 */

const cloudTrailMock = mockClient(CloudTrailClient);
const iamMock = mockClient(IAMClient);
const OWN = '111111111111';
const OTHER = '222222222222';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const TAG = `exposed-keys/contained/${KEY}`;

const context = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${OWN}:function:exposed-keys-follow-up`,
  getRemainingTimeInMillis: () => 600_000,
};

function followUp(kind: FollowUpKind, accountId: string | null): WorkflowState {
  return {
    event: followUpEvent({
      kind,
      accessKeyId: KEY,
      userName: 'alice',
      accountId,
      containedAt: '2026-11-20T03:00:00.000Z',
      deleteAt: kind === 'scheduled-deletion' ? '2026-11-27T03:00:00.000Z' : null,
    }),
  };
}

/** The state NotifySecurity gets once the follow-up's Catch has put its error there. */
function caught(state: WorkflowState, error: Error): WorkflowState {
  return {
    ...state,
    followUpError: { Error: error.name, Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message }) },
  };
}

const deletion = () => containTask({ iam: new IAMClient({ region: 'us-east-1' }) }, containConfig());
const verification = () =>
  investigateTask(
    { cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }) },
    { lookbackHours: 24, regions: ['us-east-1'] },
  );

beforeEach(() => {
  cloudTrailMock.reset();
  iamMock.reset();
  cloudTrailMock.on(LookupEventsCommand).resolves({ Events: [] });
  iamMock.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'no such key', $metadata: {} }));
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
});

describe('a follow-up naming another account, in a stack outside organisation mode', () => {
  it('does not verify the key in its own CloudTrail, where nothing found would read as no activity', async () => {
    const state = followUp('verification', OTHER);

    const error = (await verification()(state, context).catch((thrown: unknown) => thrown)) as Error;

    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toContain(`${OTHER} is not this stack's account (${OWN})`);
    expect(cloudTrailMock.calls()).toHaveLength(0);
    const report = incidentReportOf(caught(state, error));
    expect(report.followUp && followUpOutcome(report.followUp)).toBe('verification-failed');
    expect(needsHuman(report)).toBe(true);
  });

  it('does not call the key deleted because its own IAM does not know it, and deletes nothing', async () => {
    const state = followUp('scheduled-deletion', OTHER);

    const error = (await deletion()(state, context).catch((thrown: unknown) => thrown)) as Error;

    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toContain(`--profile <a profile of account ${OTHER}>`);
    expect(iamMock.calls()).toHaveLength(0);
    const report = incidentReportOf(caught(state, error));
    expect(report.followUp && followUpOutcome(report.followUp)).toBe('scheduled-deletion-failed');
    expect(needsHuman(report)).toBe(true);
  });

  it('knows its account from its deps where no Lambda context gives it (simulate --local)', async () => {
    const local = containTask({ iam: new IAMClient({ region: 'us-east-1' }), accountId: OWN }, containConfig());

    await expect(local(followUp('scheduled-deletion', OTHER))).rejects.toBeInstanceOf(InvalidEventError);
    expect(iamMock.calls()).toHaveLength(0);
  });
});

describe('a follow-up of its own account, in a stack outside organisation mode', () => {
  it('verifies the key in its own CloudTrail, and deletes it in its own IAM', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    iamMock.on(ListUserTagsCommand).resolves({
      Tags: [{ Key: TAG, Value: 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T03:00:00.000Z' }],
    });
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
    iamMock.on(DeleteAccessKeyCommand).resolves({});
    iamMock.on(TagUserCommand).resolves({});

    await verification()(followUp('verification', OWN), context);
    await deletion()(followUp('scheduled-deletion', OWN), context);

    expect(cloudTrailMock.commandCalls(LookupEventsCommand).length).toBeGreaterThan(0);
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName: 'alice', AccessKeyId: KEY });
  });
});
