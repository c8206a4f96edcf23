import { cutEnd } from '../common/untrusted-text.js';
import { describeError, SeveralKeysError } from '../errors.js';
import { unreadKeyAccount } from '../incident/health.js';
import { parseIncident } from '../incident/parse-incident.js';
import { parseQuarantineEvent, type QuarantineSignal } from '../incident/quarantine.js';
import type { ContainmentResult } from '../steps/contain.js';
import type { FollowUpReport, IncidentReport } from '../steps/incident-outcome.js';
import type { Investigation } from '../steps/investigate.js';
import { isFollowUpEvent, readFollowUp } from '../steps/lifecycle/follow-up.js';
import type { FollowUpResult } from '../steps/lifecycle/follow-up-result.js';
import type { SignalReceipt } from '../steps/signals/receive-signal.js';
import type { StepReport } from '../steps/step-report.js';

/** What a Step Functions `Catch` puts at its `ResultPath`. */
export interface TaskFailure {
  Error?: string;
  Cause?: string;
}

/** What the notification task leaves in the state, for the final choice. */
export interface NotificationOutput {
  messageId: string;
  subject: string;
  outcome: string;
  keyContained: boolean;
  /** True when the execution must end failed: the key was not contained and a human must act. */
  failExecution: boolean;
  /** How each channel besides the e-mail went: `imported`, `sent`, `not-enabled`, `skipped`, `failed`. */
  channels?: { finding: string; chat: string; webhook: string };
}

/**
 * The state that flows through the state machine: the EventBridge event as it arrived, under
 * `event` (the first state puts it there), with each task's result (or the failure its `Catch`
 * recorded) added under its own field. Nothing the event holds can pass for a task's result: an
 * event with a `containment` field of its own still has it only under `event`.
 */
export interface WorkflowState extends Record<string, unknown> {
  event?: unknown;
  /** What the first task made of the signal: first about its key, joined, or a quarantined user. */
  signal?: SignalReceipt;
  signalError?: TaskFailure;
  /** The execution's own facts, from the context object: the state machine (a schedule's target), the start. */
  execution?: { stateMachineArn?: string; startedAt?: string };
  containment?: ContainmentResult;
  containmentError?: TaskFailure;
  investigation?: Investigation;
  investigationError?: TaskFailure;
  /** What a follow-up task did (scheduled deletion, verification), or the failure its `Catch` recorded. */
  followUp?: FollowUpResult;
  followUpError?: TaskFailure;
  notification?: NotificationOutput;
}

/** True for a JSON object: a function can be invoked with any JSON value, and only an object is a state. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The original EventBridge event inside a state; undefined (for the parser to refuse) when there is none. */
export function eventOf(state: WorkflowState): unknown {
  return isObject(state) ? state.event : undefined;
}

/** The message of a caught task failure (a Lambda puts its error as JSON in `Cause`). */
export function failureMessage(failure: TaskFailure): string {
  const error = failure.Error ?? 'Error';
  if (!failure.Cause) return error;
  try {
    const cause = JSON.parse(failure.Cause) as { errorType?: string; errorMessage?: string };
    if (typeof cause.errorMessage === 'string') return `${cause.errorType ?? error}: ${cause.errorMessage}`;
  } catch {
    // A cause that is not JSON is the message itself.
  }
  return `${error}: ${failure.Cause}`;
}

function stepReport<T>(result: T | undefined, failure: TaskFailure | undefined, skipped: string): StepReport<T> {
  if (result !== undefined) return { status: 'done', result };
  if (failure !== undefined) return { status: 'failed', error: failureMessage(failure) };
  return { status: 'skipped', reason: skipped };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? cutEnd(value, 200) : null;
}

/** A follow-up as the state holds it: the request its event made, and what its task did. */
function followUpReportOf(state: WorkflowState, event: unknown): FollowUpReport {
  const read = readFollowUp(event);
  if ('problem' in read) {
    const detail = isObject(event) && isObject(event.detail) ? event.detail : {};
    return {
      kind: detail.followUp === 'verification' ? 'verification' : 'scheduled-deletion',
      accessKeyId: null,
      userName: null,
      accountId: null,
      containedAt: null,
      step: { status: 'skipped', reason: read.problem },
    };
  }
  const { request } = read;
  return {
    kind: request.kind,
    accessKeyId: request.accessKeyId,
    userName: request.userName,
    accountId: request.accountId,
    containedAt: request.containedAt,
    step: stepReport(state.followUp, state.followUpError, 'the follow-up task did not run'),
  };
}

/**
 * The account of the keys of an event that could not be read: `detail.affectedAccount` when the
 * organisational view of AWS Health names one (the top-level `account` is then the receiver's).
 */
function rawAccounts(fields: Record<string, unknown>): Pick<IncidentReport, 'rawAccount' | 'rawReceivedBy'> {
  const { account, receivedBy } = unreadKeyAccount(fields);
  return receivedBy === undefined
    ? { rawAccount: text(account) }
    : { rawAccount: text(account), rawReceivedBy: text(receivedBy) };
}

/** Everything the state says about the incident, as the notification reports it. */
/**
 * AWS's quarantine of a user whose `ClaimIncident` failed (throttled, a member's role refused): the
 * user's keys and incidents are then not known, which the message says, with the failure, rather
 * than report the event as unreadable.
 */
function unclaimedQuarantine(event: unknown, failure: WorkflowState['signalError']): SignalReceipt | undefined {
  let quarantine: QuarantineSignal;
  try {
    quarantine = parseQuarantineEvent(event);
  } catch {
    return undefined;
  }
  const why = failure ? failureMessage(failure) : 'the task that reads the user did not run';
  return {
    role: 'quarantine',
    quarantine,
    user: {
      userName: quarantine.userName,
      exists: true,
      keys: [],
      keysUnknown: true,
      warnings: [`Could not read the keys of ${quarantine.userName}: ${why}`],
    },
    incidents: [],
    recordError: why,
  };
}

export function incidentReportOf(input: WorkflowState): IncidentReport {
  const state: WorkflowState = isObject(input) ? input : {};
  const event = eventOf(input);
  if (isFollowUpEvent(event))
    return {
      incident: null,
      containment: { status: 'skipped', reason: 'a follow-up contains nothing' },
      investigation: { status: 'skipped', reason: 'a follow-up investigates nothing' },
      followUp: followUpReportOf(state, event),
    };
  const fields = isObject(event) ? event : {};
  const quarantine = state.signal ? undefined : unclaimedQuarantine(event, state.signalError);
  if (quarantine)
    return {
      incident: null,
      containment: { status: 'skipped', reason: 'a quarantine names no key' },
      investigation: { status: 'skipped', reason: 'a quarantine names no key' },
      signal: quarantine,
      ...rawAccounts(fields),
      rawEventId: text(fields.id),
    };
  let incident: IncidentReport['incident'] = null;
  let eventError: string | null = null;
  let eventKeys: string[] | undefined;
  try {
    incident = parseIncident(event);
  } catch (error) {
    eventError = describeError(error);
    if (error instanceof SeveralKeysError) eventKeys = [...error.keys];
  }
  return {
    incident,
    eventError,
    ...(eventKeys ? { eventKeys } : {}),
    ...(state.signal ? { signal: state.signal } : {}),
    ...(state.signalError ? { signalError: failureMessage(state.signalError) } : {}),
    ...rawAccounts(fields),
    rawEventId: text(fields.id),
    containment: stepReport(state.containment, state.containmentError, 'the containment task did not run'),
    investigation: stepReport(state.investigation, state.investigationError, 'the investigation task did not run'),
  };
}
