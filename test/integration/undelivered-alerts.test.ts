import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { DeadLetterRecord } from '../../src/steps/undelivered.js';
import { artifactHandler } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { publishedEvent, withKey } from '../support/published.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * The dead-letter queue's function from the built artifact, against moto's SQS, SNS and Step
 * Functions: each event EventBridge could not deliver is given to the state machine again and
 * becomes one alert on the e-mail topic. That EventBridge and Scheduler send to the queue at all
 * is AWS's behaviour, which moto does not emulate: a message with EventBridge's documented
 * dead-letter attributes is sent to the queue here, received, and handed to the function in the
 * shape Lambda's SQS event source gives (see test/fixtures/events/published/sqs-lambda-event-aws-docs.json).
 */

const moto = useMoto();
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const EVENT_ID = 'f2b7e2dd-20ce-4a2b-baa8-fe24ed0be19a';

/** A state machine in moto that takes any input, as the stack's. */
async function stateMachine(): Promise<{ sfn: SFNClient; arn: string }> {
  const sfn = new SFNClient({ region: 'us-east-1', endpoint: moto().endpoint });
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: 'exposed-keys',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      roleArn: 'arn:aws:iam::123456789012:role/exposed-keys-StateMachineRole',
    }),
  );
  return { sfn, arn: stateMachineArn as string };
}

/**
 * AWS's published Trusted Advisor event as a dead letter of a rule whose target is `target`: sent to
 * a queue of moto with EventBridge's attributes, and received from it, as the function is given it.
 */
async function deadLetter(target: string) {
  const { sqs } = moto();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'exposed-keys-UndeliveredQueue' }));
  const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const body = JSON.stringify(withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY));
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: body,
      MessageAttributes: {
        RULE_ARN: attribute('arn:aws:events:us-east-1:123456789012:rule/exposed-keys-TrustedAdvisorRule-1'),
        TARGET_ARN: attribute(target),
        ERROR_CODE: attribute('NO_PERMISSIONS'),
        ERROR_MESSAGE: attribute('Not authorized to perform states:StartExecution'),
        RETRY_ATTEMPTS: attribute('0'),
      },
    }),
  );
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
  );
  const [message] = received.Messages ?? [];
  const record: DeadLetterRecord = {
    messageId: message?.MessageId ?? '',
    receiptHandle: message?.ReceiptHandle,
    body: message?.Body ?? '',
    attributes: { ApproximateReceiveCount: message?.Attributes?.ApproximateReceiveCount },
    messageAttributes: Object.fromEntries(
      Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue },
      ]),
    ),
    eventSourceARN: queue.Attributes?.QueueArn,
  };
  return { record, queueUrl: QueueUrl as string, queueArn: queue.Attributes?.QueueArn as string };
}

async function handlerFor(env: { topicArn: string; stateMachineArn: string; queueUrl: string; queueArn: string }) {
  return artifactHandler<{ Records: DeadLetterRecord[] }>('undelivered', {
    AWS_ENDPOINT_URL: moto().endpoint,
    TOPIC_ARN: env.topicArn,
    STATE_MACHINE_ARN: env.stateMachineArn,
    QUEUE_URL: env.queueUrl,
    QUEUE_ARN: env.queueArn,
  });
}

describe('an event the state machine did not receive', () => {
  it('is given to the state machine again, named after the event, and the topic told it started late', async () => {
    const inbox = await topicWithInbox(moto(), 'undelivered');
    const { sfn, arn } = await stateMachine();
    const { record, ...queue } = await deadLetter(arn);
    const handler = await handlerFor({ topicArn: inbox.topicArn, stateMachineArn: arn, ...queue });

    const answer = await handler({ Records: [record] });

    expect(answer).toEqual({ batchItemFailures: [] });
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(executions?.map((execution) => execution.name)).toEqual([`undelivered-${EVENT_ID}`]);
    const started = await sfn.send(new DescribeExecutionCommand({ executionArn: executions?.[0]?.executionArn }));
    expect(JSON.parse(started.input ?? '{}')).toEqual(JSON.parse(record.body));
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toBe(`exposed-keys started late for ${KEY}: check its report`);
    // The key's account (111222333444) is not the queue's (moto's): a member's, as a hub receives it.
    expect(messages[0]?.Message).toContain(`exposed-keys respond --key ${KEY} --account 111222333444`);
    expect(messages[0]?.MessageAttributes?.outcome).toEqual({ Type: 'String', Value: 'started-late' });
  });

  it('is not given to the state machine by an invocation with a receipt handle the queue never gave', async () => {
    const inbox = await topicWithInbox(moto(), 'undelivered');
    const { sfn, arn } = await stateMachine();
    const { record, ...queue } = await deadLetter(arn);
    const handler = await handlerFor({ topicArn: inbox.topicArn, stateMachineArn: arn, ...queue });

    const answer = await handler({ Records: [{ ...record, receiptHandle: 'made-up' }] });

    expect(answer).toEqual({ batchItemFailures: [] });
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(executions).toEqual([]);
    const [message] = await inbox.messages();
    expect(message?.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(message?.Message).toContain('did not start it again: the queue does not know it as received');
  });

  it('is alerted as not started when the state machine is gone', async () => {
    const inbox = await topicWithInbox(moto(), 'undelivered');
    const gone = 'arn:aws:states:us-east-1:123456789012:stateMachine:deleted-by-hand';
    const { record, ...queue } = await deadLetter(gone);
    const handler = await handlerFor({ topicArn: inbox.topicArn, stateMachineArn: gone, ...queue });

    const answer = await handler({ Records: [record] });

    expect(answer).toEqual({ batchItemFailures: [] });
    const [message] = await inbox.messages();
    expect(message?.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(message?.Message).toContain('could not start it again either');
  });

  it('stays on the queue when the topic refuses its alert', async () => {
    const { arn } = await stateMachine();
    const { record, ...queue } = await deadLetter(arn);
    const handler = await handlerFor({
      topicArn: 'arn:aws:sns:us-east-1:123456789012:no-such-topic',
      stateMachineArn: arn,
      ...queue,
    });

    const answer = await handler({ Records: [record] });

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });
});
