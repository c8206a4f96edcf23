import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { SqsApi } from '../../aws/narrow-clients.js';
import { queueCount } from '../../aws/queue-count.js';
import { forEachConcurrently } from '../../common/bounded-concurrency.js';
import { CredentialsError, describeError } from '../../errors.js';
import { AccountAccessError } from '../organization-errors.js';

const SUFFIX = '-undelivered';
/** SQS's longest queue name. */
const MAX_QUEUE_NAME = 80;
/**
 * Accounts read at once: each is one AssumeRole and two SQS calls, some 0.3 s, so that 5,000
 * accounts take about a minute and a half; far below STS's and SQS's request quotas.
 */
const CONCURRENCY = 16;

/**
 * The queue, in each member account, that keeps the events its rules could not forward to the
 * hub (cloudformation/member.yaml): named after the StackSet, so that two StackSets in one
 * organisation keep theirs apart and `status --org` finds it from the StackSet's name alone. A
 * StackSet's name (letters, digits, hyphens) is a valid queue name; it is cut to fit SQS's 80.
 */
export function undeliveredQueueName(stackSetName: string): string {
  return `${stackSetName.slice(0, MAX_QUEUE_NAME - SUFFIX.length)}${SUFFIX}`;
}

/**
 * Why an account's queue was not read: its responder role refused the caller (`no-access`), the
 * queue is not there (`no-queue`: a member stack that predates it, or none), or a call failed.
 */
export type UnreadCause = 'no-access' | 'no-queue' | 'failed';

/** What waits, account by account, in the members' queues of events not forwarded. */
export interface ForwardingQueues {
  queueName: string;
  /** Accounts whose queue was read and was empty. */
  empty: string[];
  /** Accounts whose queue holds events (visible, or being read), with how many. */
  waiting: { accountId: string; messages: number }[];
  /** Accounts whose queue could not be read, with why. */
  unread: { accountId: string; cause: UnreadCause; reason: string }[];
}

/** SQS in an account; released once its queue is read, so that thousands of accounts hold no sockets. */
export type AccountSqs = SqsApi & { destroy?: () => void };

class QueueMissingError extends Error {}

/**
 * Counts, in each account, the events its forwarding rules could not deliver to the hub. Never
 * takes an account it could not read for an empty one: one whose role cannot be assumed, whose
 * queue is missing, or whose answer gives no count is `unread`, with the cause.
 *
 * @throws CredentialsError when the caller's own credentials fail: no account can be read then.
 */
export async function forwardingQueues(
  sqsIn: (accountId: string) => AccountSqs | Promise<AccountSqs>,
  input: { accountIds: readonly string[]; queueName: string; onRead?: (read: number, total: number) => void },
): Promise<ForwardingQueues> {
  const found: ForwardingQueues = { queueName: input.queueName, empty: [], waiting: [], unread: [] };
  let read = 0;
  await forEachConcurrently(input.accountIds, CONCURRENCY, async (accountId) => {
    let sqs: AccountSqs | undefined;
    try {
      sqs = await sqsIn(accountId);
      const messages = await countIn(sqs, accountId, input.queueName);
      if (messages > 0) found.waiting.push({ accountId, messages });
      else found.empty.push(accountId);
    } catch (error) {
      if (error instanceof CredentialsError) throw error;
      found.unread.push({ accountId, cause: causeOf(error), reason: reasonOf(error) });
    } finally {
      sqs?.destroy?.();
      read += 1;
      input.onRead?.(read, input.accountIds.length);
    }
  });
  const byAccount = (a: { accountId: string }, b: { accountId: string }) => (a.accountId < b.accountId ? -1 : 1);
  found.empty.sort();
  found.waiting.sort(byAccount);
  found.unread.sort(byAccount);
  return found;
}

function causeOf(error: unknown): UnreadCause {
  // Only a refusal is the role's: a throttled or suspended account's queue is one that could not be read.
  if (error instanceof AccountAccessError && error.reason === 'refused') return 'no-access';
  return error instanceof QueueMissingError ? 'no-queue' : 'failed';
}

function reasonOf(error: unknown): string {
  return error instanceof Error && (error.name === 'Error' || error instanceof AccountAccessError)
    ? error.message
    : describeError(error);
}

async function countIn(sqs: SqsApi, accountId: string, queueName: string): Promise<number> {
  let queueUrl: string | undefined;
  try {
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: accountId })))
      .QueueUrl;
  } catch (error) {
    if (isAwsError(error, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'))
      throw new QueueMissingError(`no queue ${queueName} there`);
    // The role's credentials are resolved before the first call: their failure is the account's, not SQS's.
    if (error instanceof AccountAccessError || error instanceof CredentialsError) throw error;
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
  return (
    queueCount(attributes.ApproximateNumberOfMessages) + queueCount(attributes.ApproximateNumberOfMessagesNotVisible)
  );
}
