import {
  CloudFormationClient,
  DeleteChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type ResourceStatus,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PreparedChangeSet } from '../../../src/deploy/change-set.js';
import { StackTimeoutError } from '../../../src/deploy/deploy-errors.js';
import { executeChangeSet } from '../../../src/deploy/execute-change-set.js';
import { DeploymentError, InterruptedError } from '../../../src/errors.js';

const STACK = 'exposed-keys';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-keys-Topic';
const cloudFormationMock = mockClient(CloudFormationClient);

const prepared: PreparedChangeSet = {
  stackName: STACK,
  stackId: STACK_ID,
  changeSetName: 'exposed-keys-test',
  changeSetId: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/exposed-keys-test/1',
  changeSetType: 'CREATE',
  noChanges: false,
  changes: [
    { action: 'Add', logicalId: 'Topic', physicalId: undefined, type: 'AWS::SNS::Topic', replacement: undefined },
  ],
};

function stack(status: string, extra: Partial<Stack> = {}): Stack {
  return {
    StackName: STACK,
    StackId: STACK_ID,
    StackStatus: status as StackStatus,
    Description: 'exposed-keys: a test stack',
    CreationTime: new Date('2026-11-27T03:00:00Z'),
    ...extra,
  };
}

function event(id: number, logicalId: string, status: string, reason?: string): StackEvent {
  return {
    EventId: String(id),
    StackId: STACK_ID,
    StackName: STACK,
    LogicalResourceId: logicalId,
    ResourceType: logicalId === STACK ? 'AWS::CloudFormation::Stack' : 'AWS::SNS::Topic',
    ResourceStatus: status as ResourceStatus,
    ResourceStatusReason: reason,
    Timestamp: new Date(Date.UTC(2026, 10, 27, 3, 0, id)),
  };
}

/** The events CloudFormation lists, newest first, after `count` of `history` happened. */
function history(...events: StackEvent[]) {
  return (count: number) => ({ StackEvents: events.slice(0, count).reverse() });
}

function deps() {
  return {
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    poll: { sleep: vi.fn(async () => {}), intervalMs: 1_000, timeoutMs: 10_000 },
    progress: { onStep: vi.fn(), onStackEvent: vi.fn() },
  };
}

