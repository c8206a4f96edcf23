import {
  CloudFormationClient,
  CloudFormationServiceException,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cancelledADeletion, cancelledFollowUpWarnings } from '../../../src/cli/render/destroy.js';
import { type DestroyMessage, runDestroy } from '../../../src/deploy/run-destroy.js';
import { recordingHost } from '../../support/io-host.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const stsMock = mockClient(STSClient);

function deps(answer: boolean) {
  const io = recordingHost<DestroyMessage>(answer);
  const s3 = vi.fn(async () => new S3Client({ region: 'us-east-1' }));
  return {
    io,
    s3,
    deps: {
      sts: new STSClient({ region: 'us-east-1' }),
      cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
      s3,
      io,
      poll: { sleep: vi.fn(async () => {}), intervalMs: 1_000 },
    },
  };
}

beforeEach(() => {
  cloudFormationMock.reset();
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
});

/** The stack, exposed-keys', deployed from the bucket `bucket` (its ArtifactBucket parameter). */
function deployedFrom(bucket: string) {
  cloudFormationMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'exposed-keys',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Description: 'exposed-keys: a test stack',
        Parameters: [{ ParameterKey: 'ArtifactBucket', ParameterValue: bucket }],
      },
    ],
  });
}

describe('runDestroy', () => {
  it('asks first, naming the stack, the account, the region and the bucket, and deletes nothing on no', async () => {
    const { deps: d, io, s3 } = deps(false);
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [] });

    const report = await runDestroy(d, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: true });

    expect(report).toEqual({ outcome: 'aborted', stackName: 'exposed-keys' });
    expect(io.questions).toEqual([
      {
        question:
          'Delete the stack exposed-keys in 123456789012/us-east-1 and bucket exposed-keys-artifacts-123456789012-us-east-1?',
        consequence:
          'deletes the stack exposed-keys in 123456789012/us-east-1 and bucket exposed-keys-artifacts-123456789012-us-east-1',
      },
    ]);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(s3).not.toHaveBeenCalled();
  });

  it('names the bucket the stack was deployed from (deploy --bucket), unless --bucket names another', async () => {
    deployedFrom('my-artifacts');
    const deployed = deps(false);
    const named = deps(false);

    await runDestroy(deployed.deps, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: true });
    await runDestroy(named.deps, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: true, bucket: 'b2' });

    expect(deployed.io.questions[0]?.question).toBe(
      'Delete the stack exposed-keys in 123456789012/us-east-1 and bucket my-artifacts?',
    );
    expect(named.io.questions[0]?.question).toMatch(/and bucket b2\?$/);

    // A parameter that is no bucket name (text of the stack's, shown in the question) is not taken.
    deployedFrom('x\u001b]52;c;ZXZpbA==\u0007');
    const hostile = deps(false);
    await runDestroy(hostile.deps, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: true });
    expect(hostile.io.questions[0]?.question).toMatch(/and bucket exposed-keys-artifacts-123456789012-us-east-1\?$/);
  });

  it('says there is nothing to delete when there is no stack, and builds no S3 client unless the bucket goes', async () => {
    const { deps: d, io, s3 } = deps(true);
    cloudFormationMock.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Stack with id exposed-keys does not exist',
      }),
    );

    const report = await runDestroy(d, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: false });

    expect(report).toMatchObject({ outcome: 'destroyed', status: 'nothing-to-delete', bucket: undefined });
    expect(io.questions[0]?.question).toBe('Delete the stack exposed-keys in 123456789012/us-east-1?');
    expect(s3).not.toHaveBeenCalled();
  });
});

describe('runDestroy with follow-ups waiting in the stack’s schedule group', () => {
  const KEY = 'AKIAIOSFODNN7EXAMPLE';
  const scheduler = mockClient(SchedulerClient);

  beforeEach(() => {
    scheduler.reset();
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'exposed-keys',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Description: 'exposed-keys: a test stack',
        },
      ],
    });
  });

  function withScheduler(answer: boolean) {
    const made = deps(answer);
    return { ...made, deps: { ...made.deps, scheduler: async () => new SchedulerClient({ region: 'us-east-1' }) } };
  }

  it('names, before asking, the deletion and verification the stack’s deletion cancels, and reports them', async () => {
    scheduler.on(ListSchedulesCommand, { GroupName: 'exposed-keys' }).resolves({
      Schedules: [
        { Name: `exposed-keys-verify-${KEY}` },
        { Name: `exposed-keys-delete-${KEY}` },
        { Name: 'someone-elses-schedule' },
      ],
    });
    scheduler
      .on(GetScheduleCommand, { Name: `exposed-keys-delete-${KEY}` })
      .resolves({ ScheduleExpression: 'at(2026-12-08T03:00:00)' })
      .on(GetScheduleCommand, { Name: `exposed-keys-verify-${KEY}` })
      .resolves({ ScheduleExpression: 'at(2026-12-01T03:00:00)' });
    cloudFormationMock.on(DeleteStackCommand).resolves({});
    const declined = withScheduler(false);

    await runDestroy(declined.deps, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: false });

    expect(declined.io.questions[0]?.question).toBe(
      `Delete the stack exposed-keys in 123456789012/us-east-1? It cancels 2 pending follow-up(s): the deletion of ${KEY} due 2026-12-08T03:00:00.000Z; the verification of ${KEY} due 2026-12-01T03:00:00.000Z.`,
    );
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    const warnings = cancelledFollowUpWarnings({
      followUps: {
        followUps: [{ kind: 'scheduled-deletion', name: 'n', at: '2026-12-08T03:00:00.000Z', accessKeyId: KEY }],
      },
    });
    expect(warnings).toEqual([expect.stringContaining(`The key stays inactive until someone deletes it`)]);
    expect(cancelledADeletion({ followUps: { followUps: [] } })).toBe(false);
    expect(
      cancelledADeletion({
        followUps: { followUps: [{ kind: 'scheduled-deletion', name: 'n', at: null, accessKeyId: KEY }] },
      }),
    ).toBe(true);
    expect(
      cancelledADeletion({
        followUps: { followUps: [{ kind: 'verification', name: 'n', at: null, accessKeyId: KEY }] },
      }),
    ).toBe(false);
  });

  it('says when the follow-ups could not be listed, and finds none for a stack without schedules', async () => {
    scheduler
      .on(ListSchedulesCommand)
      .rejectsOnce(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const refused = withScheduler(false);
    await runDestroy(refused.deps, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: false });
    expect(refused.io.questions[0]?.question).toMatch(
      /\? Its pending follow-ups could not be listed \(.*AccessDenied.*\): any it has is cancelled with it\.$/,
    );

    scheduler
      .on(ListSchedulesCommand)
      .rejects(Object.assign(new Error('no group'), { name: 'ResourceNotFoundException' }));
    const none = withScheduler(false);
    await runDestroy(none.deps, { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: false });
    expect(none.io.questions[0]?.question).toBe('Delete the stack exposed-keys in 123456789012/us-east-1?');
  });

  it('deletes nothing and asks nothing when Ctrl-C came before the question', async () => {
    const { deps: d, io } = deps(true);
    deployedFrom('exposed-keys-artifacts-123456789012-us-east-1');
    const ctrlC = new AbortController();
    ctrlC.abort();

    await expect(
      runDestroy(
        { ...d, poll: { ...d.poll, signal: ctrlC.signal } },
        { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: false },
      ),
    ).rejects.toThrow('Stopped before anything was deleted.');

    expect(io.questions).toEqual([]);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
  });
});
