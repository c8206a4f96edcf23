import { readFileSync } from 'node:fs';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as messages from '../../../src/message/undelivered-message.js';
import { alertUndelivered, type DeadLetterRecord } from '../../../src/steps/undelivered.js';
import {
  type DeadLetterQueue,
  EVENT_KEY,
  STATE_MACHINE_ARN,
  TOPIC_ARN,
  trustedAdvisorEvent,
  undeliveredDeps,
} from '../../support/undelivered.js';

const CHAT_TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys-chat';
/** The queue of the published SQS event. */
const QUEUE: DeadLetterQueue = {
  arn: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
  url: 'https://sqs.us-east-2.amazonaws.com/123456789012/my-queue',
};
/** The id of AWS's published Trusted Advisor event. */
const EVENT_ID = 'f2b7e2dd-20ce-4a2b-baa8-fe24ed0be19a';
const FIRST = '059f36b4-87a3-44ab-83d2-661975830a7d';
const snsMock = mockClient(SNSClient);
const sfnMock = mockClient(SFNClient);
const sqsMock = mockClient(SQSClient);

/**
 * AWS's published SQS → Lambda event (test/fixtures/events/published/SOURCES.md), its bodies
 * replaced by a published Trusted Advisor event and its attributes by EventBridge's documented
 * dead-letter attributes.
 */
function deadLetterRecords(body?: string): DeadLetterRecord[] {
  const url = new URL('../../fixtures/events/published/sqs-lambda-event-aws-docs.json', import.meta.url);
  const { Records } = JSON.parse(readFileSync(url, 'utf8')) as { Records: DeadLetterRecord[] };
  return Records.map((record) => ({
    ...record,
    body: body ?? JSON.stringify(trustedAdvisorEvent()),
    messageAttributes: {
      RULE_ARN: { stringValue: 'arn:aws:events:us-east-2:123456789012:rule/exposed-keys-TrustedAdvisorRule-1' },
      TARGET_ARN: { stringValue: STATE_MACHINE_ARN },
      ERROR_CODE: { stringValue: 'SDK_CLIENT_ERROR' },
      ERROR_MESSAGE: { stringValue: 'Rate exceeded' },
      EXHAUSTED_RETRY_CONDITION: { stringValue: 'MaximumEventAgeInSeconds' },
      RETRY_ATTEMPTS: { stringValue: '12' },
    },
  }));
}

function emails() {
  return snsMock.commandCalls(PublishCommand).filter((call) => call.args[0].input.TopicArn === TOPIC_ARN);
}

