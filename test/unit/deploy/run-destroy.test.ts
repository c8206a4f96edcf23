import {
  CloudFormationClient,
  CloudFormationServiceException,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { paletteOf } from '../../../src/cli/output.js';
import { cancelledFollowUpWarnings, destroyExitCode, renderDestroyReport } from '../../../src/cli/render/destroy.js';
import { cancelledADeletion } from '../../../src/deploy/pending-follow-ups.js';
import { type DestroyMessage, runDestroy } from '../../../src/deploy/run-destroy.js';
import { DeploymentError, ExitCode, InterruptedError } from '../../../src/errors.js';
import { recordingHost } from '../../support/io-host.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const stsMock = mockClient(STSClient);
const s3Mock = mockClient(S3Client);

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
  s3Mock.reset();
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

  /** The stack, there until DeleteStack, then gone; its deletion cancels a deactivated key's deletion. */
  function deletedStackWithAPendingDeletion() {
    let deleted = false;
    cloudFormationMock.on(DescribeStacksCommand).callsFake(() => {
      if (deleted)
        throw new CloudFormationServiceException({
          name: 'ValidationError',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Stack with id exposed-keys does not exist',
        });
      return {
        Stacks: [
          {
            StackName: 'exposed-keys',
            StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(),
            Description: 'exposed-keys: a test stack',
          },
        ],
      };
    });
    cloudFormationMock.on(DeleteStackCommand).callsFake(() => {
      deleted = true;
      return {};
    });
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cloudFormationMock.on(ListStacksCommand).resolves({ StackSummaries: [] });
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: `exposed-keys-delete-${KEY}` }] });
    scheduler.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-12-08T03:00:00)' });
  }

  it('still reports the deleted stack and the key deletion it cancelled when the bucket then fails, and exits 4', async () => {
    deletedStackWithAPendingDeletion();
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock
      .on(ListObjectVersionsCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

    const report = await runDestroy(withScheduler(true).deps, {
      stackName: 'exposed-keys',
      region: 'us-east-1',
      deleteBucket: true,
    });

    expect(report).toMatchObject({
      outcome: 'destroyed',
      status: 'deleted',
      bucket: { bucket: 'exposed-keys-artifacts-123456789012-us-east-1', status: 'failed' },
      followUps: { followUps: [{ kind: 'scheduled-deletion', accessKeyId: KEY }] },
    });
    const destroyed = report as Extract<typeof report, { outcome: 'destroyed' }>;
    expect(destroyed.bucket?.reason).toMatch(/s3:ListObjectVersions.*Access Denied/);
    expect(renderDestroyReport(destroyed, 'us-east-1', paletteOf(false))).toContain(
      'Bucket exposed-keys-artifacts-123456789012-us-east-1: NOT deleted: ',
    );
    expect(destroyExitCode(destroyed)).toBe(ExitCode.needsHuman);
    expect(destroyExitCode({ ...destroyed, followUps: { followUps: [] } })).toBe(ExitCode.awsFailed);
    expect(destroyExitCode({ bucket: undefined, followUps: { error: 'scheduler:ListSchedules failed' } })).toBe(
      ExitCode.awsFailed,
    );
    expect(destroyExitCode({ bucket: undefined, followUps: { followUps: [] } })).toBe(ExitCode.ok);
  });

  /** The stack, whose deletion ends DELETE_FAILED on its role; its group held a key's deletion before. */
  function stackWhoseDeletionFails() {
    const there = {
      StackName: 'exposed-keys',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1',
      CreationTime: new Date(),
      Description: 'exposed-keys: a test stack',
    };
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [{ ...there, StackStatus: 'UPDATE_COMPLETE' }] })
      .resolvesOnce({ Stacks: [{ ...there, StackStatus: 'UPDATE_COMPLETE' }] })
      .resolves({ Stacks: [{ ...there, StackStatus: 'DELETE_FAILED' }] });
    cloudFormationMock.on(DeleteStackCommand).resolves({});
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          {
            EventId: '3',
            StackId: there.StackId,
            StackName: 'exposed-keys',
            LogicalResourceId: 'exposed-keys',
            ResourceType: 'AWS::CloudFormation::Stack',
            ResourceStatus: 'DELETE_FAILED',
            Timestamp: new Date(),
          },
          {
            EventId: '2',
            StackId: there.StackId,
            StackName: 'exposed-keys',
            LogicalResourceId: 'ContainRole',
            ResourceType: 'AWS::IAM::Role',
            ResourceStatus: 'DELETE_FAILED',
            ResourceStatusReason: 'Cannot delete entity, must detach all policies first.',
            Timestamp: new Date(),
          },
        ],
      });
    scheduler.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-12-08T03:00:00)' });
  }

  it('says which follow-ups a deletion that failed cancelled, that the bucket was kept, and exits 4 for a key’s deletion', async () => {
    stackWhoseDeletionFails();
    // Listed before the question; gone after, with the schedule group the deletion took.
    scheduler
      .on(ListSchedulesCommand)
      .resolvesOnce({ Schedules: [{ Name: `exposed-keys-delete-${KEY}` }] })
      .rejects(Object.assign(new Error('no group'), { name: 'ResourceNotFoundException' }));
    const made = withScheduler(true);

    const failed = await runDestroy(made.deps, {
      stackName: 'exposed-keys',
      region: 'us-east-1',
      deleteBucket: true,
    }).catch((error: unknown) => error);

    expect(failed).toBeInstanceOf(DeploymentError);
    expect((failed as DeploymentError).message).toBe(
      `Stack exposed-keys could not be deleted (DELETE_FAILED): ContainRole: Cannot delete entity, must detach all policies first. Bucket exposed-keys-artifacts-123456789012-us-east-1 was kept. Before failing, the deletion cancelled 1 pending follow-up(s): the deletion of ${KEY} due 2026-12-08T03:00:00.000Z.`,
    );
    expect((failed as DeploymentError).exitCode).toBe(ExitCode.needsHuman);
    expect((failed as DeploymentError).hint).toMatch(
      /destroy --delete-bucket` again\. Each key whose deletion was cancelled stays inactive until someone deletes it: aws iam delete-access-key/,
    );
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('says the follow-ups are still scheduled when a deletion that failed left them, and exits 3', async () => {
    stackWhoseDeletionFails();
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: `exposed-keys-delete-${KEY}` }] });

    const failed = await runDestroy(withScheduler(true).deps, {
      stackName: 'exposed-keys',
      region: 'us-east-1',
      deleteBucket: false,
    }).catch((error: unknown) => error);

    expect((failed as DeploymentError).message).toMatch(
      /\(DELETE_FAILED\): ContainRole: .* Its pending follow-ups are still scheduled\.$/,
    );
    expect((failed as DeploymentError).exitCode).toBe(ExitCode.awsFailed);
  });

  it('says a deletion that failed may have cancelled a key’s deletion when the group cannot be listed again, and exits 4', async () => {
    stackWhoseDeletionFails();
    scheduler
      .on(ListSchedulesCommand)
      .resolvesOnce({ Schedules: [{ Name: `exposed-keys-delete-${KEY}` }] })
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));

    const failed = await runDestroy(withScheduler(true).deps, {
      stackName: 'exposed-keys',
      region: 'us-east-1',
      deleteBucket: false,
    }).catch((error: unknown) => error);

    expect((failed as DeploymentError).message).toMatch(
      new RegExp(
        `The deletion may have cancelled 1 pending follow-up\\(s\\): the deletion of ${KEY} due .* \\(they could not be listed again: .*AccessDenied.*\\)\\.$`,
      ),
    );
    expect((failed as DeploymentError).exitCode).toBe(ExitCode.needsHuman);
  });

  it('names the key deletion the stack’s deletion cancels when Ctrl-C stops following it', async () => {
    deletedStackWithAPendingDeletion();
    cloudFormationMock.on(DeleteStackCommand).resolves({});
    const ctrlC = new AbortController();
    const made = withScheduler(true);
    const poll = { ...made.deps.poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

    const stopped = await runDestroy(
      { ...made.deps, poll },
      { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: false },
    ).catch((error: unknown) => error);

    expect(stopped).toBeInstanceOf(InterruptedError);
    expect((stopped as Error).message).toMatch(
      new RegExp(`Ctrl-C does not stop its operation\\. It cancels 1 pending follow-up\\(s\\): the deletion of ${KEY}`),
    );
    // A human must delete the key, whether or not the deletion was followed to its end: 4 before 130.
    expect((stopped as InterruptedError).exitCode).toBe(ExitCode.needsHuman);
  });

  it('deletes nothing when Ctrl-C came with the yes, before the stack was deleted', async () => {
    deletedStackWithAPendingDeletion();
    const ctrlC = new AbortController();
    const made = withScheduler(true);
    const yesThenCtrlC = async () => {
      ctrlC.abort();
      return true;
    };
    const io = { ...made.deps.io, confirm: vi.fn(yesThenCtrlC) };

    await expect(
      runDestroy(
        { ...made.deps, io, poll: { ...made.deps.poll, signal: ctrlC.signal } },
        { stackName: 'exposed-keys', region: 'us-east-1', deleteBucket: true },
      ),
    ).rejects.toThrow('Stopped before anything was deleted.');
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(s3Mock.calls()).toHaveLength(0);
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
