import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { Incident } from '../../incident/incident.js';
import { parseIncident, parseSignal } from '../../incident/parse-incident.js';

/** What the question about a real key needs to know of the request. */
export interface QuestionRequest {
  eventFile?: string;
  accessKeyId?: string;
  createTestUser: boolean;
}

/** The incident an event file holds, or null when it cannot be read (the run then says why). */
export function eventIncident(event: Record<string, unknown> | undefined): Incident | null {
  if (!event) return null;
  try {
    return parseIncident(event);
  } catch {
    return null;
  }
}

/** The key a simulation contains, in words, when it is a real one (given, or named by an event file); null for a test user's. */
export function realKeyOf(request: QuestionRequest, event: Record<string, unknown> | undefined): string | null {
  if (request.createTestUser) return null;
  if (!event) return request.accessKeyId ?? null;
  const file = shownValue(request.eventFile ?? '', 200);
  const incident = eventIncident(event);
  // The run says why the event cannot be read; the question still names the file.
  if (!incident) return `the key the event in ${file} names`;
  const owner = incident.userName ? ` of ${shownValue(incident.userName, 64)}` : '';
  return `${incident.accessKeyId}${owner} (named by the event in ${file})`;
}

/** Where the key of a simulation is, and who would act on it. */
export interface QuestionContext {
  /** The account the simulation acts in: the caller's, or the member's with --account. */
  accountId: string;
  local: boolean;
  stackName: string;
  /** For a run by the stack: whether it is an organisation's hub; undefined when not known. */
  hub?: boolean;
}

/**
 * The question asked before a real key is contained. It names the account the key is in: the one
 * the event names, which the stack acts on, not the caller's. When that is not the account this
 * runs in, it says so, and what then happens: a hub contains the key there through its role; a
 * single-account stack, or the steps run here, touch nothing there and only notify.
 */
export function containQuestion(real: string, incident: Incident | null, context: QuestionContext): string {
  const { accountId, local, stackName } = context;
  const where = local ? 'by the steps run here' : `by the stack ${stackName}`;
  if (!incident) return `Contain ${real} in the account the event names, ${where}?`;
  const received =
    incident.receivedBy && incident.receivedBy !== incident.accountId
      ? ` (the event was received by account ${incident.receivedBy})`
      : '';
  const named = `account ${incident.accountId}${received}`;
  if (incident.accountId === accountId) return `Contain ${real} in ${named}, ${where}?`;
  const elsewhere = `The event names ${named}, not this account (${accountId}).`;
  if (local)
    return `${elsewhere} The steps run here will not touch ${real} there and only notify. Run them with this event?`;
  if (context.hub === false)
    return `${elsewhere} The stack ${stackName} guards its own account only: it will not touch ${real} there and only notifies. Send it the event?`;
  const through = context.hub ? ', through its responder role there' : ' (when it is the hub of an organisation)';
  return `${elsewhere} Contain ${real} in account ${incident.accountId}, by the stack ${stackName}${through}?`;
}

/** Why the stack cannot read an event as an exposed key or a quarantine; null when it can. */
export function eventProblem(event: Record<string, unknown>): string | null {
  try {
    parseSignal(event);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The question asked before an event the stack cannot read is replayed: it contains nothing, and
 * the security team is alerted that an event could not be read, which is what a person agrees to.
 */
export function unreadableQuestion(
  eventFile: string,
  problem: string,
  context: Pick<QuestionContext, 'local' | 'stackName'>,
): string {
  const who = context.local ? 'the steps run here' : `the stack ${context.stackName}`;
  return `The event in ${shownValue(eventFile, 200)} cannot be read as an exposed-key event (${shownText(problem, 300)}): ${who} will contain nothing, and only alert that it could not be read. ${context.local ? 'Run them with' : 'Send it'} this event?`;
}
