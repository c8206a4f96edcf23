import { readFileSync } from 'node:fs';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as messages from '../../../src/message/undelivered-message.js';
import { alertUndelivered, type DeadLetterRecord, type UndeliveredDeps } from '../../../src/steps/undelivered.js';
import { publishedEvent, withKey } from '../../support/published.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys';
const CHAT_TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys-chat';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys';
const FIRST = '059f36b4-87a3-44ab-83d2-661975830a7d';
const SECOND = '2e1424d4-f796-459a-8184-9c92662be6da';
const snsMock = mockClient(SNSClient);
const sfnMock = mockClient(SFNClient);

/**
 * AWS's published SQS → Lambda event (test/fixtures/events/published/SOURCES.md), its bodies
 * replaced by a published Trusted Advisor event and its attributes by EventBridge's documented
 * dead-letter attributes.
 */
function deadLetterRecords(body?: string): DeadLetterRecord[] {
  const url = new URL('../../fixtures/events/published/sqs-lambda-event-aws-docs.json', import.meta.url);
  const { Records } = JSON.parse(readFileSync(url, 'utf8')) as { Records: DeadLetterRecord[] };
  const event = withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY);
  return Records.map((record) => ({
    ...record,
    body: body ?? JSON.stringify(event),
    messageAttributes: {
      RULE_ARN: { stringValue: 'arn:aws:events:us-east-2:123456789012:rule/exposed-keys-TrustedAdvisorRule-1' },
      TARGET_ARN: { stringValue: STATE_MACHINE },
      ERROR_CODE: { stringValue: 'SDK_CLIENT_ERROR' },
      ERROR_MESSAGE: { stringValue: 'Rate exceeded' },
      EXHAUSTED_RETRY_CONDITION: { stringValue: 'MaximumEventAgeInSeconds' },
      RETRY_ATTEMPTS: { stringValue: '12' },
    },
  }));
}

function deps(overrides: Partial<UndeliveredDeps> = {}): UndeliveredDeps {
  return {
    sns: new SNSClient({}),
    topicArn: TOPIC,
    sfn: new SFNClient({}),
    stateMachineArn: STATE_MACHINE,
    ...overrides,
  };
}

function emails() {
  return snsMock.commandCalls(PublishCommand).filter((call) => call.args[0].input.TopicArn === TOPIC);
}

beforeEach(() => {
  snsMock.reset();
  sfnMock.reset();
  vi.restoreAllMocks();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:exposed-keys:${input.name}`,
  }));
});

describe('what the dead-letter queue holds', () => {
  it('is given to the state machine again, once per message, and alerted to the topic as started late', async () => {
    const records = deadLetterRecords();

    const result = await alertUndelivered(deps(), records);

    const starts = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toEqual([
      { stateMachineArn: STATE_MACHINE, name: `undelivered-${FIRST}`, input: records[0]?.body },
      { stateMachineArn: STATE_MACHINE, name: `undelivered-${SECOND}`, input: records[1]?.body },
    ]);
    expect(emails()).toHaveLength(2);
    const input = emails()[0]?.args[0].input;
    expect(input?.Subject).toBe(`exposed-keys started late for ${KEY}: check its report`);
    expect(input?.Message).toContain('SDK_CLIENT_ERROR: Rate exceeded (after 12 retries; MaximumEventAgeInSeconds)');
    expect(input?.Message).toContain(`execution:exposed-keys:undelivered-${FIRST}`);
    expect(input?.MessageAttributes).toEqual({
      source: { DataType: 'String', StringValue: 'trusted-advisor' },
      outcome: { DataType: 'String', StringValue: 'started-late' },
      account: { DataType: 'String', StringValue: '111222333444' },
      accessKeyId: { DataType: 'String', StringValue: KEY },
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes.map((outcome) => outcome.restart.status)).toEqual(['started', 'started']);
  });

  it('counts an execution an earlier delivery of the message started as started', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const result = await alertUndelivered(deps(), deadLetterRecords().slice(0, 1));

    expect(result.outcomes[0]?.restart).toEqual({
      status: 'started',
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:exposed-keys:undelivered-${FIRST}`,
    });
  });

  it('says the response did not start when the state machine cannot be started either', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist' }));

    const result = await alertUndelivered(deps(), deadLetterRecords().slice(0, 1));

    expect(emails()[0]?.args[0].input.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(emails()[0]?.args[0].input.Message).toMatch(
      /could not start it again either \(.*State Machine Does Not Exist/,
    );
    expect(result.batchItemFailures).toEqual([]);
  });

  it('does not give the state machine what exposed-keys cannot read, and still alerts', async () => {
    const result = await alertUndelivered(deps(), deadLetterRecords('{"source":"aws.trustedadvisor"}').slice(0, 1));

    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(result.outcomes[0]?.restart).toEqual({ status: 'not-tried' });
    expect(emails()[0]?.args[0].input.Subject).toBe(
      'ACTION REQUIRED: exposed-keys did not start for an event it was sent',
    );
  });

  it('leaves on the queue only the message whose e-mail SNS refused, and still alerts for the others', async () => {
    snsMock
      .on(PublishCommand, { TopicArn: TOPIC })
      .rejectsOnce(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException' }))
      .resolves({ MessageId: 'm-2' });

    const result = await alertUndelivered(deps(), deadLetterRecords());

    expect(emails()).toHaveLength(2);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: FIRST }]);
    expect(result.outcomes[0]?.error).toMatch(/sns:Publish.*KMS key is disabled/);
    expect(result.outcomes[1]?.subject).toBeDefined();
  });

  it('sends a short alert to the chat topic too, which goes out when the e-mail topic refuses', async () => {
    snsMock
      .on(PublishCommand, { TopicArn: TOPIC })
      .rejects(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException' }));

    const result = await alertUndelivered(deps({ chatTopicArn: CHAT_TOPIC }), deadLetterRecords().slice(0, 1));

    const chat = snsMock.commandCalls(PublishCommand).find((call) => call.args[0].input.TopicArn === CHAT_TOPIC);
    const notification = JSON.parse(chat?.args[0].input.Message ?? '{}');
    expect(notification).toMatchObject({ version: '1.0', source: 'custom', metadata: { threadId: KEY } });
    expect(result.outcomes[0]).toMatchObject({ chat: 'sent', error: expect.stringMatching(/KMS key is disabled/) });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: FIRST }]);
  });

  it('sends a fixed alert when the message cannot be described', async () => {
    vi.spyOn(messages, 'undeliveredContent').mockImplementation(() => {
      throw new Error('a defect');
    });

    const result = await alertUndelivered(deps(), deadLetterRecords().slice(0, 1));

    expect(result.outcomes[0]).toMatchObject({ fallback: true, restart: { status: 'not-tried' } });
    expect(emails()[0]?.args[0].input.Message).toContain(FIRST);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('leaves out --account for a key of the account the queue is in', async () => {
    const [record] = deadLetterRecords() as [DeadLetterRecord];

    await alertUndelivered(deps(), [
      { ...record, eventSourceARN: 'arn:aws:sqs:us-east-1:111222333444:exposed-keys-UndeliveredQueue' },
    ]);

    const message = emails()[0]?.args[0].input.Message ?? '';
    expect(message).toContain(`exposed-keys respond --key ${KEY}\n`);
    expect(message).not.toContain('--account');
  });
});
