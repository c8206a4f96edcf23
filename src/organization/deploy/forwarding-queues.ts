import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { SqsApi } from '../../aws/narrow-clients.js';
import { forEachConcurrently } from '../../common/bounded-concurrency.js';
import { describeError } from '../../errors.js';

const SUFFIX = '-undelivered';
/** SQS's longest queue name. */
const MAX_QUEUE_NAME = 80;
/** Accounts read at once: each is one AssumeRole and two SQS calls. */
const CONCURRENCY = 8;

/**
 * The queue, in each member account, that keeps the events its rules could not forward to the
 * hub (cloudformation/member.yaml): named after the StackSet, so that two StackSets in one
 * organisation keep theirs apart and `status --org` finds it from the StackSet's name alone. A
 * StackSet's name (letters, digits, hyphens) is a valid queue name; it is cut to fit SQS's 80.
 */
export function undeliveredQueueName(stackSetName: string): string {
  return `${stackSetName.slice(0, MAX_QUEUE_NAME - SUFFIX.length)}${SUFFIX}`;
}

/** What waits, account by account, in the members' queues of events not forwarded. */
export interface ForwardingQueues {
  queueName: string;
  /** Accounts whose queue was read and was empty. */
  empty: string[];
  /** Accounts whose queue holds events (visible, or being read), with how many. */
  waiting: { accountId: string; messages: number }[];
  /** Accounts whose queue could not be read, with the reason. */
  unread: { accountId: string; reason: string }[];
}

/**
 * Counts, in each account, the events its forwarding rules could not deliver to the hub. Never
 * throws for an account: one whose role cannot be assumed, or whose queue is missing or
 * unreadable, is `unread` with the reason, so that no account is taken for empty unread.
 */
export async function forwardingQueues(
  sqsIn: (accountId: string) => Promise<SqsApi>,
  input: { accountIds: readonly string[]; queueName: string },
): Promise<ForwardingQueues> {
  const found: ForwardingQueues = { queueName: input.queueName, empty: [], waiting: [], unread: [] };
  await forEachConcurrently(input.accountIds, CONCURRENCY, async (accountId) => {
    try {
      const messages = await countIn(await sqsIn(accountId), accountId, input.queueName);
      if (messages > 0) found.waiting.push({ accountId, messages });
      else found.empty.push(accountId);
    } catch (error) {
      found.unread.push({ accountId, reason: error instanceof Error ? error.message : describeError(error) });
    }
  });
  const byAccount = (a: { accountId: string }, b: { accountId: string }) => (a.accountId < b.accountId ? -1 : 1);
  found.empty.sort();
  found.waiting.sort(byAccount);
  found.unread.sort(byAccount);
  return found;
}

async function countIn(sqs: SqsApi, accountId: string, queueName: string): Promise<number> {
  let queueUrl: string | undefined;
  try {
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: accountId })))
      .QueueUrl;
  } catch (error) {
    if (isAwsError(error, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'))
      throw new Error(`no queue ${queueName}: the member stack there predates it, or is not deployed`);
    throw toAwsCallError('sqs:GetQueueUrl', error);
  }
  if (!queueUrl) throw new Error(`SQS gave no URL for the queue ${queueName}`);
  let attributes: Record<string, string>;
  try {
    attributes =
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        )
      ).Attributes ?? {};
  } catch (error) {
    throw toAwsCallError('sqs:GetQueueAttributes', error);
  }
  return countOf(attributes.ApproximateNumberOfMessages) + countOf(attributes.ApproximateNumberOfMessagesNotVisible);
}

function countOf(attribute: string | undefined): number {
  const count = Number(attribute ?? 0);
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`SQS gave a count that is no count: ${attribute}`);
  return count;
}
