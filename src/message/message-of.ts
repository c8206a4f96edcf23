import { shownText } from '../common/untrusted-text.js';
import type { IncidentReport } from '../steps/incident-outcome.js';
import { buildIncidentMessage, type IncidentMessage } from './incident-message.js';
import { signalMessage } from './signal-message.js';

/**
 * The message of any report: a full incident, a follow-up of a later signal, or AWS quarantining a
 * user. Every channel (e-mail, chat, Security Hub, the terminal) renders this.
 */
export function messageOf(report: IncidentReport): IncidentMessage {
  const short = signalMessage(report);
  if (short) return short;
  const message = buildIncidentMessage(report);
  if (!report.signalError) return message;
  return {
    ...message,
    done: [
      ...message.done,
      `WARNING: could not check for an earlier report of this key, so this may be a second response to one leak: ${shownText(report.signalError, 500)}`,
    ],
  };
}
