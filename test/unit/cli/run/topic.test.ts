import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { GetTopicAttributesCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { resolveTopic } from '../../../../src/cli/run/topic.js';
import { InvalidInputError } from '../../../../src/errors.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const snsMock = mockClient(SNSClient);
const STACK_TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys-NotificationTopic-1';
const GIVEN = 'arn:aws:sns:eu-west-1:123456789012:security';

beforeEach(() => {
  cloudFormationMock.reset();
  snsMock.reset();
});

const clients = () => new AwsClients({ region: 'us-east-1' });

describe('resolveTopic', () => {
  it("uses the deployed stack's topic when none is given, without checking it", async () => {
    cloudFormationMock.on(DescribeStackResourcesCommand, { StackName: 'exposed-keys' }).resolves({
      StackResources: [
        { LogicalResourceId: 'NotifyFunction', PhysicalResourceId: 'exposed-keys-notify' } as never,
        { LogicalResourceId: 'StateMachine', PhysicalResourceId: 'arn:aws:states:us-east-1:1:stateMachine:x' } as never,
        { LogicalResourceId: 'NotificationTopic', PhysicalResourceId: STACK_TOPIC } as never,
      ],
    });

    const topic = await resolveTopic(clients(), { stackName: 'exposed-keys' });

    expect(topic.topicArn).toBe(STACK_TOPIC);
    expect(topic.sns).toBeDefined();
    expect(snsMock).not.toHaveReceivedCommand(GetTopicAttributesCommand);
  });

  it('gives no topic when there is no stack, so that the message is printed', async () => {
    cloudFormationMock.on(DescribeStackResourcesCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: {},
        message: 'Stack with id exposed-keys does not exist',
      }),
    );

    expect(await resolveTopic(clients(), { stackName: 'exposed-keys' })).toEqual({});
  });

  it("checks a topic given, with a client of the topic's own region", async () => {
    snsMock.on(GetTopicAttributesCommand).resolves({ Attributes: {} });

    const topic = await resolveTopic(clients(), { topicArn: GIVEN, stackName: 'exposed-keys' });

    expect(topic).toMatchObject({ topicArn: GIVEN });
    expect(await (topic.sns as SNSClient).config.region()).toBe('eu-west-1');
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeStackResourcesCommand);
  });

  it('refuses a topic that does not exist, and only warns when SNS does not answer', async () => {
    snsMock
      .on(GetTopicAttributesCommand)
      .rejectsOnce(new SNSServiceException({ name: 'NotFound', $fault: 'client', $metadata: {}, message: 'nope' }))
      .rejects(new SNSServiceException({ name: 'InternalError', $fault: 'server', $metadata: {}, message: 'down' }));

    await expect(resolveTopic(clients(), { topicArn: GIVEN, stackName: 'x' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect((await resolveTopic(clients(), { topicArn: GIVEN, stackName: 'x' })).warning).toMatch(
      /Could not check the topic .*InternalError/,
    );
  });
});
