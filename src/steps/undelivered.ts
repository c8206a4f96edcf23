import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { isAwsError, isThrottling, toAwsCallError } from '../aws/aws-errors.js';
import { withDeadline } from '../aws/deadline.js';
import type { SfnApi, SnsClient, SqsApi } from '../aws/narrow-clients.js';
import { describeError } from '../errors.js';
import { type EndedExecution, endedExecutionAlert, fallbackEndedAlert } from '../message/ended-execution-message.js';
import {
  fallbackUndeliveredAlert,
  type RestartOutcome,
  type UndeliveredAlert,
  type UndeliveredContent,
  undeliveredAlert,
  undeliveredContent,
} from '../message/undelivered-message.js';
import { publishChat } from './channels/chat.js';
import { endedExecutionOf, lookUpEnded, noAlertNeeded } from './ended-execution.js';
import { publishEmail } from './notify.js';

/** One message of the dead-letter queue as Lambda's SQS event source hands it over. */
export interface DeadLetterRecord {
  messageId: string;
  /** What proves the message was received from the queue: the queue takes it back only then. */
  receiptHandle?: string;
  body: string;
  /** SQS's own attributes: `ApproximateReceiveCount` is 1 the first time the message is handled. */
  attributes?: Record<string, string | undefined>;
  messageAttributes?: Record<string, { stringValue?: string } | undefined>;
  /** The queue's ARN, whose account is the stack's. */
  eventSourceARN?: string;
}

/** How long a message received stays hidden from other receivers: the queue's own setting. */
export const QUEUE_VISIBILITY_SECONDS = 360;

/** What {@link alertUndelivered} needs. */
export interface UndeliveredDeps {
  sns: SnsClient;
  /** The e-mail topic: the alert's record. */
  topicArn: string;
  /** The chat topic, when the stack has one: a short alert goes there too. */
  chatTopicArn?: string;
  /** The stack's state machine, started again with the event it did not receive. */
  sfn: SfnApi;
  stateMachineArn: string;
  /** The stack's dead-letter queue: only what was received from it is given to the state machine. */
  sqs: SqsApi;
  queueUrl: string;
  queueArn: string;
  /**
   * When every call must have ended (epoch milliseconds): the function's timeout less a margin.
   * The restart and the chat each get a share of it; the e-mail, the alert's record, the rest.
   */
  deadline?: number;
}

/**
 * The shares of the time left that the restart (a visibility change, StartExecution) and then the
 * chat may take: the e-mail, the alert's record, keeps the rest, whatever hangs before it.
 */
const SHARES = { restart: 0.25, chat: 0.15 } as const;

/** The deps of one message: each call abandoned at the end of its share of the time left. */
function withShares(deps: UndeliveredDeps, now = Date.now()) {
  const { deadline } = deps;
  const by = (share: number) => (deadline === undefined ? undefined : Math.floor(now + (deadline - now) * share));
  const restartBy = by(SHARES.restart);
  return {
    restart: { ...deps, sfn: withDeadline(deps.sfn, restartBy), sqs: withDeadline(deps.sqs, restartBy) },
    chatSns: withDeadline(deps.sns, by(SHARES.restart + SHARES.chat)),
    emailSns: withDeadline(deps.sns, deadline),
  };
}

/** What became of one message. */
export interface UndeliveredOutcome {
  messageId: string;
  restart: RestartOutcome;
  /** The e-mail's subject, once published. */
  subject?: string;
  chat?: 'sent' | 'failed' | 'none';
  /** Why the chat did not go out, when it failed. */
  chatError?: string;
  /** Why the e-mail alert did not go out: the message then stays on the queue. */
  error?: string;
  /** True when the alert is the fixed one, the message not being describable or its alert refused. */
  fallback?: boolean;
  /** Why SNS refused the full alert, when the fixed one went out (or was tried) instead. */
  fullAlertRefused?: string;
  /**
   * For an execution that ended without success: `alerted`, or why no alert was needed (see
   * noAlertNeeded).
   */
  ended?: 'alerted' | 'reported' | 'not-ended' | 'simulation';
}

/** An alert as it is published: the e-mail's parts, and the chat's when it has one. */
type AlertToSend = Pick<UndeliveredAlert, 'subject' | 'message' | 'attributes'> & Partial<UndeliveredAlert>;

/** What became of a batch. */
export interface UndeliveredResult {
  /** Lambda's partial batch response: the messages left on the queue, to be received again. */
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: UndeliveredOutcome[];
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
 * A name Step Functions keeps for 90 days, after the event's id (the message's when it has none,
 * as a follow-up): the same event received again, in this message or another, starts nothing new.
 */
function executionName(messageId: string, content: UndeliveredContent): string {
  const id =
    content.kind !== 'signal'
      ? null
      : content.signal.kind === 'key'
        ? content.signal.incident.eventId
        : content.signal.quarantine.eventId;
  const named = id !== null && /^[\w-]{1,64}$/.test(id) ? id : messageId.replace(/[^\w-]/g, '_');
  return `undelivered-${named}`.slice(0, 80);
}

