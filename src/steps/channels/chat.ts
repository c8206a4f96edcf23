import { PublishCommand } from '@aws-sdk/client-sns';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { SnsClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import type { CustomNotification } from '../../message/chat.js';

/** How a chat delivery went; a failure is reported, never thrown (the e-mail is the record). */
export type ChatOutcome = { status: 'sent'; messageId: string } | { status: 'failed'; error: string };

/**
 * Publishes a custom notification to the chat topic, as its JSON body: what Amazon Q Developer in
 * chat applications reads from a topic its channel configuration subscribes to.
 */
export async function publishChat(
  sns: SnsClient,
  topicArn: string,
  notification: CustomNotification,
): Promise<ChatOutcome> {
  try {
    const answer = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(notification) }));
    return { status: 'sent', messageId: answer.MessageId ?? '' };
  } catch (error) {
    return { status: 'failed', error: describeError(toAwsCallError('sns:Publish', error)) };
  }
}
