import { type ActivitySummary, COUNT_LISTS, type CountEntry } from '../activity/activity-summary.js';
import { verdictOf } from '../activity/verdict.js';
import { isRegionName } from '../aws/aws-names.js';
import { clip, formatCount, plainTable } from '../format/plain-table.js';
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
    return printableAscii(`${headline} (event ${(report.rawEventId ?? 'unknown').slice(0, 60)})`).slice(
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
        shown.map((entry) => [formatCount(entry.count), clip(entry.name, 200)]),
      ),
    );
  if (entries.length > shown.length) lines.push(`  … ${formatCount(entries.length - shown.length)} more not shown`);
  lines.push('');
  return lines;
}

function incidentFacts(report: IncidentReport): string[] {
  const incident = report.incident;
  if (!incident)
    return [
      'The event that triggered this run could not be read as an exposed-key incident.',
      `  Event id:  ${clip(report.rawEventId ?? 'unknown', 200)}`,
      `  Account:   ${clip(report.rawAccount ?? 'unknown', 200)}`,
      `  Problem:   ${clip(report.eventError ?? 'unknown', MAX_ERROR_LENGTH)}`,
    ];
  return [
    `  Access key:  ${incident.accessKeyId}`,
    `  User:        ${incident.userName ?? '(not named by the event)'}`,
    `  Account:     ${incident.accountId}`,
    `  Reported by: ${sourceName(incident)}${incident.fraudType ? ` (${incident.fraudType})` : ''}`,
    `  Found at:    ${incident.location ?? '(not given)'}`,
    `  Case:        ${incident.caseId ?? '(none)'}`,
    `  Detected:    ${incident.detectedAt}`,
    `  Event id:    ${incident.eventId}`,
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
      `- Containment (${result.mode}${result.dryRun ? ', dry run' : ''}): ${result.outcome}. ${result.summary}`,
    );
    for (const action of result.actions) lines.push(`  - ${action.kind}: ${action.status}, ${action.detail}`);
    if (result.quarantinePolicies.length > 0)
      lines.push(
        `- AWS quarantine policy attached to ${result.userName}: ${result.quarantinePolicies.join(', ')}. Left in place; remove it only once the incident is closed.`,
      );
    for (const warning of result.warnings) lines.push(`- WARNING: ${clip(warning, MAX_ERROR_LENGTH)}`);
  } else if (containment.status === 'failed') {
    lines.push(`- Containment FAILED; the key may still be active: ${clip(containment.error, MAX_ERROR_LENGTH)}`);
  } else {
    lines.push(`- Containment not attempted: ${containment.reason}`);
  }
  if (investigation.status === 'done') {
    const { activity, sessionActivity } = investigation.result;
    lines.push(
      `- Investigation (${activity.source}): ${formatCount(activity.totalEvents)} events in ${activity.regions.searched.length} region(s) searched${activity.truncated ? ', TRUNCATED (a limit on events or time was hit)' : ''}.`,
    );
    if (sessionActivity.length > 0)
      lines.push(`- Followed ${sessionActivity.length} session key(s) minted by the key (second hop, below).`);
    for (const failed of activity.regions.failed)
      lines.push(`- Region NOT searched: ${failed.region}: ${clip(failed.error, MAX_ERROR_LENGTH)}`);
  } else if (investigation.status === 'failed') {
    lines.push(`- Investigation FAILED: ${clip(investigation.error, MAX_ERROR_LENGTH)}`);
  } else {
    lines.push(`- Investigation not run: ${investigation.reason}`);
  }
  return lines;
}

function humanSteps(report: IncidentReport): string[] {
  const incident = report.incident;
  const steps: string[] = [];
  const { containment, investigation } = report;
  if (!incident) {
    steps.push('Read the event in the Trusted Advisor or AWS Health console and contain the key it names by hand,');
    steps.push('or run `exposed-keys respond --key <AKIA…>`.');
  } else if (containment.status === 'done') {
    steps.push(...containment.result.humanSteps);
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
    `Remove the key from where it leaked${incident.location ? ` (${incident.location})` : ''}, including history.`,
    'Review the activity below: delete users, keys, roles and instances the attacker created.',
    'Give the workloads that used this key a new credential (preferably a role).',
  ];
}

function activitySection(title: string, summary: ActivitySummary, limits: Limits): string[] {
  const lines = [
    `${title}: ${summary.accessKeyId}${summary.userName ? ` (${summary.userName})` : ''}`,
    `  Window:   ${summary.window.start} .. ${summary.window.end} (${summary.source})`,
    `  Regions:  ${summary.regions.searched.join(', ') || '(none)'}`,
    `  Events:   ${formatCount(summary.totalEvents)}${summary.firstSeen ? `, first ${summary.firstSeen}, last ${summary.lastSeen}` : ''}`,
    `  Verdict:  ${verdictOf(summary)}`,
    '',
  ];
  const risky = summary.riskyEvents;
  if (risky.length > 0) {
    lines.push(`Risky events, in time order (${formatCount(risky.length)})`);
    const shown = risky.slice(0, limits.risky);
    if (shown.length > 0)
      lines.push(
        ...plainTable(
          [{ header: 'time' }, { header: 'category' }, { header: 'event' }, { header: 'region' }, { header: 'error' }],
          shown.map((event) => [
            event.eventTime,
            event.category,
            event.eventName,
            event.awsRegion,
            event.errorCode ?? '',
          ]),
        ),
      );
    if (risky.length > shown.length) lines.push(`  … ${formatCount(risky.length - shown.length)} more not shown`);
    lines.push('');
  }
  if (summary.sessionKeys.length > 0) {
    const shown = summary.sessionKeys.slice(0, limits.sessionKeys);
    lines.push(`Session keys minted (${summary.sessionKeys.length}): ${shown.join(', ')}`);
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
  const outcome = incidentOutcome(report);
  let message = '';
  let tablesTruncated = false;
  for (const [index, limits] of LIMITS.entries()) {
    message = body(report, limits);
    tablesTruncated = index > 0;
    if (bytes(message) <= MAX_MESSAGE_BYTES) break;
  }
  if (bytes(message) > MAX_MESSAGE_BYTES) {
    // Only many session summaries can get here: drop them, they are the least urgent part.
    const investigation = report.investigation;
    if (investigation.status === 'done')
      message = body(
        {
          ...report,
          investigation: { status: 'done', result: { ...investigation.result, sessionActivity: [] } },
        },
        LIMITS.at(-1) as Limits,
      );
  }
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
