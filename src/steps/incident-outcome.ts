import type { Incident } from '../incident/incident.js';
import type { ContainmentOutcome, ContainmentResult } from './contain.js';
import type { Investigation } from './investigate.js';
import type { SignalReceipt } from './signals/receive-signal.js';
import type { StepReport } from './step-report.js';

/** How the whole incident ended: a containment outcome, or a failure before one. */
export type IncidentOutcome =
  | ContainmentOutcome
  | 'containment-failed'
  | 'invalid-event'
  | 'several-keys'
  | 'not-attempted'
  | 'joined'
  | 'user-quarantined';

/** Everything known about one incident once the steps have run; what the notification reports. */
export interface IncidentReport {
  /** Null when the event could not be read as an incident. */
  incident: Incident | null;
  /** Why the event could not be read, when it could not. */
  eventError?: string | null;
  /** The account and event id of the raw event, for an event that could not be read. */
  rawAccount?: string | null;
  rawEventId?: string | null;
  /** The keys an event named when it named several (none was contained: each needs a response). */
  eventKeys?: string[];
  containment: StepReport<ContainmentResult>;
  investigation: StepReport<Investigation>;
  /**
   * What became of the signal, when the stack received it: a later signal that joined the incident
   * of its key, or AWS quarantining a user (neither contains nor investigates). Absent, or `first`,
   * for a full response.
   */
  signal?: SignalReceipt;
  /** Why the incident record could not be checked, when the response went ahead without it. */
  signalError?: string;
}

/** True when a later signal joined an incident whose key IAM shows usable after its response ended. */
function joinedKeyStillUsable(signal: Extract<SignalReceipt, { role: 'joined' }>): boolean {
  const response = signal.record.response;
  return signal.keyNow.status === 'active' && response !== undefined && response.outcome !== 'notify-only';
}

/** True when a quarantined user's key may be leaked and no incident of the stack covers the user. */
function quarantineUncovered(signal: Extract<SignalReceipt, { role: 'quarantine' }>): boolean {
  return signal.incidents.length === 0 && signal.user.keys.some((key) => key.status === 'Active');
}

/** The outcome of the incident as a whole. */
export function incidentOutcome(report: IncidentReport): IncidentOutcome {
  if (report.signal?.role === 'joined') return 'joined';
  if (report.signal?.role === 'quarantine') return 'user-quarantined';
  if (report.incident === null) return report.eventKeys?.length ? 'several-keys' : 'invalid-event';
  if (report.containment.status === 'failed') return 'containment-failed';
  if (report.containment.status === 'skipped') return 'not-attempted';
  return report.containment.result.outcome;
}

/** True when the key can no longer be used. */
export function keyContained(report: IncidentReport): boolean {
  if (report.signal?.role === 'joined') return ['inactive', 'gone'].includes(report.signal.keyNow.status);
  if (report.signal?.role === 'quarantine') return !quarantineUncovered(report.signal);
  return report.containment.status === 'done' && report.containment.result.contained;
}

/**
 * True when the incident needs a human: the key is not contained (but for a dry run, and for
 * notify-only mode, whose operators chose to contain by hand and are told so), or a part of
 * containment failed (sessions minted from the key still valid). For a later signal, only when the
 * first response ended and the key is still usable; for a quarantined user, when no incident covers
 * the user and the user has an active key.
 */
export function needsHuman(report: IncidentReport): boolean {
  // A later signal needs a human only when the first response has ended and left the key usable.
  if (report.signal?.role === 'joined') return joinedKeyStillUsable(report.signal);
  // A quarantine names no key: a human must find it, unless an incident of the stack covers the user.
  if (report.signal?.role === 'quarantine') return quarantineUncovered(report.signal);
  const outcome = incidentOutcome(report);
  if (
    report.containment.status === 'done' &&
    report.containment.result.actions.some((action) => action.status === 'failed')
  )
    return true;
  return !keyContained(report) && outcome !== 'planned' && outcome !== 'notify-only';
}
