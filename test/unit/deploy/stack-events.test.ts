import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  type ResourceStatus,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StackEventFollower } from '../../../src/deploy/stack-events.js';

const STACK = 'exposed-keys';
const cloudFormationMock = mockClient(CloudFormationClient);

function event(id: string, logicalId: string, status: string, reason?: string): StackEvent {
  return {
    EventId: id,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1',
    StackName: STACK,
    LogicalResourceId: logicalId,
    ResourceType: logicalId === STACK ? 'AWS::CloudFormation::Stack' : 'AWS::SNS::Topic',
    ResourceStatus: status as ResourceStatus,
    ResourceStatusReason: reason,
    Timestamp: new Date(`2026-11-27T03:00:0${id}.000Z`),
  };
}

function follower(): StackEventFollower {
  return new StackEventFollower(new CloudFormationClient({ region: 'us-east-1' }), STACK);
}

beforeEach(() => {
  cloudFormationMock.reset();
});

describe('StackEventFollower', () => {
  it('reports each new event once, oldest first, and none that existed before', async () => {
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [event('1', STACK, 'UPDATE_COMPLETE')] })
      .resolvesOnce({
        StackEvents: [
          event('3', 'Topic', 'UPDATE_IN_PROGRESS'),
          event('2', STACK, 'UPDATE_IN_PROGRESS'),
          event('1', STACK, 'UPDATE_COMPLETE'),
        ],
      })
      .resolvesOnce({ StackEvents: [event('4', STACK, 'UPDATE_COMPLETE'), event('3', 'Topic', 'UPDATE_IN_PROGRESS')] });
    const events = follower();

    await events.skipExisting();
    const first = await events.poll();
    const second = await events.poll();

    expect(first.map((e) => [e.logicalId, e.status])).toEqual([
      [STACK, 'UPDATE_IN_PROGRESS'],
      ['Topic', 'UPDATE_IN_PROGRESS'],
    ]);
    expect(second.map((e) => [e.logicalId, e.status])).toEqual([[STACK, 'UPDATE_COMPLETE']]);
    expect(events.events).toHaveLength(3);
  });

  it('reads further pages only until it meets an event it has seen', async () => {
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [event('1', STACK, 'CREATE_COMPLETE')], NextToken: 'older' })
      .resolvesOnce({ StackEvents: [event('3', 'Topic', 'UPDATE_COMPLETE')], NextToken: 'page-2' })
      .resolvesOnce({
        StackEvents: [event('2', STACK, 'UPDATE_IN_PROGRESS'), event('1', STACK, 'CREATE_COMPLETE')],
        NextToken: 'older',
      });
    const events = follower();

    await events.skipExisting();
    const fresh = await events.poll();

    expect(fresh.map((e) => e.status)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 3);
    expect(cloudFormationMock).toHaveReceivedNthCommandWith(DescribeStackEventsCommand, 3, {
      StackName: STACK,
      NextToken: 'page-2',
    });
  });

  it('lists the failing resources with their reasons, rather than the stack', async () => {
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event('4', STACK, 'ROLLBACK_COMPLETE'),
        event('3', STACK, 'ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to create: [Topic].'),
        event('2', 'Topic', 'CREATE_FAILED', 'Invalid parameter: KmsMasterKeyId'),
        event('1', STACK, 'CREATE_IN_PROGRESS'),
      ],
    });
    const events = follower();

    await events.poll();

    expect(events.failures(STACK)).toEqual([
      { logicalId: 'Topic', status: 'CREATE_FAILED', reason: 'Invalid parameter: KmsMasterKeyId' },
    ]);
  });

  it("falls back on the stack's final status when no event reports a failure", async () => {
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolves({ StackEvents: [event('1', STACK, 'ROLLBACK_COMPLETE')] });
    const events = follower();

    await events.poll();

    expect(events.failures(STACK, { status: 'ROLLBACK_COMPLETE', reason: 'Rolled back' })).toEqual([
      { logicalId: STACK, status: 'ROLLBACK_COMPLETE', reason: 'Rolled back' },
    ]);
  });
});