/**
 * Why a message is not given to the state machine again, or null when it may be: it must be an
 * event exposed-keys acts on, that EventBridge or a schedule of the stack gave up delivering to
 * this state machine (the dead-letter attributes, which no rule target can set), received from
 * the stack's queue (its receipt handle taken back by the queue, which a made-up invocation of the
 * function cannot have: only this function's role may receive from the queue).
 */
async function refusal(
  deps: UndeliveredDeps,
  record: DeadLetterRecord,
  attributes: Record<string, string | undefined>,
  content: UndeliveredContent,
): Promise<string | null> {
  if (content.kind !== 'signal' && content.kind !== 'follow-up')
    return 'exposed-keys cannot read it as an event it acts on';
  if (record.eventSourceARN !== deps.queueArn) return "it did not come from the stack's dead-letter queue";
  if (
    !attributes.ERROR_CODE ||
    attributes.TARGET_ARN !== deps.stateMachineArn ||
    !(attributes.RULE_ARN || attributes.SCHEDULE_ARN)
  )
    return "it is not an event EventBridge or a schedule gave up delivering to the stack's state machine";
  try {
    await deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: deps.queueUrl,
        ReceiptHandle: record.receiptHandle ?? '',
        VisibilityTimeout: QUEUE_VISIBILITY_SECONDS,
      }),
    );
  } catch (error) {
    return `the queue does not know it as received (${describeError(toAwsCallError('sqs:ChangeMessageVisibility', error))})`;
  }
  return null;
}

/**
 * Starts the state machine with the event it did not receive, as EventBridge or the schedule
 * would have, once {@link refusal} finds nothing against it.
 */
