import {
  CloudFormationClient,
  CloudFormationServiceException,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  type ResourceStatus,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { StackBusyError } from '../../../src/deploy/deploy-errors.js';
import { destroyStack } from '../../../src/deploy/destroy.js';
import { DeploymentError, InterruptedError } from '../../../src/errors.js';

const STACK = 'exposed-keys';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1';
const BUCKET = 'exposed-keys-artifacts-123456789012-us-east-1';
const cloudFormationMock = mockClient(CloudFormationClient);
const s3Mock = mockClient(S3Client);

function stack(status: string, description = 'exposed-keys: a test stack'): Stack {
  return {
    StackName: STACK,
    StackId: STACK_ID,
    StackStatus: status as StackStatus,
    CreationTime: new Date(),
    Description: description,
  };
}

function event(id: number, logicalId: string, type: string, status: string, reason?: string): StackEvent {
  return {
    EventId: String(id),
    StackId: STACK_ID,
    StackName: STACK,
    LogicalResourceId: logicalId,
    ResourceType: type,
    ResourceStatus: status as ResourceStatus,
    ResourceStatusReason: reason,
    Timestamp: new Date(Date.UTC(2026, 10, 27, 3, 0, id)),
  };
}

function stackMissing(): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${STACK} does not exist`,
  });
}

function deps() {
  return {
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    poll: { sleep: vi.fn(async () => {}), intervalMs: 1_000 },
    progress: { onStep: vi.fn(), onStackEvent: vi.fn() },
  };
}

const before = { StackEvents: [event(1, STACK, 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')] };

/** Deletes the stack, Ctrl-C coming as CloudFormation takes the deletion, which then ends at once. */
async function destroyWithCtrlCOnceDeleted(input: Parameters<typeof destroyStack>[1]) {
  const ctrlC = new AbortController();
  cloudFormationMock
    .on(DescribeStacksCommand)
    .resolvesOnce({ Stacks: [stack('CREATE_COMPLETE')] })
    .rejects(stackMissing());
  cloudFormationMock.on(DescribeStackEventsCommand).resolves(before);
  cloudFormationMock.on(DeleteStackCommand).callsFake(() => {
    ctrlC.abort();
    return {};
  });
  const dependencies = deps();
  return destroyStack({ ...dependencies, poll: { ...dependencies.poll, signal: ctrlC.signal } }, input);
}

beforeEach(() => {
  cloudFormationMock.reset();
  s3Mock.reset();
  cloudFormationMock.on(DeleteStackCommand).resolves({});
});

describe('destroyStack', () => {
  it('refuses a stack exposed-keys did not make, deleting nothing', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_COMPLETE', 'Payments queue')] });

    await expect(destroyStack(deps(), { stackName: STACK })).rejects.toThrow(/was not made by exposed-keys/);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  it('deletes the stack by id and follows its events until it is gone', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('CREATE_COMPLETE')] })
      .resolvesOnce({ Stacks: [stack('DELETE_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(before)
      .resolves({
        StackEvents: [
          event(4, STACK, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE'),
          event(3, 'Topic', 'AWS::SNS::Topic', 'DELETE_COMPLETE'),
          event(2, STACK, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS', 'User Initiated'),
          ...before.StackEvents,
        ],
      });
    const dependencies = deps();

    const result = await destroyStack(dependencies, { stackName: STACK });

    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK_ID });
    expect(result).toEqual({ stackName: STACK, status: 'deleted', stackId: STACK_ID, retained: [], bucket: undefined });
    expect(dependencies.progress.onStackEvent.mock.calls.map(([e]) => `${e.logicalId} ${e.status}`)).toEqual([
      `${STACK} DELETE_IN_PROGRESS`,
      'Topic DELETE_COMPLETE',
      `${STACK} DELETE_COMPLETE`,
    ]);
    expect(s3Mock).not.toHaveReceivedAnyCommand();
  });

  it('reports nothing to delete when the stack does not exist', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
    const dependencies = deps();

    const result = await destroyStack(dependencies, { stackName: STACK });

    expect(result.status).toBe('nothing-to-delete');
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(dependencies.progress.onStep).toHaveBeenCalledWith(expect.stringMatching(/nothing to delete/));
  });

  it('lists what the stack kept on deletion', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE')] })
      .resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(before)
      .resolves({
        StackEvents: [
          event(3, STACK, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE'),
          event(2, 'Logs', 'AWS::Logs::LogGroup', 'DELETE_SKIPPED'),
          ...before.StackEvents,
        ],
      });

    const result = await destroyStack(deps(), { stackName: STACK });

    expect(result.retained).toEqual([{ logicalId: 'Logs', type: 'AWS::Logs::LogGroup' }]);
  });

  it('throws DeploymentError with the resources that could not be deleted', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('CREATE_COMPLETE')] })
      .resolves({ Stacks: [stack('DELETE_FAILED')] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(before)
      .resolves({
        StackEvents: [
          event(4, STACK, 'AWS::CloudFormation::Stack', 'DELETE_FAILED'),
          event(3, 'Role', 'AWS::IAM::Role', 'DELETE_FAILED', 'Cannot delete entity, must detach all policies first.'),
          event(2, STACK, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS'),
          ...before.StackEvents,
        ],
      });

    const failure = destroyStack(deps(), { stackName: STACK });

    await expect(failure).rejects.toBeInstanceOf(DeploymentError);
    await expect(failure).rejects.toMatchObject({
      failures: [
        { logicalId: 'Role', status: 'DELETE_FAILED', reason: 'Cannot delete entity, must detach all policies first.' },
      ],
    });
  });

  it('refuses a stack that is being updated', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });

    await expect(destroyStack(deps(), { stackName: STACK })).rejects.toBeInstanceOf(StackBusyError);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  it('keeps the artifact bucket another exposed-keys stack still runs from', async () => {
    cloudFormationMock.on(DescribeStacksCommand, { StackName: STACK }).rejects(stackMissing());
    cloudFormationMock.on(ListStacksCommand).resolves({
      StackSummaries: [
        {
          StackName: 'payments',
          TemplateDescription: 'Payments queue',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
        },
        {
          StackName: 'exposed-keys-prod',
          TemplateDescription: 'exposed-keys: …',
          StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
          CreationTime: new Date(),
        },
      ],
    });
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'exposed-keys-prod' }).resolves({
      Stacks: [
        {
          ...stack('UPDATE_COMPLETE'),
          StackName: 'exposed-keys-prod',
          Parameters: [{ ParameterKey: 'ArtifactBucket', ParameterValue: BUCKET }],
        },
      ],
    });

    const result = await destroyStack(deps(), {
      stackName: STACK,
      artifactBucket: { bucket: BUCKET, owner: '123456789012' },
    });

    expect(result.bucket).toEqual({
      bucket: BUCKET,
      status: 'kept',
      objectsDeleted: 0,
      reason: 'the stack(s) exposed-keys-prod still run from it',
    });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(cloudFormationMock).not.toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'payments' });
  });

  it('also empties and deletes the artifact bucket when asked', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
    cloudFormationMock.on(ListStacksCommand).resolves({ StackSummaries: [] });
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'lambda/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.zip', VersionId: 'v1' },
      ],
      DeleteMarkers: [
        { Key: 'lambda/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.zip', VersionId: 'm1' },
      ],
    });
    s3Mock.on(DeleteObjectsCommand).resolves({});
    s3Mock.on(DeleteBucketCommand).resolves({});

    const result = await destroyStack(deps(), {
      stackName: STACK,
      artifactBucket: { bucket: BUCKET, owner: '123456789012' },
    });

    expect(result.bucket).toEqual({ bucket: BUCKET, status: 'deleted', objectsDeleted: 2 });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: '123456789012',
    });
  });

  it('stops following the deletion at Ctrl-C, saying the bucket was not deleted and how to finish', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('CREATE_COMPLETE')] })
      .resolves({ Stacks: [stack('DELETE_IN_PROGRESS')] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(before)
      .resolves({
        StackEvents: [event(2, STACK, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS'), ...before.StackEvents],
      });
    const ctrlC = new AbortController();
    const dependencies = deps();
    const poll = { ...dependencies.poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

    const stopped = await destroyStack(
      { ...dependencies, poll },
      { stackName: STACK, artifactBucket: { bucket: BUCKET, owner: '123456789012' } },
    ).catch((error: unknown) => error);

    expect(stopped).toBeInstanceOf(InterruptedError);
    expect((stopped as InterruptedError).message).toBe(
      `Stopped following stack exposed-keys, then DELETE_IN_PROGRESS; Ctrl-C does not stop its operation. Bucket ${BUCKET} was not deleted.`,
    );
    expect((stopped as InterruptedError).hint).toContain('exposed-keys destroy --delete-bucket');
    expect(s3Mock).not.toHaveReceivedCommand(ListObjectVersionsCommand);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketCommand);
  });

  it('leaves the bucket, saying so, when Ctrl-C came once the stack was deleted, and reports the removal', async () => {
    const result = await destroyWithCtrlCOnceDeleted({
      stackName: STACK,
      artifactBucket: { bucket: BUCKET, owner: '123456789012' },
    });

    expect(result).toMatchObject({
      status: 'deleted',
      interrupted: true,
      bucket: {
        bucket: BUCKET,
        status: 'failed',
        reason: expect.stringMatching(/^stopped \(Ctrl-C\) before it was emptied/),
      },
    });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('reports the bucket as not deleted, with why, when S3 fails once the stack is gone', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
    cloudFormationMock.on(ListStacksCommand).resolves({ StackSummaries: [] });
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(ListObjectVersionsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    const result = await destroyStack(deps(), {
      stackName: STACK,
      artifactBucket: { bucket: BUCKET, owner: '123456789012' },
    });

    expect(result.bucket).toMatchObject({ bucket: BUCKET, status: 'failed', objectsDeleted: 0 });
    expect(result.bucket?.reason).toMatch(/s3:ListObjectVersions failed/);
  });

  it('is not interrupted once the stack is gone when no bucket was to be deleted: nothing was left', async () => {
    const result = await destroyWithCtrlCOnceDeleted({ stackName: STACK });

    expect(result).toMatchObject({ status: 'deleted', bucket: undefined });
    expect(result).not.toHaveProperty('interrupted');
  });
});
