import { PublishCommand } from '@aws-sdk/client-sns';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { SnsClient } from '../aws/narrow-clients.js';
import { describeError, NotificationError } from '../errors.js';
import type { IncidentOutcome, IncidentReport } from './incident-outcome.js';
import { buildNotification } from './notification-message.js';

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
}

/**
 * Publishes the incident's one SNS message: what happened, what was done, every failure, what a
 * human must do now, and the activity summary. Message attributes carry source, outcome and account.
 *
 * @throws NotificationError when SNS does not accept the message (after the client's retries).
 */
export async function notifySecurity(deps: NotifyDeps, input: NotifyInput): Promise<NotificationResult> {
  const notification = buildNotification(input);
  try {
    const answer = await deps.sns.send(
      new PublishCommand({
        TopicArn: input.topicArn,
        Subject: notification.subject,
        Message: notification.message,
        MessageAttributes: Object.fromEntries(
          Object.entries(notification.attributes).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      }),
    );
    return {
      messageId: answer.MessageId ?? '',
      topicArn: input.topicArn,
      subject: notification.subject,
      outcome: notification.outcome,
      bytes: Buffer.byteLength(notification.message, 'utf8'),
      tablesTruncated: notification.tablesTruncated,
    };
  } catch (error) {
    const cause = toAwsCallError('sns:Publish', error);
    throw new NotificationError(`Could not publish the notification to ${input.topicArn}: ${describeError(cause)}`, {
      cause,
      hint: 'Check that the topic exists and that its KMS key lets the caller publish.',
    });
  }
}