async function restart(
  deps: UndeliveredDeps,
  record: DeadLetterRecord,
  attributes: Record<string, string | undefined>,
  content: UndeliveredContent,
): Promise<RestartOutcome> {
  const refused = await refusal(deps, record, attributes, content);
  if (refused) return { status: 'not-tried', reason: refused };
  const name = executionName(record.messageId, content);
  try {
    const answer = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input: record.body }),
    );
    return { status: 'started', executionArn: answer.executionArn ?? name };
  } catch (error) {
    // Started by an earlier delivery of this event, and finished since.
    if (isAwsError(error, 'ExecutionAlreadyExists'))
      return {
        status: 'started',
        executionArn: `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      };
    const failed = describeError(toAwsCallError('states:StartExecution', error));
    const triesLeft = RESTART_RECEIVES - receiveCount(record);
    return passing(error) && triesLeft > 0
      ? { status: 'failed', error: failed, again: { afterMinutes: QUEUE_VISIBILITY_SECONDS / 60, triesLeft } }
      : { status: 'failed', error: failed };
  }
}

/**
 * How many receives of a message start the state machine, when its start fails in passing: the
 * first, and three more, 6 minutes apart. EventBridge gave up after 15 minutes of its own retries;
 * a throttled account or a Step Functions outage may need longer.
 */
const RESTART_RECEIVES = 4;

/** How many times the queue handed out this message, this one included (1 when SQS does not say). */
function receiveCount(record: DeadLetterRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  return Number.isSafeInteger(count) && count >= 1 ? count : 1;
}

/** True for a failure that may pass: throttling, a 5xx, a call abandoned at its time-out. */
function passing(error: unknown): boolean {
  return (
    isThrottling(error) ||
    (error as { $fault?: string } | null)?.$fault === 'server' ||
    isAwsError(error, 'TimeoutError', 'AbortError', 'RequestAbortedError')
  );
}

/**
 * Whether the chat is sent on this receive of a message: the 1st, 2nd, 4th, 8th… A message comes
 * back only when its e-mail did not go out (or its function died), every few minutes for 14 days:
 * the chat, then the one channel left, is tried again, less and less often, rather than once.
 */
function chatsOnReceive(count: number): boolean {
  return (count & (count - 1)) === 0;
}

/** What SNS answers a message it refuses for what it holds (too long, a character it takes not). */
const REFUSED_FOR_CONTENT = ['InvalidParameter', 'InvalidParameterValue'];

async function handle(deps: UndeliveredDeps, record: DeadLetterRecord): Promise<UndeliveredOutcome> {
  const body = typeof record.body === 'string' ? record.body : '';
  const ended = endedExecutionOf(body, deps.stateMachineArn);
  if (ended) return handleEnded(deps, record, ended);
  const attributes = attributesOf(record);
  let alert: AlertToSend;
  let restarted: RestartOutcome = { status: 'not-tried', reason: 'it could not be read' };
  let fallback = false;
  const shares = withShares(deps);
  try {
    const content = undeliveredContent(body);
    restarted = await restart(shares.restart, { ...record, body }, attributes, content);
    alert = undeliveredAlert(
      { body, attributes, stackAccount: accountOfQueue(record.eventSourceARN), restart: restarted },
      content,
    );
  } catch {
    alert = fallbackUndeliveredAlert(record.messageId, restarted);
    fallback = true;
  }
  const fixed = fallbackUndeliveredAlert(record.messageId, restarted, true);
  return publishAlert(deps, shares, record, { alert, restarted, fallback, fixed });
}

/**
 * An execution that ended with no report (stopped, timed out, or failed where no step reports):
 * alerted, once Step Functions confirms how it ended; nothing is started again (it may have
 * contained the key already, or been stopped on purpose). One that ended as it meant to, after its
 * report, runs again since, or was a simulation's own test stopped, is let go without an alert.
 */
async function handleEnded(
  deps: UndeliveredDeps,
  record: DeadLetterRecord,
  reported: EndedExecution,
): Promise<UndeliveredOutcome> {
  const shares = withShares(deps);
  const ended = await lookUpEnded(shares.restart.sfn, reported);
  const restarted: RestartOutcome = { status: 'not-tried', reason: `the execution ${ended.status}` };
  const needsNone = noAlertNeeded(ended);
  if (needsNone) return { messageId: record.messageId, restart: restarted, chat: 'none', ended: needsNone };
  const fixed = fallbackEndedAlert(ended.executionArn);
  let alert: AlertToSend = fixed;
  let fallback = false;
  try {
    alert = endedExecutionAlert(ended, accountOfQueue(record.eventSourceARN));
  } catch {
    fallback = true;
  }
  const outcome = await publishAlert(deps, shares, record, { alert, restarted, fallback, fixed });
  return { ...outcome, ended: 'alerted' };
}

/** Publishes a message's alert: the chat (on the 1st, 2nd, 4th… receive), then the e-mail, the fixed one when SNS refuses it. */
async function publishAlert(
  deps: UndeliveredDeps,
  shares: ReturnType<typeof withShares>,
  record: DeadLetterRecord,
  made: {
    alert: AlertToSend;
    restarted: RestartOutcome;
    fallback: boolean;
    /** What goes instead of an alert SNS refuses for what it holds: fixed text. */
    fixed: Pick<UndeliveredAlert, 'subject' | 'message' | 'attributes'>;
  },
): Promise<UndeliveredOutcome> {
  const { alert, restarted, fallback } = made;
  const chatted =
    deps.chatTopicArn && alert.chat && chatsOnReceive(receiveCount(record))
      ? await publishChat(shares.chatSns, deps.chatTopicArn, alert.chat)
      : null;
  const outcome: UndeliveredOutcome = {
    messageId: record.messageId,
    restart: restarted,
    chat: chatted?.status ?? 'none',
    ...(chatted?.status === 'failed' ? { chatError: chatted.error } : {}),
    ...(fallback ? { fallback } : {}),
  };
  let refused: string;
  try {
    await publishEmail(shares.emailSns, deps.topicArn, alert);
    return { ...outcome, subject: alert.subject };
  } catch (error) {
    refused = describeError(toAwsCallError('sns:Publish', error));
    // Only an alert refused for what it holds goes as the fixed one: a passing failure (throttling,
    // a 5xx) or a topic refusing everything leaves the message to be tried again, whole, later.
    if (fallback || !isAwsError(error, ...REFUSED_FOR_CONTENT)) return { ...outcome, error: refused };
  }
  // An alert SNS refuses for what it holds is refused on every retry: the fixed one goes out
  // rather than none for the 14 days the queue keeps the message.
  const { fixed } = made;
  const instead = { ...outcome, fallback: true, fullAlertRefused: refused };
  try {
    await publishEmail(shares.emailSns, deps.topicArn, fixed);
    return { ...instead, subject: fixed.subject };
  } catch (error) {
    const again = describeError(toAwsCallError('sns:Publish', error));
    return { ...instead, error: `${again} (the full alert was refused too: ${refused})` };
  }
}

/**
 * For each event EventBridge or EventBridge Scheduler could not deliver to the state machine:
 * starts the state machine with it (only what {@link refusal} lets through), then alerts the
 * e-mail topic (and the chat topic, on the 1st, 2nd, 4th… receive of the message) of what happened; when SNS refuses that alert,
 * a fixed one goes instead. A message whose e-mail SNS refuses both ways stays on the queue, to be
 * received and tried again: the execution, named after the event, starts once.
 */
export async function alertUndelivered(
  deps: UndeliveredDeps,
  records: readonly DeadLetterRecord[],
): Promise<UndeliveredResult> {
  const outcomes: UndeliveredOutcome[] = [];
  for (const record of records) outcomes.push(await handle(deps, record));
  // Kept on the queue: an alert that did not go out, and a start to try again.
  const kept = (outcome: UndeliveredOutcome) =>
    outcome.error !== undefined || (outcome.restart.status === 'failed' && outcome.restart.again !== undefined);
  return {
    batchItemFailures: outcomes.filter(kept).map((outcome) => ({ itemIdentifier: outcome.messageId })),
    outcomes,
  };
}
