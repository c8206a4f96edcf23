import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeStack } from '../../../src/deploy/stack-description.js';
import { AwsCallError } from '../../../src/errors.js';

const STACK = 'exposed-keys';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1';
const cloudFormationMock = mockClient(CloudFormationClient);
const cloudFormation = () => new CloudFormationClient({ region: 'us-east-1' });

beforeEach(() => {
  cloudFormationMock.reset();
});

describe('describeStack', () => {
  it("gives the stack's status, resources, outputs and parameters", async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'UPDATE_ROLLBACK_COMPLETE',
          StackStatusReason: 'The following resource(s) failed to update: [Topic].',
          CreationTime: new Date('2026-11-27T03:00:00Z'),
          LastUpdatedTime: new Date('2026-11-27T04:00:00Z'),
          Outputs: [{ OutputKey: 'TopicArn', OutputValue: 'arn:aws:sns:us-east-1:123456789012:t' }],
          Parameters: [
            { ParameterKey: 'ContainmentMode', ParameterValue: 'delete' },
            { ParameterKey: 'NotificationEmail', ParameterValue: '' },
          ],
        },
      ],
    });
    cloudFormationMock.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'Topic',
          ResourceType: 'AWS::SNS::Topic',
          ResourceStatus: 'UPDATE_COMPLETE',
          Timestamp: new Date(),
        },
        {
          LogicalResourceId: 'ContainFunction',
          PhysicalResourceId: 'exposed-keys-ContainFunction-1',
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'UPDATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });

    const description = await describeStack(cloudFormation(), STACK);

    expect(description).toMatchObject({
      stackName: STACK,
      stackId: STACK_ID,
      status: 'UPDATE_ROLLBACK_COMPLETE',
      state: 'rolled-back',
      statusReason: 'The following resource(s) failed to update: [Topic].',
      outputs: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:t' },
      parameters: { ContainmentMode: 'delete', NotificationEmail: '' },
    });
    expect(description?.resources.map((resource) => [resource.logicalId, resource.physicalId])).toEqual([
      ['ContainFunction', 'exposed-keys-ContainFunction-1'],
      ['Topic', undefined],
    ]);
    expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeStackResourcesCommand, { StackName: STACK_ID });
  });

  it('gives undefined for a stack that does not exist', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `Stack with id ${STACK} does not exist`,
      }),
    );

    expect(await describeStack(cloudFormation(), STACK)).toBeUndefined();
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeStackResourcesCommand);
  });

  it('turns any other failure into a typed AWS error', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not allowed',
      }),
    );

    await expect(describeStack(cloudFormation(), STACK)).rejects.toBeInstanceOf(AwsCallError);
  });
});
