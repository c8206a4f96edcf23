import type { FollowUpReport, IncidentReport } from '../steps/incident-outcome.js';
import { buildFollowUpMessage } from './follow-up-message.js';
import { buildIncidentMessage, type IncidentMessage } from './incident-message.js';

/** The message of a report: a new incident's, or a follow-up's of an earlier containment. */
export function messageOf(report: IncidentReport): IncidentMessage {
  return report.followUp
    ? buildFollowUpMessage(report as IncidentReport & { followUp: FollowUpReport })
    : buildIncidentMessage(report);
}