beforeEach(() => {
  cloudFormationMock.reset();
  cloudFormationMock.on(ExecuteChangeSetCommand).resolves({});
  cloudFormationMock.on(DescribeStackResourcesCommand).resolves({
    StackResources: [
      {
        LogicalResourceId: 'Topic',
        PhysicalResourceId: TOPIC_ARN,
        ResourceType: 'AWS::SNS::Topic',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
    ],
  });
});

describe('executeChangeSet', () => {
  it('executes the change set and reports each new stack event once, until the stack is complete', async () => {
    const events = history(
      event(1, STACK, 'REVIEW_IN_PROGRESS', 'User Initiated'),
      event(2, STACK, 'CREATE_IN_PROGRESS', 'User Initiated'),
      event(3, 'Topic', 'CREATE_IN_PROGRESS'),
      event(4, 'Topic', 'CREATE_COMPLETE'),
      event(5, STACK, 'CREATE_COMPLETE'),
    );
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(events(1))
      .resolvesOnce(events(3))
      .resolves(events(5));
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('CREATE_IN_PROGRESS')] })
      .resolves({
        Stacks: [stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'TopicArn', OutputValue: TOPIC_ARN }] })],
      });
    const dependencies = deps();

    const result = await executeChangeSet(dependencies, prepared);

    expect(cloudFormationMock).toHaveReceivedCommandWith(ExecuteChangeSetCommand, {
      StackName: STACK,
      ChangeSetName: 'exposed-keys-test',
    });
    expect(dependencies.progress.onStackEvent.mock.calls.map(([e]) => `${e.logicalId} ${e.status}`)).toEqual([
      `${STACK} CREATE_IN_PROGRESS`,
      'Topic CREATE_IN_PROGRESS',
      'Topic CREATE_COMPLETE',
      `${STACK} CREATE_COMPLETE`,
    ]);
    expect(dependencies.poll.sleep).toHaveBeenCalledWith(1_000, undefined);
    expect(result).toMatchObject({
      stackName: STACK,
      stackId: STACK_ID,
      status: 'CREATE_COMPLETE',
      state: 'succeeded',
      noChanges: false,
      outputs: { TopicArn: TOPIC_ARN },
      resources: [{ logicalId: 'Topic', physicalId: TOPIC_ARN, type: 'AWS::SNS::Topic', status: 'CREATE_COMPLETE' }],
    });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeStackResourcesCommand, { StackName: STACK_ID });
  });

  it('throws DeploymentError with each failing resource and its reason when the deploy is rolled back', async () => {
    const events = history(
      event(1, STACK, 'UPDATE_COMPLETE'),
      event(2, STACK, 'UPDATE_IN_PROGRESS', 'User Initiated'),
      event(3, 'Topic', 'UPDATE_FAILED', 'Invalid parameter: KmsMasterKeyId'),
      event(4, STACK, 'UPDATE_ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to update: [Topic].'),
      event(5, STACK, 'UPDATE_ROLLBACK_COMPLETE'),
    );
    cloudFormationMock.on(DescribeStackEventsCommand).resolvesOnce(events(1)).resolves(events(5));
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });

    const failure = executeChangeSet(deps(), { ...prepared, changeSetType: 'UPDATE' });

    await expect(failure).rejects.toBeInstanceOf(DeploymentError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringMatching(/rolled back \(UPDATE_ROLLBACK_COMPLETE\): Topic: Invalid parameter/),
      failures: [{ logicalId: 'Topic', status: 'UPDATE_FAILED', reason: 'Invalid parameter: KmsMasterKeyId' }],
    });
  });

  it('fails a deploy whose stack was deleted meanwhile, rather than call it done', async () => {
    const events = history(event(1, STACK, 'UPDATE_COMPLETE'), event(2, STACK, 'DELETE_COMPLETE'));
    cloudFormationMock.on(DescribeStackEventsCommand).resolvesOnce(events(1)).resolves(events(2));
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('DELETE_COMPLETE')] });

    await expect(executeChangeSet(deps(), { ...prepared, changeSetType: 'UPDATE' })).rejects.toThrow(
      /failed \(DELETE_COMPLETE\)/,
    );
  });

  it('keeps polling while DescribeStacks still shows the status from before the execution', async () => {
    const events = history(
      event(1, STACK, 'UPDATE_COMPLETE'),
      event(2, STACK, 'UPDATE_IN_PROGRESS', 'User Initiated'),
      event(3, STACK, 'UPDATE_COMPLETE'),
    );
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(events(1))
      .resolvesOnce(events(1))
      .resolves(events(3));
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    const dependencies = deps();

    const result = await executeChangeSet(dependencies, { ...prepared, changeSetType: 'UPDATE' });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(dependencies.poll.sleep).toHaveBeenCalledTimes(1);
    expect(result.events.map((e) => e.status)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
  });

  it('does not execute a change set with no changes, and describes the stack as it is', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const result = await executeChangeSet(deps(), { ...prepared, noChanges: true, changeSetId: '', changes: [] });

    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
    expect(result).toMatchObject({ noChanges: true, status: 'UPDATE_COMPLETE', state: 'succeeded' });
    expect(result.resources.map((resource) => resource.logicalId)).toEqual(['Topic']);
  });

  it('gives up with StackTimeoutError when the stack does not settle within the timeout', async () => {
    const events = history(event(1, STACK, 'REVIEW_IN_PROGRESS'), event(2, STACK, 'CREATE_IN_PROGRESS'));
    cloudFormationMock.on(DescribeStackEventsCommand).resolvesOnce(events(1)).resolves(events(2));
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_IN_PROGRESS')] });
    const dependencies = deps();

    await expect(executeChangeSet(dependencies, prepared)).rejects.toBeInstanceOf(StackTimeoutError);
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 10);
  });

  it('stops following at Ctrl-C, saying the update goes on in CloudFormation and how to roll it back', async () => {
    const events = history(event(1, STACK, 'UPDATE_COMPLETE'), event(2, STACK, 'UPDATE_IN_PROGRESS', 'User Initiated'));
    cloudFormationMock.on(DescribeStackEventsCommand).resolvesOnce(events(1)).resolves(events(2));
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    const ctrlC = new AbortController();
    const dependencies = deps();
    const poll = { ...dependencies.poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

    const stopped = await executeChangeSet({ ...dependencies, poll }, { ...prepared, changeSetType: 'UPDATE' }).catch(
      (error: unknown) => error,
    );

    expect(stopped).toBeInstanceOf(InterruptedError);
    expect((stopped as InterruptedError).message).toBe(
      'Stopped following stack exposed-keys, then UPDATE_IN_PROGRESS; Ctrl-C does not stop its operation.',
    );
    expect((stopped as InterruptedError).hint).toContain(
      'aws cloudformation cancel-update-stack --stack-name exposed-keys --region us-east-1',
    );
    expect(poll.sleep).toHaveBeenCalledTimes(1);
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
  });

  it('deletes a change set CloudFormation refused to execute, or says it may be left when that fails too', async () => {
    const refused = Object.assign(new Error('not allowed to execute'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    cloudFormationMock.on(ExecuteChangeSetCommand).rejects(refused);
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cloudFormationMock.on(DeleteChangeSetCommand).resolves({});
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    const update = { ...prepared, changeSetType: 'UPDATE' as const };

    await expect(executeChangeSet(deps(), update)).rejects.toThrow(
      /^cloudformation:ExecuteChangeSet failed: AccessDenied: not allowed to execute\. Change set exposed-keys-test was deleted unexecuted; stack exposed-keys was not changed\.$/,
    );
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteChangeSetCommand, {
      ChangeSetName: 'exposed-keys-test',
    });

    cloudFormationMock
      .on(DeleteChangeSetCommand)
      .rejects(Object.assign(new Error('executing'), { name: 'InvalidChangeSetStatus' }));
    await expect(executeChangeSet(deps(), update)).rejects.toThrow(
      /could not be deleted after \(.*InvalidChangeSetStatus.*\): it may be left on stack exposed-keys, or executing\.$/,
    );
  });

  it('says the stack a failed first deploy left was deleted, when the change set made after it is refused', async () => {
    cloudFormationMock.on(ExecuteChangeSetCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDenied' }));
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cloudFormationMock.on(DeleteChangeSetCommand).resolves({});
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });

    await expect(executeChangeSet(deps(), { ...prepared, deletedFailedStack: true })).rejects.toThrow(
      /the stack exposed-keys a failed first deploy left was deleted before, and nothing else changed\.$/,
    );
  });
});
