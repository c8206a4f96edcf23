import { type ActivitySummary, COUNT_LISTS, type CountEntry } from '../activity/activity-summary.js';
import { verdictOf } from '../activity/verdict.js';
import { isRegionName } from '../aws/aws-names.js';
import { cutEnd, shownText, shownValue } from '../common/untrusted-text.js';
import { formatCount, plainTable } from '../format/plain-table.js';
import type { Incident } from '../incident/incident.js';
import { manualContainSteps } from './human-steps.js';
import { type IncidentOutcome, type IncidentReport, incidentOutcome, needsHuman } from './incident-outcome.js';

/** SNS subjects must be under 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;
/** SNS messages must be under 256 KB (262,144 bytes) with their attributes; this leaves room for them. */
export const MAX_MESSAGE_BYTES = 250_000;
/** Error texts are facts, but a pathological one must not crowd out the rest. */
const MAX_ERROR_LENGTH = 2_000;

/** A notification ready to publish. */
export interface Notification {
  subject: string;
  message: string;
  attributes: Record<string, string>;
  outcome: IncidentOutcome;
  /** True when some table rows were left out to fit SNS's size limit. */
  tablesTruncated: boolean;
}

const HEADLINES: Record<IncidentOutcome, string> = {
  deleted: 'Exposed key deleted',
  deactivated: 'Exposed key deactivated',
  'already-contained': 'Exposed key already contained',
  'not-found': 'ACTION REQUIRED: exposed key not found in this account',
  'other-account': 'ACTION REQUIRED: key of another account, not touched',
  'several-keys': 'ACTION REQUIRED: several exposed keys in one event, none contained',

  'notify-only': 'ACTION REQUIRED: exposed key still active',
  'manual-action-required': 'ACTION REQUIRED: contain exposed key by hand',
  'owner-mismatch': 'ACTION REQUIRED: key owner mismatch, nothing changed',
  planned: 'Dry run: exposed key',
  'containment-failed': 'ACTION REQUIRED: containment FAILED',
  'invalid-event': 'ACTION REQUIRED: unreadable exposed-key event',
  'not-attempted': 'ACTION REQUIRED: exposed key not contained',
};

/** Printable ASCII only: SNS rejects control characters and line breaks in subjects. */
function printableAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** The subject: outcome, key, user and account, cut to fit SNS's limit (the user name gives way first). */
export function buildSubject(report: IncidentReport): string {
  const headline = HEADLINES[incidentOutcome(report)];
  const incident = report.incident;
  if (!incident)
    return printableAscii(`${headline} (event ${cutEnd(report.rawEventId ?? 'unknown', 60)})`).slice(
      0,
      MAX_SUBJECT_LENGTH,
    );
  const account = ` in ${incident.accountId}`;
  const head = `${headline}: ${incident.accessKeyId}`;
  const user = incident.userName ?? (report.containment.status === 'done' ? report.containment.result.userName : null);
  let subject = head + account;
  if (user) {
    const room = MAX_SUBJECT_LENGTH - subject.length - 3;
    const cut = user.length > room ? `${user.slice(0, Math.max(0, room - 3))}...` : user;
    if (room > 3) subject = `${head} (${cut})${account}`;
  }
  return printableAscii(subject).slice(0, MAX_SUBJECT_LENGTH);
}

interface Limits {
  rows: number;
  risky: number;
  sessionKeys: number;
}

function countTable(title: string, entries: readonly CountEntry[], rows: number): string[] {
  if (entries.length === 0) return [];
  const shown = entries.slice(0, rows);
  const lines = [`${title} (${formatCount(entries.length)} distinct)`];
  if (shown.length > 0)
    lines.push(
      ...plainTable(
        [{ header: 'count', right: true }, { header: 'value' }],
        shown.map((entry) => [formatCount(entry.count), shownValue(entry.name, 200)]),
      ),
    );
  if (entries.length > shown.length) lines.push(`  … ${formatCount(entries.length - shown.length)} more not shown`);
  lines.push('');
  return lines;
}

function incidentFacts(report: IncidentReport): string[] {
  const incident = report.incident;
  if (!incident && report.eventKeys?.length)
    return [
      `The event names ${report.eventKeys.length} exposed keys. exposed-keys contains one key per incident, so it touched none of them: each needs a response.`,
      `  Keys:      ${report.eventKeys.join(', ')}`,
      `  Event id:  ${shownValue(report.rawEventId ?? 'unknown', 200)}`,
      `  Account:   ${shownValue(report.rawAccount ?? 'unknown', 200)}`,
    ];
  if (!incident)
    return [
      'The event that triggered this run could not be read as an exposed-key incident.',
      `  Event id:  ${shownValue(report.rawEventId ?? 'unknown', 200)}`,
      `  Account:   ${shownValue(report.rawAccount ?? 'unknown', 200)}`,
      `  Problem:   ${shownText(report.eventError ?? 'unknown', MAX_ERROR_LENGTH)}`,
    ];
  return [
    `  Access key:  ${incident.accessKeyId}`,
    `  User:        ${incident.userName === null ? '(not named by the event)' : shownValue(incident.userName)}`,
    `  Account:     ${incident.accountId}${incident.receivedBy ? ` (reported to ${incident.receivedBy})` : ''}`,

    `  Reported by: ${sourceName(incident)}${incident.fraudType ? ` (${incident.fraudType})` : ''}`,
    `  Found at:    ${incident.location === null ? '(not given)' : shownValue(incident.location, 300)}`,
    `  Case:        ${incident.caseId === null ? '(none)' : shownValue(incident.caseId)}`,
    `  Detected:    ${incident.detectedAt}`,
    `  Event id:    ${shownValue(incident.eventId)}`,
    ...(incident.notes ?? []).map((note) => `  Note:        ${shownText(note, 500)}`),
  ];
}

