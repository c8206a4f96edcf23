import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { stackStatus, statusProblems } from '../../../../src/cli/run/status.js';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys';

describe('stackStatus', () => {
  it('shows a failed execution that ten later ones would push out of the latest', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    const sfn = mockClient(SFNClient);
    mockClient(SNSClient).on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'exposed-keys', StackId: 'id', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    cloudFormation.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'StateMachine',
          PhysicalResourceId: STATE_MACHINE,
          ResourceType: 'AWS::StepFunctions::StateMachine',
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    // Newest first, as ListExecutions answers: ten later runs that succeeded, then the failed incident.
    const all = [
      ...Array.from({ length: 10 }, (_, index) => ({ name: `ok-${index}`, status: 'SUCCEEDED' as const })),
      { name: 'incident', status: 'FAILED' as const },
    ].map((execution, index) => ({
      ...execution,
      executionArn: `${STATE_MACHINE}:${execution.name}`,
      stateMachineArn: STATE_MACHINE,
      startDate: new Date(Date.UTC(2026, 10, 30, 12) - index * 60_000),
    }));
    sfn.on(ListExecutionsCommand).callsFake((input: { maxResults?: number; statusFilter?: string }) => ({
      executions: all
        .filter((execution) => !input.statusFilter || execution.status === input.statusFilter)
        .slice(0, input.maxResults ?? 100),
    }));
    sfn
      .on(DescribeExecutionCommand)
      .callsFake((input: { executionArn: string }) =>
        input.executionArn.endsWith(':incident')
          ? { status: 'FAILED', error: 'KeyNotContained', cause: 'The exposed key was not contained.' }
          : { status: 'SUCCEEDED', output: '{"notification":{"outcome":"already-contained"}}' },
      );

    const status = await stackStatus(
      {
        cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
        sns: new SNSClient({ region: 'us-east-1' }),
        sfn: new SFNClient({ region: 'us-east-1' }),
        sqs: new SQSClient({ region: 'us-east-1' }),
      },
      { stackName: 'exposed-keys', region: 'us-east-1' },
    );

    expect(status.executions).toHaveLength(11);
    expect(status.executions.at(-1)).toMatchObject({ name: 'incident', status: 'FAILED' });
    expect(status.executions.at(-1)?.outcome).toMatch(/KeyNotContained/);
    // A stack older than the dead-letter queue.
    expect(status.undelivered).toBeNull();
  });

  it("reads what the stack's dead-letter queue holds, and says why when it cannot, an answer without a count too", async () => {
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1';
    mockClient(SNSClient).on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'exposed-keys', StackId: 'id', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    cloudFormation.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'UndeliveredQueue',
          PhysicalResourceId: queueUrl,
          ResourceType: 'AWS::SQS::Queue',
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    const sqs = mockClient(SQSClient);
    sqs
      .on(GetQueueAttributesCommand)
      .resolvesOnce({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '1' } })
      .resolvesOnce({ Attributes: {} })
      .rejects(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }));
    const deps = {
      cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
      sns: new SNSClient({ region: 'us-east-1' }),
      sfn: new SFNClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
    };
    const options = { stackName: 'exposed-keys', region: 'us-east-1' };

    const first = await stackStatus(deps, options);
    const countless = await stackStatus(deps, options);
    const second = await stackStatus(deps, options);

    expect(first.undelivered).toEqual({ queueUrl, waiting: 2, inFlight: 1 });
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    });
    expect(countless.undelivered).toEqual({ error: expect.stringMatching(/SQS gave no count of the queue's events/) });
    expect(second.undelivered).toEqual({ error: expect.stringMatching(/sqs:GetQueueAttributes.*denied/) });
  });

  it('reads nothing more of a stack whose first deploy rolled back: its resources are gone', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'exposed-keys', StackId: 'id', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date() },
      ],
    });
    cloudFormation.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'NotificationTopic',
          PhysicalResourceId: 'arn:aws:sns:us-east-1:123456789012:exposed-keys-NotificationTopic-1',
          ResourceType: 'AWS::SNS::Topic',
          ResourceStatus: 'DELETE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    const sns = mockClient(SNSClient);
    sns
      .on(ListSubscriptionsByTopicCommand)
      .rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFound' }));
    const deps = {
      cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
      sns: new SNSClient({ region: 'us-east-1' }),
      sfn: new SFNClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
    };

    const status = await stackStatus(deps, { stackName: 'exposed-keys', region: 'us-east-1' });

    expect(sns).not.toHaveReceivedCommand(ListSubscriptionsByTopicCommand);
    expect(statusProblems(status)).toEqual([
      expect.stringMatching(/^The stack is in ROLLBACK_COMPLETE: its first deploy failed/),
    ]);
  });
});
