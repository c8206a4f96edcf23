import { PublishCommand } from '@aws-sdk/client-sns';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { SnsClient } from '../aws/narrow-clients.js';
import { describeError } from '../errors.js';
import { undeliveredAlert } from '../message/undelivered-message.js';
import { stringAttributes } from './notify.js';

/** One message of the dead-letter queue as Lambda's SQS event source hands it over. */
export interface DeadLetterRecord {
  messageId: string;
  body: string;
  messageAttributes?: Record<string, { stringValue?: string } | undefined>;
  /** The queue's ARN, whose account is the stack's. */
  eventSourceARN?: string;
}

/** What {@link alertUndelivered} needs. */
export interface UndeliveredDeps {
  sns: SnsClient;
  topicArn: string;
}

/** What became of a batch: the messages to receive again, and why each failed. */
export interface UndeliveredResult {
  /** Lambda's partial batch response: the messages left on the queue, to be tried again. */
  batchItemFailures: { itemIdentifier: string }[];
  published: { messageId: string; subject: string }[];
  failed: { messageId: string; error: string }[];
}

function attributesOf(record: DeadLetterRecord): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(record.messageAttributes ?? {}).map(([name, value]) => [name, value?.stringValue]),
  );
}

function accountOfQueue(arn: string | undefined): string | null {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : null;
}

/**
 * Publishes one alert to the e-mail topic for each event EventBridge or EventBridge Scheduler could
 * not deliver to the state machine (see undelivered-message.ts). A message whose alert SNS refuses
 * stays on the queue, to be received and tried again: it is never dropped here.
 */
export async function alertUndelivered(
  deps: UndeliveredDeps,
  records: readonly DeadLetterRecord[],
): Promise<UndeliveredResult> {
  const result: UndeliveredResult = { batchItemFailures: [], published: [], failed: [] };
  for (const record of records) {
    const alert = undeliveredAlert({
      body: typeof record.body === 'string' ? record.body : '',
      attributes: attributesOf(record),
      stackAccount: accountOfQueue(record.eventSourceARN),
    });
    try {
      await deps.sns.send(
        new PublishCommand({
          TopicArn: deps.topicArn,
          Subject: alert.subject,
          Message: alert.message,
          MessageAttributes: stringAttributes(alert.attributes),
        }),
      );
      result.published.push({ messageId: record.messageId, subject: alert.subject });
    } catch (error) {
      result.batchItemFailures.push({ itemIdentifier: record.messageId });
      result.failed.push({ messageId: record.messageId, error: describeError(toAwsCallError('sns:Publish', error)) });
    }
  }
  return result;
}