const SOURCE_NAMES: Record<Incident['source'], string> = {
  'trusted-advisor': 'Trusted Advisor "Exposed Access Keys"',
  health: 'AWS Health (RISK)',
  manual: 'a responder (exposed-keys respond)',
};

function sourceName(incident: Incident): string {
  return SOURCE_NAMES[incident.source];
}

function whatWasDone(report: IncidentReport): string[] {
  const lines: string[] = [];
  const { containment, investigation } = report;
  if (containment.status === 'done') {
    const result = containment.result;
    lines.push(
      `- Containment (${result.mode}${result.dryRun ? ', dry run' : ''}): ${result.outcome}. ${shownText(result.summary)}`,
    );
    for (const action of result.actions)
      lines.push(`  - ${action.kind}: ${action.status}, ${shownText(action.detail)}`);
    if (result.quarantinePolicies.length > 0)
      lines.push(
        `- AWS quarantine policy attached to ${shownValue(result.userName ?? '')}: ${result.quarantinePolicies.map((name) => shownValue(name)).join(', ')}. Left in place; remove it only once the incident is closed.`,
      );
    for (const warning of result.warnings) lines.push(`- WARNING: ${shownText(warning, MAX_ERROR_LENGTH)}`);
  } else if (containment.status === 'failed') {
    lines.push(`- Containment FAILED; the key may still be active: ${shownText(containment.error, MAX_ERROR_LENGTH)}`);
  } else {
    lines.push(`- Containment not attempted: ${shownText(containment.reason)}`);
  }
  if (investigation.status === 'done') {
    const { activity, sessionActivity } = investigation.result;
    lines.push(
      `- Investigation (${activity.source}): ${formatCount(activity.totalEvents)} events in ${activity.regions.searched.length} region(s) searched${activity.truncated ? ', TRUNCATED (a limit on events or time was hit)' : ''}.`,
    );
    if (sessionActivity.length > 0)
      lines.push(`- Followed ${sessionActivity.length} session key(s) minted by the key (second hop, below).`);
    for (const failed of activity.regions.failed)
      lines.push(`- Region NOT searched: ${shownValue(failed.region)}: ${shownText(failed.error, MAX_ERROR_LENGTH)}`);
  } else if (investigation.status === 'failed') {
    lines.push(`- Investigation FAILED: ${shownText(investigation.error, MAX_ERROR_LENGTH)}`);
  } else {
    lines.push(`- Investigation not run: ${shownText(investigation.reason)}`);
  }
  return lines;
}

function humanSteps(report: IncidentReport): string[] {
  const incident = report.incident;
  const steps: string[] = [];
  const { containment, investigation } = report;
  if (!incident && report.eventKeys?.length) {
    for (const key of report.eventKeys) steps.push(`Contain ${key}: exposed-keys respond --key ${key}`);
  } else if (!incident) {
    steps.push('Read the event in the Trusted Advisor or AWS Health console and contain the key it names by hand,');
    steps.push('or run `exposed-keys respond --key <AKIA…>`.');
  } else if (containment.status === 'done') {
    steps.push(...containment.result.humanSteps.map((step) => shownText(step)));
  } else {
    steps.push(...manualContainSteps(incident.accessKeyId, incident.userName));
  }
  if (incident && investigation.status === 'failed')
    steps.push(`Investigate by hand: exposed-keys investigate --key ${incident.accessKeyId}`);
  if (incident && investigation.status === 'done') {
    const { activity } = investigation.result;
    if (activity.regions.failed.length > 0)
      steps.push(
        `Search the regions that failed: exposed-keys investigate --key ${incident.accessKeyId} --regions ${
          activity.regions.failed
            .map((failed) => failed.region)
            .filter(isRegionName)
            .join(',') || '<regions>'
        }`,
      );
    if (activity.sessionKeys.length > 0)
      steps.push(
        `The key minted ${activity.sessionKeys.length} session key(s). Sessions of assumed roles keep working until they expire: revoke active sessions on those roles.`,
      );
  }
  return steps;
}

function followUps(report: IncidentReport): string[] {
  const incident = report.incident;
  if (!incident) return [];
  return [
    `Remove the key from where it leaked${incident.location ? ` (${shownValue(incident.location, 300)})` : ''}, including history.`,
    'Review the activity below: delete users, keys, roles and instances the attacker created.',
    'Give the workloads that used this key a new credential (preferably a role).',
  ];
}

