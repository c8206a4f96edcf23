import type { Incident } from '../incident/incident.js';
import type { ContainmentOutcome, ContainmentResult } from './contain.js';
import type { Investigation } from './investigate.js';
import type { StepReport } from './step-report.js';

/** How the whole incident ended: a containment outcome, or a failure before one. */
export type IncidentOutcome = ContainmentOutcome | 'containment-failed' | 'invalid-event' | 'not-attempted';

/** Everything known about one incident once the steps have run; what the notification reports. */
export interface IncidentReport {
  /** Null when the event could not be read as an incident. */
  incident: Incident | null;
  /** Why the event could not be read, when it could not. */
  eventError?: string | null;
  /** The account and event id of the raw event, for an event that could not be read. */
  rawAccount?: string | null;
  rawEventId?: string | null;
  containment: StepReport<ContainmentResult>;
  investigation: StepReport<Investigation>;
}

/** The outcome of the incident as a whole. */
export function incidentOutcome(report: IncidentReport): IncidentOutcome {
  if (report.incident === null) return 'invalid-event';
  if (report.containment.status === 'failed') return 'containment-failed';
  if (report.containment.status === 'skipped') return 'not-attempted';
  return report.containment.result.outcome;
}

/** True when the key can no longer be used. */
export function keyContained(report: IncidentReport): boolean {
  return report.containment.status === 'done' && report.containment.result.contained;
}

/**
 * True when the incident needs a human to contain the key: everything but a contained key, a dry
 * run, and notify-only mode (whose operators chose to contain by hand, and are told so).
 */
export function needsHuman(report: IncidentReport): boolean {
  const outcome = incidentOutcome(report);
  return !keyContained(report) && outcome !== 'planned' && outcome !== 'notify-only';
}
