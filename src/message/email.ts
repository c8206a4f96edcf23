import { type ActivitySummary, COUNT_LISTS, type CountEntry } from '../activity/activity-summary.js';
import { activityInBrief, verdictLines } from '../activity/verdict.js';
import { shownText, shownValue, shownValues } from '../common/untrusted-text.js';
import { formatCount, plainTable } from '../format/plain-table.js';
import { isAccessKeyId } from '../incident/access-key-id.js';
import type { IncidentOutcome, IncidentReport } from '../steps/incident-outcome.js';
import { fitBytes } from './fit.js';
import { type ActivityPart, accountFlag, type IncidentMessage, memberAccount } from './incident-message.js';
import { messageOf } from './message-of.js';

/** The longest reason shown for a region not searched, in the activity's section. */
const MAX_FAILED_REGION_ERROR = 200;

/** SNS subjects must be under 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;
/** SNS messages must be under 256 KB (262,144 bytes) with their attributes; this leaves room for them. */
export const MAX_MESSAGE_BYTES = 250_000;

/** A notification ready to publish. */
export interface Notification {
  subject: string;
  message: string;
  attributes: Record<string, string>;
  outcome: IncidentOutcome;
  /** True when some table rows were left out to fit SNS's size limit. */
  tablesTruncated: boolean;
}

/** Printable ASCII only: SNS rejects control characters and line breaks in subjects. One `?` a code point. */
export function printableAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, '?');
}

const ELLIPSIS = '...';
/** How much of a user name or an event id a subject keeps before its headline gives way. */
const NAME_KEPT = 16;

/** `text` (printable ASCII) in at most `room` characters, with an ellipsis when cut; empty when that does not fit. */
function shortened(text: string, room: number): string {
  if (text.length <= room) return text;
  return room > ELLIPSIS.length ? `${text.slice(0, room - ELLIPSIS.length)}${ELLIPSIS}` : '';
}

/**
 * A headline and a name sharing `room` characters: the name gives way first, down to `kept`
 * characters, then the headline.
 */
function sharing(headline: string, name: string, room: number, kept: number): [string, string] {
  const head = shortened(headline, room - Math.min(name.length, kept));
  return [head, shortened(name, room - head.length)];
}

/**
 * The subject: outcome, key, user and account, within SNS's limit. The key and the account are
 * always whole; the user name (or the event id) gives way first, then the headline.
 */
export function subjectOf(message: IncidentMessage, rawEventId?: string | null): string {
  // The key and the account are checked where they are read (20 and 12 characters), so this cut
  // never reaches them: it only keeps SNS's limit whatever a message holds.
  return fittedSubject(message, rawEventId).slice(0, MAX_SUBJECT_LENGTH);
}

function fittedSubject(message: IncidentMessage, rawEventId?: string | null): string {
  const headline = printableAscii(message.headline);
  const account = ` in ${printableAscii(message.accountId ?? 'unknown')}`;
  if (!message.accessKeyId && message.userName) {
    const room = MAX_SUBJECT_LENGTH - ': '.length - account.length;
    const [head, user] = sharing(headline, printableAscii(message.userName), room, NAME_KEPT);
    return `${head}: ${user}${account}`;
  }
  if (!message.accessKeyId) {
    // Every subject leads a responder to the account, when the event gave one.
    const where = message.accountId ? account : '';
    const room = MAX_SUBJECT_LENGTH - ' (event )'.length - where.length;
    const [head, id] = sharing(headline, printableAscii(rawEventId ?? 'unknown'), room, NAME_KEPT);
    return `${head} (event ${id})${where}`;
  }
  const key = `: ${printableAscii(message.accessKeyId)}`;
  const room = MAX_SUBJECT_LENGTH - key.length - account.length;
  if (message.userName) {
    const [head, user] = sharing(headline, printableAscii(message.userName), room - ' ()'.length, 0);
    if (user) return `${head}${key} (${user})${account}`;
  }
  return `${shortened(headline, room)}${key}${account}`;
}

/** How many rows of each table a message holds. */
interface Limits {
  rows: number;
  risky: number;
  sessionKeys: number;
}

