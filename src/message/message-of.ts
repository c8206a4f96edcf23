import { shownText } from '../common/untrusted-text.js';
import type { FollowUpReport, IncidentReport } from '../steps/incident-outcome.js';
import { buildFollowUpMessage } from './follow-up-message.js';
import { buildIncidentMessage, type IncidentMessage } from './incident-message.js';
import { endedWith, openedAt, signalMessage } from './signal-message.js';

/**
 * The message of any report: a full incident, a later signal that joined one, AWS quarantining a
 * user, or a follow-up of an earlier containment (its scheduled deletion, verification or release).
 * Every channel (e-mail, chat, Security Hub, the terminal) renders this.
 */
export function messageOf(report: IncidentReport): IncidentMessage {
  if (report.followUp) return buildFollowUpMessage(report as IncidentReport & { followUp: FollowUpReport });
  const short = signalMessage(report);
  if (short) return short;
  const built = buildIncidentMessage(report);
  const again = respondedAgain(report);
  const message = again ? { ...built, done: [...built.done, again] } : built;
  // An event that could not be read was not responded to: there is no second response to fear.
  if (!report.signalError || !report.incident) return message;
  return {
    ...message,
    done: [
      ...message.done,
      `WARNING: could not check for an earlier report of this key, so this may be a second response to one leak: ${shownText(report.signalError, 500)}`,
    ],
  };
}

/**
 * Why a later report of a key ran the response again, when it did: its incident's record showed no
 * response that contained the key, and IAM showed the key active.
 */
function respondedAgain(report: IncidentReport): string | null {
  const signal = report.signal;
  if (signal?.role !== 'first' || !signal.again || !signal.record) return null;
  const { record } = signal;
  const first = record.response
    ? `ended with ${endedWith(record.response)}, the key not contained`
    : `(the incident opened at ${openedAt(record)}) has recorded nothing`;
  return `Responded again to this later report (report ${record.signals} of the incident): IAM showed the key ACTIVE, and the incident's first response ${first}.`;
}
