import type { Incident } from '../incident/incident.js';
import type { ContainmentOutcome, ContainmentResult } from './contain.js';
import type { Investigation } from './investigate.js';
import type { StepReport } from './step-report.js';

/** How the whole incident ended: a containment outcome, or a failure before one. */
export type IncidentOutcome =
  | ContainmentOutcome
  | 'containment-failed'
  | 'invalid-event'
  | 'several-keys'
  | 'not-attempted';

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
}

/** The outcome of the incident as a whole. */
export function incidentOutcome(report: IncidentReport): IncidentOutcome {
  if (report.incident === null) return report.eventKeys?.length ? 'several-keys' : 'invalid-event';
  if (report.containment.status === 'failed') return 'containment-failed';
  if (report.containment.status === 'skipped') return 'not-attempted';
  return report.containment.result.outcome;
}

/** True when the key can no longer be used. */
export function keyContained(report: IncidentReport): boolean {
  return report.containment.status === 'done' && report.containment.result.contained;
}

/**
 * True when the incident needs a human: the key is not contained (but for a dry run, and for
 * notify-only mode, whose operators chose to contain by hand and are told so), or a part of
 * containment failed (sessions minted from the key still valid).
 */
export function needsHuman(report: IncidentReport): boolean {
  const outcome = incidentOutcome(report);
  if (
    report.containment.status === 'done' &&
    report.containment.result.actions.some((action) => action.status === 'failed')
  )
    return true;
  return !keyContained(report) && outcome !== 'planned' && outcome !== 'notify-only';
}
