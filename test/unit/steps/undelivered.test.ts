import { readFileSync } from 'node:fs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { alertUndelivered, type DeadLetterRecord } from '../../../src/steps/undelivered.js';
import { publishedEvent, withKey } from '../../support/published.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys';
const snsMock = mockClient(SNSClient);

/**
 * AWS's published SQS → Lambda event (test/fixtures/events/published/SOURCES.md), its bodies
 * replaced by a published Trusted Advisor event and its attributes by EventBridge's documented
 * dead-letter attributes.
 */
function deadLetterRecords(): DeadLetterRecord[] {
  const url = new URL('../../fixtures/events/published/sqs-lambda-event-aws-docs.json', import.meta.url);
  const { Records } = JSON.parse(readFileSync(url, 'utf8')) as { Records: DeadLetterRecord[] };
  const event = withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY);
  return Records.map((record) => ({
    ...record,
    body: JSON.stringify(event),
    messageAttributes: {
      RULE_ARN: { stringValue: 'arn:aws:events:us-east-2:123456789012:rule/exposed-keys-TrustedAdvisorRule-1' },
      TARGET_ARN: { stringValue: 'arn:aws:states:us-east-2:123456789012:stateMachine:exposed-keys' },
      ERROR_CODE: { stringValue: 'SDK_CLIENT_ERROR' },
      ERROR_MESSAGE: { stringValue: 'Rate exceeded' },
      EXHAUSTED_RETRY_CONDITION: { stringValue: 'MaximumEventAgeInSeconds' },
      RETRY_ATTEMPTS: { stringValue: '12' },
    },
  }));
}

beforeEach(() => {
  snsMock.reset();
});

describe('alerting on what the dead-letter queue holds', () => {
  it('publishes one alert to the topic for each message, with the attributes of incident reports', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await alertUndelivered({ sns: new SNSClient({}), topicArn: TOPIC }, deadLetterRecords());

    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(input?.Message).toContain('SDK_CLIENT_ERROR: Rate exceeded (after 12 retries; MaximumEventAgeInSeconds)');
    expect(input?.MessageAttributes).toEqual({
      source: { DataType: 'String', StringValue: 'dead-letter-queue' },
      outcome: { DataType: 'String', StringValue: 'not-started' },
      account: { DataType: 'String', StringValue: '111222333444' },
      accessKeyId: { DataType: 'String', StringValue: KEY },
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(result.published.map((sent) => sent.messageId)).toEqual([
      '059f36b4-87a3-44ab-83d2-661975830a7d',
      '2e1424d4-f796-459a-8184-9c92662be6da',
    ]);
  });

  it('leaves on the queue only the message whose alert SNS refused, and still alerts for the others', async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException' }))
      .resolves({ MessageId: 'm-2' });

    const result = await alertUndelivered({ sns: new SNSClient({}), topicArn: TOPIC }, deadLetterRecords());

    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '059f36b4-87a3-44ab-83d2-661975830a7d' }]);
    expect(result.failed[0]?.error).toMatch(/sns:Publish.*KMS key is disabled/);
    expect(result.published.map((sent) => sent.messageId)).toEqual(['2e1424d4-f796-459a-8184-9c92662be6da']);
  });

  it('names the key of the account the queue is in without --account, from the queue ARN', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const [record] = deadLetterRecords() as [DeadLetterRecord];

    await alertUndelivered({ sns: new SNSClient({}), topicArn: TOPIC }, [
      { ...record, eventSourceARN: 'arn:aws:sqs:us-east-1:111222333444:exposed-keys-UndeliveredQueue' },
    ]);

    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain(`exposed-keys respond --key ${KEY}\n`);
    expect(message).not.toContain('--account');
  });
});
