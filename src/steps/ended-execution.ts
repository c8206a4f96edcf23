import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { SfnApi } from '../aws/narrow-clients.js';
import { SIMULATION_INTERRUPTED } from '../constants.js';
import { describeError } from '../errors.js';
import type { EndedExecution } from '../message/ended-execution-message.js';

/*
 * Step Functions tells EventBridge when an execution ends; the stack's rule sends those that did
 * not succeed to the dead-letter queue. Most end so on purpose, after their report went out.
 */

/**
 * The errors of the state machine's own Fail states reached only once the report went out: an
 * execution that fails with one needs no other alert. Its NotificationFailed is not among them
 * (it fails with the notification's own error): the report did not go out, and the short alert
 * Step Functions sends then, if it went, names no key; this alert does. A test reads them from
 * the template.
 */
export const REPORTED_FAILURES: readonly string[] = ['KeyNotContained', 'HumanMustAct'];

const ENDINGS = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** An execution status change as EventBridge delivers it: only what is read of it. */
interface StatusChange {
  source?: unknown;
  'detail-type'?: unknown;
  detail?: {
    executionArn?: unknown;
    stateMachineArn?: unknown;
    status?: unknown;
    startDate?: unknown;
    stopDate?: unknown;
    input?: unknown;
    error?: unknown;
    cause?: unknown;
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function date(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value).toISOString() : null;
}

/**
 * The execution a message of the dead-letter queue says ended without success, when it is one of
 * `stateMachineArn`'s (a Step Functions status change event); null for any other message.
 */
export function endedExecutionOf(body: string, stateMachineArn: string): EndedExecution | null {
  let event: StatusChange;
  try {
    event = JSON.parse(body) as StatusChange;
  } catch {
    return null;
  }
  if (event?.source !== 'aws.states' || event['detail-type'] !== 'Step Functions Execution Status Change') return null;
  const detail = event.detail ?? {};
  const executionArn = text(detail.executionArn);
  const status = text(detail.status);
  if (!executionArn || detail.stateMachineArn !== stateMachineArn || !status || !ENDINGS.has(status)) return null;
  return {
    executionArn,
    status,
    error: text(detail.error),
    cause: text(detail.cause),
    startDate: date(detail.startDate),
    stopDate: date(detail.stopDate),
    input: text(detail.input),
  };
}

/**
 * The execution as Step Functions describes it now (its status, error, cause and input are its
 * own, not the event's); as the event said, with why, when DescribeExecution does not answer.
 */
export async function lookUpEnded(sfn: SfnApi, ended: EndedExecution): Promise<EndedExecution> {
  try {
    const answer = await sfn.send(new DescribeExecutionCommand({ executionArn: ended.executionArn }));
    return {
      ...ended,
      status: answer.status ?? ended.status,
      error: answer.error ?? ended.error,
      cause: answer.cause ?? ended.cause,
      startDate: answer.startDate?.toISOString() ?? ended.startDate,
      stopDate: answer.stopDate?.toISOString() ?? ended.stopDate,
      input: answer.input ?? ended.input,
    };
  } catch (error) {
    return { ...ended, notLookedUp: describeError(toAwsCallError('states:DescribeExecution', error)) };
  }
}

/** Statuses of an execution that has not ended, or no longer has: redriven since the event. */
const NOT_ENDED = new Set(['RUNNING', 'PENDING_REDRIVE', 'SUCCEEDED']);

/**
 * Why the execution needs no alert, or null when it does: it ended as it meant to, after its report
 * (`reported`); it runs again, or succeeded, since (`not-ended`: a redrive, whose own end sends its
 * own event); or `simulate` stopped its own test (`simulation`).
 */
export function noAlertNeeded(ended: EndedExecution): 'reported' | 'not-ended' | 'simulation' | null {
  if (NOT_ENDED.has(ended.status)) return 'not-ended';
  if (ended.status === 'FAILED' && ended.error !== null && REPORTED_FAILURES.includes(ended.error)) return 'reported';
  if (ended.status === 'ABORTED' && ended.error === SIMULATION_INTERRUPTED) return 'simulation';
  return null;
}
