import { PublishCommand } from '@aws-sdk/client-sns';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { SnsClient } from '../aws/narrow-clients.js';
import { describeError, NotificationError } from '../errors.js';
import { buildNotification, buildPlainNotification, type Notification } from '../message/email.js';
import type { IncidentOutcome, IncidentReport } from './incident-outcome.js';

/** What {@link notifySecurity} needs. */
export interface NotifyDeps {
  sns: SnsClient;
}

/** Input of {@link notifySecurity}: the incident report and where to send it. */
export interface NotifyInput extends IncidentReport {
  topicArn: string;
}

/** What was sent. */
export interface NotificationResult {
  messageId: string;
  topicArn: string;
  subject: string;
  outcome: IncidentOutcome;
  bytes: number;
  tablesTruncated: boolean;
  /** Why SNS refused the full message, when the plain message went out instead. */
  fullMessageRefused?: string;
}

/**
 * Publishes one e-mail message to `topicArn`: its subject, its text, and its attributes as SNS
 * String attributes (which subscription filter policies read). Answers SNS's message id.
 */
export async function publishEmail(
  sns: SnsClient,
  topicArn: string,
  email: Pick<Notification, 'subject' | 'message' | 'attributes'>,
): Promise<string> {
  const answer = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: email.subject,
      Message: email.message,
      MessageAttributes: Object.fromEntries(
        Object.entries(email.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    }),
  );
  return answer.MessageId ?? '';
}

/**
 * Publishes the incident's one SNS message: what happened, what was done, every failure, what a
 * human must do now, and the activity summary. Message attributes carry source, outcome and account.
 * When SNS refuses the message, the plain message (the same facts without the activity tables) is
 * published instead, so that an alert goes out whatever the activity held.
 *
 * @throws NotificationError when SNS accepts neither (after the client's retries).
 */
export async function notifySecurity(deps: NotifyDeps, input: NotifyInput): Promise<NotificationResult> {
  const full = buildNotification(input);
  let notification = full;
  let messageId: string;
  let refusal: string | undefined;
  try {
    messageId = await publishEmail(deps.sns, input.topicArn, full);
  } catch (error) {
    refusal = describeError(toAwsCallError('sns:Publish', error));
    notification = buildPlainNotification(input);
    try {
      messageId = await publishEmail(deps.sns, input.topicArn, notification);
    } catch (again) {
      const cause = toAwsCallError('sns:Publish', again);
      throw new NotificationError(
        `Could not publish the notification to ${input.topicArn}: ${describeError(cause)} (the full message was refused too: ${refusal})`,
        { cause, hint: 'Check that the topic exists and that its KMS key lets the caller publish.' },
      );
    }
  }
  return {
    messageId,
    topicArn: input.topicArn,
    subject: notification.subject,
    outcome: notification.outcome,
    bytes: Buffer.byteLength(notification.message, 'utf8'),
    tablesTruncated: notification.tablesTruncated,
    ...(refusal ? { fullMessageRefused: refusal } : {}),
  };
}