function activitySection(title: string, summary: ActivitySummary, limits: Limits): string[] {
  const lines = [
    `${title}: ${shownValue(summary.accessKeyId)}${summary.userName ? ` (${shownValue(summary.userName)})` : ''}`,
    `  Window:   ${summary.window.start} .. ${summary.window.end} (${summary.source})`,
    `  Regions:  ${summary.regions.searched.map((region) => shownValue(region)).join(', ') || '(none)'}`,
    `  Events:   ${formatCount(summary.totalEvents)}${summary.firstSeen ? `, first ${summary.firstSeen}, last ${summary.lastSeen}` : ''}`,
    `  Verdict:  ${verdictOf(summary)}`,
    '',
  ];
  // The smallest message keeps the facts and the verdict alone: no table, no list of values.
  if (limits.rows === 0 && limits.risky === 0 && limits.sessionKeys === 0) {
    lines.push('(The tables of this activity are left out of this message: exposed-keys investigate shows them.)', '');
    return lines;
  }
  const risky = summary.riskyEvents;

  if (risky.length > 0) {
    lines.push(`Risky events, in time order (${formatCount(risky.length)})`);
    const shown = risky.slice(0, limits.risky);
    if (shown.length > 0)
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
  }
  if (summary.sessionKeys.length > 0) {
    const shown = summary.sessionKeys.slice(0, limits.sessionKeys);
    lines.push(
      `Session keys minted (${summary.sessionKeys.length}): ${shown.map((key) => shownValue(key)).join(', ')}`,
    );
    if (summary.sessionKeys.length > shown.length)
      lines.push(`  … ${summary.sessionKeys.length - shown.length} more not shown`);
    lines.push('');
  }
  for (const { field, title } of COUNT_LISTS) lines.push(...countTable(title, summary[field], limits.rows));
  return lines;
}

function numbered(steps: readonly string[]): string[] {
  return steps.map((step, index) => `${index + 1}. ${step}`);
}

function body(report: IncidentReport, limits: Limits): string {
  const outcome = incidentOutcome(report);
  const lines = [HEADLINES[outcome].toUpperCase(), '', 'INCIDENT', ...incidentFacts(report), '', 'WHAT WAS DONE'];
  lines.push(...whatWasDone(report), '');
  const steps = humanSteps(report);
  if (needsHuman(report) || steps.length > 0) {
    lines.push('WHAT YOU MUST DO NOW', ...(steps.length > 0 ? numbered(steps) : ['1. Contain the key by hand.']), '');
  }
  const later = followUps(report);
  if (later.length > 0) lines.push('THEN', ...numbered(later), '');
  if (report.investigation.status === 'done') {
    const { activity, sessionActivity } = report.investigation.result;
    lines.push('ACTIVITY', ...activitySection('Key', activity, limits));
    for (const session of sessionActivity)
      lines.push(
        ...activitySection('Session key (second hop)', session, {
          ...limits,
          rows: Math.min(limits.rows, 5),
        }),
      );
  }
  lines.push('-- ', 'Sent by exposed-keys. Full detail: exposed-keys investigate --key <key> --json');
  return lines.join('\n');
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

/**
 * Builds the one SNS message of an incident: plain text that reads well in an e-mail. It says what
 * happened, what was done and what failed, what a human must do now, and the activity. Tables are
 * cut to keep it under SNS's limit; the facts never are.
 */
export function buildNotification(report: IncidentReport): Notification {
  let message = '';
  let tablesTruncated = false;
  for (const [index, limits] of LIMITS.entries()) {
    message = body(report, limits);
    tablesTruncated = index > 0;
    if (bytes(message) <= MAX_MESSAGE_BYTES) break;
  }
  // Only many session summaries can get here: drop them, they are the least urgent part.
  if (bytes(message) > MAX_MESSAGE_BYTES) return buildPlainNotification(report);
  return notificationOf(report, message, tablesTruncated);
}

/**
 * The same message without any activity table or session summary: the facts, what was done, what
 * failed and what to do. It is what goes out when SNS refuses the whole message, so that an alert
 * always goes out.
 */
export function buildPlainNotification(report: IncidentReport): Notification {
  const investigation = report.investigation;
  const plain: IncidentReport =
    investigation.status === 'done'
      ? { ...report, investigation: { status: 'done', result: { ...investigation.result, sessionActivity: [] } } }
      : report;
  return notificationOf(report, body(plain, LIMITS.at(-1) as Limits), true);
}

function notificationOf(report: IncidentReport, message: string, tablesTruncated: boolean): Notification {
  const outcome = incidentOutcome(report);
  const incident = report.incident;
  return {
    subject: buildSubject(report),
    message,
    outcome,
    tablesTruncated,
    attributes: {
      source: incident?.source ?? 'unknown',
      outcome,
      account:
        incident?.accountId ?? (/^\d{12}$/.test(report.rawAccount ?? '') ? (report.rawAccount as string) : 'unknown'),
      ...(incident ? { accessKeyId: incident.accessKeyId } : {}),
    },
  };
}