beforeEach(() => {
  snsMock.reset();
  sfnMock.reset();
  sqsMock.reset();
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  vi.restoreAllMocks();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:exposed-keys:${input.name}`,
  }));
});

describe('what the dead-letter queue holds', () => {
  it('is given to the state machine again, named after the event, and alerted to the topic as started late', async () => {
    const records = deadLetterRecords();

    const result = await alertUndelivered(undeliveredDeps(QUEUE), records);

    // The same event in two messages: one name, so that Step Functions starts it once.
    const starts = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: `undelivered-${EVENT_ID}`, input: records[0]?.body },
      { stateMachineArn: STATE_MACHINE_ARN, name: `undelivered-${EVENT_ID}`, input: records[1]?.body },
    ]);
    // Each proved received from the queue first, by its receipt handle.
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual(
      records.map((record) => ({ QueueUrl: QUEUE.url, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 360 })),
    );
    expect(emails()).toHaveLength(2);
    const input = emails()[0]?.args[0].input;
    expect(input?.Subject).toBe(`exposed-keys started late for ${EVENT_KEY}: check its report`);
    expect(input?.Message).toContain('SDK_CLIENT_ERROR: Rate exceeded (after 12 retries; MaximumEventAgeInSeconds)');
    expect(input?.Message).toContain(`execution:exposed-keys:undelivered-${EVENT_ID}`);
    expect(input?.MessageAttributes).toEqual({
      source: { DataType: 'String', StringValue: 'trusted-advisor' },
      outcome: { DataType: 'String', StringValue: 'started-late' },
      account: { DataType: 'String', StringValue: '111222333444' },
      accessKeyId: { DataType: 'String', StringValue: EVENT_KEY },
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes.map((outcome) => outcome.restart.status)).toEqual(['started', 'started']);
  });

  it('counts an execution an earlier delivery of the message started as started', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords().slice(0, 1));

    expect(result.outcomes[0]?.restart).toEqual({
      status: 'started',
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:exposed-keys:undelivered-${EVENT_ID}`,
    });
  });

  it('says the response did not start when the state machine cannot be started either', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist' }));

    const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords().slice(0, 1));

    expect(emails()[0]?.args[0].input.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${EVENT_KEY}`);
    expect(emails()[0]?.args[0].input.Message).toMatch(
      /could not start it again either \(.*State Machine Does Not Exist/,
    );
    expect(result.batchItemFailures).toEqual([]);
  });

  it('keeps a message whose start was throttled, to start it again when it comes back, and says so in the alert', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    sfnMock.on(StartExecutionCommand).rejects(throttled);
    const [record] = deadLetterRecords() as [DeadLetterRecord];
    const received = (count: number) => ({
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: String(count) },
    });

    const first = await alertUndelivered(undeliveredDeps(QUEUE), [received(1)]);
    const third = await alertUndelivered(undeliveredDeps(QUEUE), [received(3)]);
    const last = await alertUndelivered(undeliveredDeps(QUEUE), [received(4)]);

    expect(first.outcomes[0]?.restart).toMatchObject({ status: 'failed', again: { afterMinutes: 6, triesLeft: 3 } });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(emails()[0]?.args[0].input.Message).toMatch(/It tries again in 6 minutes \(up to 3 more times\)/);
    expect(third.outcomes[0]?.restart).toMatchObject({ again: { triesLeft: 1 } });
    expect(emails()[1]?.args[0].input.Message).toMatch(/It tries again in 6 minutes \(once more\)/);
    expect(third.batchItemFailures).toHaveLength(1);
    // The fourth start failed too: the alert says nothing will be tried again, and the message goes.
    expect(last.outcomes[0]?.restart).not.toHaveProperty('again');
    expect(emails()[2]?.args[0].input.Message).not.toMatch(/tries again/);
    expect(last.batchItemFailures).toEqual([]);
  });

  it('starts a kept message once its start no longer fails, and lets it go', async () => {
    const [record] = deadLetterRecords() as [DeadLetterRecord];

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [
      { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } },
    ]);

    expect(result.outcomes[0]?.restart.status).toBe('started');
    expect(result.batchItemFailures).toEqual([]);
  });

  it('tries no start again after a failure that will not pass (no such state machine, access denied)', async () => {
    for (const name of ['StateMachineDoesNotExist', 'AccessDeniedException']) {
      sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error(name), { name, $fault: 'client' }));

      const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords().slice(0, 1));

      expect(result.outcomes[0]?.restart).not.toHaveProperty('again');
      expect(result.batchItemFailures).toEqual([]);
    }
  });

  it('gives the state machine nothing that is not a dead letter of the stack received from its queue, and still alerts', async () => {
    const [record] = deadLetterRecords() as [DeadLetterRecord];
    const attributes = record.messageAttributes ?? {};
    const { ERROR_CODE: _code, ...noErrorCode } = attributes;
    const cases: [string, DeadLetterRecord, RegExp][] = [
      [
        'another queue',
        { ...record, eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:other' },
        /did not come from the stack's dead-letter queue/,
      ],
      [
        'no dead-letter attributes',
        { ...record, messageAttributes: noErrorCode },
        /not an event EventBridge or a schedule gave up/,
      ],
      [
        'another target',
        { ...record, messageAttributes: { ...attributes, TARGET_ARN: { stringValue: `${STATE_MACHINE_ARN}-other` } } },
        /not an event EventBridge or a schedule gave up/,
      ],
      [
        'a receipt handle the queue does not know',
        { ...record, receiptHandle: 'made-up' },
        /the queue does not know it as received/,
      ],
    ];
    sqsMock
      .on(ChangeMessageVisibilityCommand, { ReceiptHandle: 'made-up' })
      .rejects(Object.assign(new Error('The receipt handle is not valid'), { name: 'ReceiptHandleIsInvalid' }));

    for (const [name, forged, reason] of cases) {
      snsMock.resetHistory();
      const result = await alertUndelivered(undeliveredDeps(QUEUE), [forged]);

      expect(result.outcomes[0]?.restart, name).toEqual({ status: 'not-tried', reason: expect.stringMatching(reason) });
      expect(emails()[0]?.args[0].input.Message, name).toMatch(/did not start it again: /);
    }
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('does not give the state machine what exposed-keys cannot read, and still alerts', async () => {
    const result = await alertUndelivered(
      undeliveredDeps(QUEUE),
      deadLetterRecords('{"source":"aws.trustedadvisor"}').slice(0, 1),
    );

    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(result.outcomes[0]?.restart).toEqual({ status: 'not-tried', reason: expect.stringMatching(/cannot read/) });
    expect(emails()[0]?.args[0].input.Subject).toBe(
      'ACTION REQUIRED: exposed-keys did not start for an event it was sent',
    );
  });

  it('leaves on the queue only the message whose alerts SNS refused, full and fixed, and still alerts for the others', async () => {
    const refused = Object.assign(new Error('Invalid parameter: Message'), { name: 'InvalidParameterException' });
    snsMock
      .on(PublishCommand, { TopicArn: TOPIC_ARN })
      .rejectsOnce(refused)
      .rejectsOnce(refused)
      .resolves({ MessageId: 'm-2' });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords());

    expect(emails()).toHaveLength(3);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: FIRST }]);
    expect(result.outcomes[0]?.error).toMatch(
      /sns:Publish.*Invalid parameter.*\(the full alert was refused too: .*Invalid parameter/,
    );
    expect(result.outcomes[1]?.subject).toBeDefined();
  });

  it('leaves the message on the queue, to be alerted whole later, when SNS fails for a while or refuses everything', async () => {
    for (const name of ['ThrottledException', 'KMSDisabledException', 'InternalErrorException']) {
      snsMock.reset();
      snsMock.on(PublishCommand, { TopicArn: TOPIC_ARN }).rejects(Object.assign(new Error(name), { name }));

      const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords().slice(0, 1));

      expect(emails(), name).toHaveLength(1);
      expect(result.outcomes[0], name).not.toHaveProperty('fallback');
      expect(result.batchItemFailures, name).toEqual([{ itemIdentifier: FIRST }]);
    }
  });

  it('sends the fixed alert when SNS refuses the full one, and takes the message off the queue', async () => {
    snsMock
      .on(PublishCommand, { TopicArn: TOPIC_ARN })
      .rejectsOnce(
        Object.assign(new Error('Invalid parameter: Message too long'), { name: 'InvalidParameterException' }),
      )
      .resolves({ MessageId: 'm-2' });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords().slice(0, 1));

    expect(emails()).toHaveLength(2);
    expect(emails()[1]?.args[0].input.Subject).toBe(
      'exposed-keys started late for an event it was sent: check its report',
    );
    expect(emails()[1]?.args[0].input.Message).toContain('SNS refused the alert that described it');
    expect(emails()[1]?.args[0].input.Message).toContain(FIRST);
    expect(result.outcomes[0]).toMatchObject({
      fallback: true,
      fullAlertRefused: expect.stringMatching(/Message too long/),
      subject: 'exposed-keys started late for an event it was sent: check its report',
    });
    expect(result.outcomes[0]).not.toHaveProperty('error');
    expect(result.batchItemFailures).toEqual([]);
  });

  it('sends a short alert to the chat topic too, which goes out when the e-mail topic refuses', async () => {
    snsMock
      .on(PublishCommand, { TopicArn: TOPIC_ARN })
      .rejects(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException' }));

    const result = await alertUndelivered(
      undeliveredDeps(QUEUE, { chatTopicArn: CHAT_TOPIC }),
      deadLetterRecords().slice(0, 1),
    );

    const chat = snsMock.commandCalls(PublishCommand).find((call) => call.args[0].input.TopicArn === CHAT_TOPIC);
    const notification = JSON.parse(chat?.args[0].input.Message ?? '{}');
    expect(notification).toMatchObject({ version: '1.0', source: 'custom', metadata: { threadId: EVENT_KEY } });
    expect(result.outcomes[0]).toMatchObject({ chat: 'sent', error: expect.stringMatching(/KMS key is disabled/) });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: FIRST }]);
  });

  it('posts to chat on the 1st, 2nd, 4th, 8th… receive of a message, not each time it comes back', async () => {
    const [record] = deadLetterRecords() as [DeadLetterRecord];
    const received = (count: number) => ({
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: String(count) },
    });
    const chats: number[] = [];

    for (let count = 1; count <= 40; count += 1) {
      const result = await alertUndelivered(undeliveredDeps(QUEUE, { chatTopicArn: CHAT_TOPIC }), [received(count)]);
      if (result.outcomes[0]?.chat === 'sent') chats.push(count);
    }

    expect(chats).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('tries the chat again on a later receive when it failed the first time, and says why it failed', async () => {
    const [record] = deadLetterRecords() as [DeadLetterRecord];
    snsMock
      .on(PublishCommand, { TopicArn: TOPIC_ARN })
      .rejects(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException' }));
    snsMock
      .on(PublishCommand, { TopicArn: CHAT_TOPIC })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ MessageId: 'chat-1' });

    const first = await alertUndelivered(undeliveredDeps(QUEUE, { chatTopicArn: CHAT_TOPIC }), [record]);
    const second = await alertUndelivered(undeliveredDeps(QUEUE, { chatTopicArn: CHAT_TOPIC }), [
      { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } },
    ]);

    expect(first.outcomes[0]).toMatchObject({ chat: 'failed', chatError: expect.stringMatching(/Throttling/) });
    expect(second.outcomes[0]).toMatchObject({ chat: 'sent' });
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  it('sends a fixed alert when the message cannot be described', async () => {
    vi.spyOn(messages, 'undeliveredContent').mockImplementation(() => {
      throw new Error('a defect');
    });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), deadLetterRecords().slice(0, 1));

    expect(result.outcomes[0]).toMatchObject({ fallback: true, restart: { status: 'not-tried' } });
    expect(emails()[0]?.args[0].input.Subject).toBe(
      'ACTION REQUIRED: exposed-keys did not start for an event it was sent',
    );
    expect(emails()[0]?.args[0].input.Message).toContain(FIRST);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('leaves out --account for a key of the account the queue is in', async () => {
    const [record] = deadLetterRecords() as [DeadLetterRecord];

    await alertUndelivered(undeliveredDeps(QUEUE), [
      { ...record, eventSourceARN: 'arn:aws:sqs:us-east-1:111222333444:exposed-keys-UndeliveredQueue' },
    ]);

    const message = emails()[0]?.args[0].input.Message ?? '';
    expect(message).toContain(`exposed-keys respond --key ${EVENT_KEY}\n`);
    expect(message).not.toContain('--account');
  });
});

describe('the time the function has', () => {
  /** A client whose every call hangs until it is abandoned. */
  function hanging() {
    return {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
          );
        }),
    };
  }

  it('keeps time for the e-mail when the restart and the chat hang, and ends every call by the deadline', async () => {
    const published: string[] = [];
    const sns = {
      send: (command: PublishCommand, options?: { abortSignal?: AbortSignal }) =>
        command.input.TopicArn === CHAT_TOPIC
          ? hanging().send(command, options)
          : Promise.resolve(published.push(command.input.TopicArn as string)).then(() => ({ MessageId: 'm-1' })),
    };
    const started = Date.now();

    const result = await alertUndelivered(
      undeliveredDeps(QUEUE, {
        sns: sns as never,
        sfn: hanging() as never,
        sqs: { send: async () => ({}) } as never,
        chatTopicArn: CHAT_TOPIC,
        queueArn: deadLetterRecords()[0]?.eventSourceARN as string,
        deadline: started + 2_000,
      }),
      deadLetterRecords().slice(0, 1),
    );

    expect(Date.now() - started).toBeLessThan(2_000);
    const [outcome] = result.outcomes;
    expect(outcome?.restart).toMatchObject({ status: 'failed', error: expect.stringMatching(/states:StartExecution/) });
    expect(outcome?.chat).toBe('failed');
    expect(published).toEqual([TOPIC_ARN]);
    // A start abandoned at its deadline may pass: the message is kept, to start it again.
    expect(outcome?.restart).toMatchObject({ again: { triesLeft: 3 } });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: outcome?.messageId }]);
  });

  it('ends by the deadline when the e-mail hangs too, the message kept on the queue', async () => {
    const started = Date.now();

    const result = await alertUndelivered(
      undeliveredDeps(QUEUE, {
        sns: hanging() as never,
        sfn: hanging() as never,
        sqs: hanging() as never,
        deadline: started + 1_000,
      }),
      deadLetterRecords().slice(0, 1),
    );

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(result.outcomes[0]?.error).toMatch(/sns:Publish/);
  });
});