/** A label, then lines that hang under the text after it: the head reads as a form. */
function field(label: string, lines: readonly string[]): string[] {
  const pad = ' '.repeat(15);
  return lines.map((line, index) => `${index === 0 ? label.padEnd(15) : pad}${line}`);
}

function head(message: IncidentMessage): string[] {
  return [
    ...field('What happened', [message.happened]),
    ...field('Key now', [message.keyNow]),
    ...field(
      'Attacker did',
      message.attackerDid.map((act) => `- ${act}`),
    ),
    ...field(
      'Do now',
      message.doNow.map((step, index) => `${index + 1}. ${step}`),
    ),
  ];
}

/** `distinct`: how many values the list had before it was cut to fit the state machine's state. */
function countTable(title: string, entries: readonly CountEntry[], rows: number, distinct = entries.length): string[] {
  if (entries.length === 0) return [];
  const shown = entries.slice(0, rows);
  const names = shownValues(
    shown.map((entry) => entry.name),
    120,
  );
  const lines = [`${title} (${formatCount(distinct)} distinct)`];
  lines.push(
    ...plainTable(
      [{ header: 'count', right: true }, { header: 'value' }],
      shown.map((entry, index) => [formatCount(entry.count), names[index] as string]),
    ),
  );
  if (distinct > shown.length) lines.push(`  … ${formatCount(distinct - shown.length)} more not shown`);
  lines.push('');
  return lines;
}

function riskyTable(summary: ActivitySummary, limit: number): string[] {
  const risky = summary.riskyEvents;
  if (risky.length === 0) return [];
  const shown = risky.slice(0, limit);
  const lines = [`Risky events, in time order (${formatCount(risky.length)})`];
  lines.push(
    ...plainTable(
      [{ header: 'time' }, { header: 'category' }, { header: 'event' }, { header: 'region' }, { header: 'error' }],
      shown.map((event) => [
        shownValue(event.eventTime, 40),
        event.category,
        shownValue(event.eventName, 80),
        shownValue(event.awsRegion, 40),
        shownValue(event.errorCode ?? '', 80),
      ]),
    ),
  );
  if (risky.length > shown.length) lines.push(`  … ${formatCount(risky.length - shown.length)} more not shown`);
  lines.push('');
  return lines;
}

function activitySection(part: ActivityPart, limits: Limits): string[] {
  const { title, summary, cut } = part;
  const verdict = verdictLines(summary);
  const lines = [
    `${title}: ${shownValue(summary.accessKeyId)}${summary.userName ? ` (${shownValue(summary.userName)})` : ''}`,
    `  Window:   ${summary.window.start} .. ${summary.window.end} (${summary.source})`,
    `  Regions:  ${summary.regions.searched.map((region) => shownValue(region)).join(', ') || '(none)'}`,
    ...summary.regions.failed.map(
      (failed) => `  NOT searched: ${shownValue(failed.region)}: ${shownText(failed.error, MAX_FAILED_REGION_ERROR)}`,
    ),
    `  Events:   ${formatCount(summary.totalEvents)}${summary.firstSeen ? `, first ${summary.firstSeen}, last ${summary.lastSeen}` : ''}`,
    `  In brief: ${activityInBrief(summary, cut)}`,
    ...verdict.map((line) => `    - ${line.text}`),
    '',
  ];
  // The smallest message keeps the facts and the acts alone: no table, no list of values.
  if (limits.rows === 0 && limits.risky === 0 && limits.sessionKeys === 0) {
    lines.push('(The tables of this activity are left out of this message: exposed-keys investigate shows them.)', '');
    return lines;
  }
  lines.push(...riskyTable(summary, limits.risky));
  const minted = cut?.sessionKeys ?? summary.sessionKeys.length;
  if (minted > 0) {
    const shown = summary.sessionKeys.slice(0, limits.sessionKeys);
    lines.push(`Session keys minted (${formatCount(minted)}): ${shown.map((key) => shownValue(key)).join(', ')}`);
    if (minted > shown.length) lines.push(`  … ${formatCount(minted - shown.length)} more not shown`);
    lines.push('');
  }
  for (const { field: list, title: name } of COUNT_LISTS)
    lines.push(...countTable(name, summary[list], limits.rows, cut?.distinct[list]));
  return lines;
}

