import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { SfnApi, SnsClient } from '../aws/narrow-clients.js';
import { describeError } from '../errors.js';
import {
  fallbackUndeliveredAlert,
  type RestartOutcome,
  type UndeliveredAlert,
  undeliveredAlert,
  undeliveredContent,
} from '../message/undelivered-message.js';
import { publishChat } from './channels/chat.js';
import { publishEmail } from './notify.js';

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
  /** The e-mail topic: the alert's record. */
  topicArn: string;
  /** The chat topic, when the stack has one: a short alert goes there too. */
  chatTopicArn?: string;
  /** The stack's state machine, started again with the event it did not receive. */
  sfn: SfnApi;
  stateMachineArn: string;
}

/** What became of one message. */
export interface UndeliveredOutcome {
  messageId: string;
  restart: RestartOutcome;
  /** The e-mail's subject, once published. */
  subject?: string;
  chat?: 'sent' | 'failed' | 'none';
  /** Why the e-mail alert did not go out: the message then stays on the queue. */
  error?: string;
  /** True when the alert is the fixed one, the message not being describable. */
  fallback?: boolean;
}

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

/** A name Step Functions keeps for 90 days: the same message received again starts nothing new. */
function executionName(messageId: string): string {
  return `undelivered-${messageId.replace(/[^\w-]/g, '_')}`.slice(0, 80);
}

/**
 * Starts the state machine with the event it did not receive, as EventBridge or the schedule
 * would have. Named after the message, so that a message received twice starts one execution.
 */
async function restart(deps: UndeliveredDeps, record: DeadLetterRecord): Promise<RestartOutcome> {
  const name = executionName(record.messageId);
  try {
    const answer = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input: record.body }),
    );
    return { status: 'started', executionArn: answer.executionArn ?? name };
  } catch (error) {
    // Started by an earlier delivery of this message, and finished since.
    if (isAwsError(error, 'ExecutionAlreadyExists'))
      return {
        status: 'started',
        executionArn: `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      };
    return { status: 'failed', error: describeError(toAwsCallError('states:StartExecution', error)) };
  }
}

async function handle(deps: UndeliveredDeps, record: DeadLetterRecord): Promise<UndeliveredOutcome> {
  const body = typeof record.body === 'string' ? record.body : '';
  let alert: Pick<UndeliveredAlert, 'subject' | 'message'> & Partial<UndeliveredAlert>;
  let restarted: RestartOutcome = { status: 'not-tried' };
  let fallback = false;
  try {
    const content = undeliveredContent(body);
    // Only an event exposed-keys acts on goes to the state machine: anything else is for a human.
    if (content.kind === 'signal' || content.kind === 'follow-up') restarted = await restart(deps, { ...record, body });
    alert = undeliveredAlert(
      {
        body,
        attributes: attributesOf(record),
        stackAccount: accountOfQueue(record.eventSourceARN),
        restart: restarted,
      },
      content,
    );
  } catch {
    alert = fallbackUndeliveredAlert(record.messageId);
    fallback = true;
  }
  const chat =
    deps.chatTopicArn && alert.chat ? (await publishChat(deps.sns, deps.chatTopicArn, alert.chat)).status : 'none';
  try {
    await publishEmail(deps.sns, deps.topicArn, {
      ...alert,
      attributes: alert.attributes ?? { outcome: 'not-started' },
    });
    return {
      messageId: record.messageId,
      restart: restarted,
      subject: alert.subject,
      chat,
      ...(fallback ? { fallback } : {}),
    };
  } catch (error) {
    return {
      messageId: record.messageId,
      restart: restarted,
      chat,
      error: describeError(toAwsCallError('sns:Publish', error)),
      ...(fallback ? { fallback } : {}),
    };
  }
}

/**
 * For each event EventBridge or EventBridge Scheduler could not deliver to the state machine:
 * starts the state machine with it (an event exposed-keys acts on only), then alerts the e-mail
 * topic (and the chat topic) of what happened. A message whose e-mail SNS refuses stays on the
 * queue, to be received and tried again: the execution, named after the message, starts once.
 */
export async function alertUndelivered(
  deps: UndeliveredDeps,
  records: readonly DeadLetterRecord[],
): Promise<UndeliveredResult> {
  const outcomes: UndeliveredOutcome[] = [];
  for (const record of records) outcomes.push(await handle(deps, record));
  return {
    batchItemFailures: outcomes
      .filter((outcome) => outcome.error !== undefined)
      .map((outcome) => ({ itemIdentifier: outcome.messageId })),
    outcomes,
  };
}