/** The body: the head first (what happened, the key now, what the attacker did, what to do), then the detail. */
function body(message: IncidentMessage, limits: Limits, sessions: boolean, detail: string): string {
  // Every message leads with the account: in an organisation, the first thing a responder needs.
  const lines = [`Account ${message.account}`, message.headline.toUpperCase(), '', ...head(message), '', 'INCIDENT'];
  for (const [label, value] of message.facts) lines.push(`  ${`${label}:`.padEnd(13)}${value}`);
  lines.push('', 'WHAT WAS DONE', ...message.done.map((line) => (line.startsWith('  ') ? line : `- ${line}`)), '');
  if (message.left.length > 0) {
    const [brief, ...items] = message.left;
    lines.push(
      'WHAT THE ATTACKER LEFT (checked now; nothing was removed)',
      `  ${brief}`,
      ...items.map((line) => `- ${line}`),
      '',
    );
  }
  const [own, ...others] = message.activity;
  if (own) {
    lines.push('ACTIVITY', ...activitySection(own, limits));
    if (sessions)
      for (const part of others) lines.push(...activitySection(part, { ...limits, rows: Math.min(limits.rows, 5) }));
  }
  lines.push('-- ', `Sent by exposed-keys. Full detail: ${detail}`);
  return lines.join('\n');
}

/** The command that shows all an investigation found, of the message's key, in its account. */
function detailCommand(report: IncidentReport, message: IncidentMessage): string {
  const account = accountFlag(memberAccount(report.actedFrom, message.accountId));
  // The key comes from the event: only a well-formed one goes into a command.
  const key = message.accessKeyId && isAccessKeyId(message.accessKeyId) ? message.accessKeyId : '<key>';
  return `exposed-keys investigate --key ${key}${account} --json`;
}

/** Ever smaller tables, tried in turn until the message fits. */
const LIMITS: readonly Limits[] = [
  { rows: 15, risky: 200, sessionKeys: 50 },
  { rows: 10, risky: 100, sessionKeys: 25 },
  { rows: 5, risky: 50, sessionKeys: 10 },
  { rows: 3, risky: 20, sessionKeys: 5 },
  { rows: 0, risky: 0, sessionKeys: 0 },
];

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function notificationOf(report: IncidentReport, message: IncidentMessage, text: string, cut: boolean): Notification {
  return {
    subject: subjectOf(message, report.rawEventId),
    message: text,
    outcome: message.outcome,
    tablesTruncated: cut,
    attributes: {
      source: message.source,
      outcome: message.outcome,
      account: message.accountId ?? 'unknown',
      ...(message.accessKeyId ? { accessKeyId: message.accessKeyId } : {}),
    },
  };
}

/**
 * The one e-mail of an incident, as SNS carries it: plain text that reads well on a phone, the
 * head first, then the detail. Tables are cut to keep it under SNS's limit; the facts never are.
 */
export function buildNotification(report: IncidentReport): Notification {
  const message = messageOf(report);
  for (const [index, limits] of LIMITS.entries()) {
    const text = body(message, limits, true, detailCommand(report, message));
    if (bytes(text) <= MAX_MESSAGE_BYTES) return notificationOf(report, message, text, index > 0);
  }
  // Only many session summaries can get here: drop them, they are the least urgent part.
  return buildPlainNotification(report);
}

/**
 * The same message without any activity table or session summary: the head, the facts, what was
 * done, what failed and what to do, cut (and saying so) if it still passes SNS's limit. It is what
 * goes out when SNS refuses the whole message, so that an alert always goes out.
 */
export function buildPlainNotification(report: IncidentReport): Notification {
  const message = messageOf(report);
  // Its lines grow with what failed (errors, regions, session keys): a hard cap keeps it within SNS's
  // limit whatever they hold. The head and the facts come first, so the cut takes the least urgent.
  const detail = detailCommand(report, message);
  const cut = `\n\n[… message cut here to fit SNS's size limit. Full detail: ${detail}]`;
  return notificationOf(
    report,
    message,
    fitBytes(body(message, LIMITS.at(-1) as Limits, false, detail), MAX_MESSAGE_BYTES, cut),
    true,
  );
}
