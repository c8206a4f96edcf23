import { type ActivitySummary, type FailedRegion, windowFlags } from '../activity/activity-summary.js';
import { RISK_CATEGORIES, type RiskCategory } from '../activity/risky-events.js';
import { activityInBrief, searchGap, verdictLines } from '../activity/verdict.js';
import { isRegionName } from '../aws/aws-names.js';
import { shownText, shownValue } from '../common/untrusted-text.js';
import { formatCount } from '../format/plain-table.js';
import { isAccessKeyId } from '../incident/access-key-id.js';
import type { Incident } from '../incident/incident.js';
import { isRootUserName } from '../incident/user-name.js';
import type { ContainmentResult } from '../steps/contain.js';
import { accountAccessFailure, accountAccessSteps, manualContainSteps } from '../steps/human-steps.js';
import {
  accessStillHeld,
  type FollowUpOutcome,
  type IncidentOutcome,
  type IncidentReport,
  incidentOutcome,
  needsHuman,
} from '../steps/incident-outcome.js';
import type { Inventory } from '../steps/inventory/inventory-types.js';
import type { Investigation, InvestigationCut, SessionKeysNotSearched } from '../steps/investigate.js';
import { inventoryInBrief, inventoryLines } from './leftovers.js';

/*
 * One model of what a responder reads, whatever carries it: the e-mail, the terminal, a chat
 * message. Renderers lay it out within their channel's limits; they never decide what it says.
 * Every text from outside (the event, CloudTrail, AWS errors) is made inert and cut here.
 */

/** A part of the activity: the key's own, or a session key's (second hop). */
export interface ActivityPart {
  title: string;
  summary: ActivitySummary;
  /** The sizes before the summary was cut to fit the state machine's state, when it was. */
  cut?: InvestigationCut;
}

/** What a responder reads first, and the detail below it. */
export interface IncidentMessage {
  /** The key's account, as every message leads with it: `123456789012 (Payments)`, the name where known. */
  account: string;
  outcome: IncidentOutcome;
  /** "Exposed key deleted", "ACTION REQUIRED: contain exposed key by hand". */
  headline: string;
  /** True when a human must act now. */
  urgent: boolean;
  /** The head, read first: what happened, whether the key is dead, what the attacker did, what to do. */
  happened: string;
  keyNow: string;
  /** A few short bullets, the most severe first. */
  attackerDid: string[];
  /** Every step a human must take, urgent first, numbered by the renderer. */
  doNow: string[];
  /** The incident's facts, label and value. */
  facts: [string, string][];
  /** What exposed-keys did, and what failed. */
  done: string[];
  /** What the attacker left, checked now (read only), each with its command; empty when no inventory was taken. */
  left: string[];
  /** One line per kind of risky act, for the detail. */
  verdict: string[];
  activity: ActivityPart[];
  /** For the subject and the message attributes. */
  accessKeyId: string | null;
  userName: string | null;
  accountId: string | null;
  /** The account's name, as Organizations gives it (organisation mode); null when not known. */
  accountName: string | null;
  source: string;
}

/** Error texts are facts, but a pathological one must not crowd out the rest. */
const MAX_ERROR_LENGTH = 2_000;
/** How many acts of a category the head names. */
const ACTS_IN_HEAD = 4;

const CATEGORY_NAMES: Record<RiskCategory, string> = {
  'defense-evasion': 'covered tracks',
  persistence: 'stayed in',
  'credential-minting': 'took new credentials',
  'credential-access': 'took stored secrets',
  'resource-abuse': 'used resources',
};

/** The headline of each outcome of a new incident (a follow-up has its own: follow-up-message.ts). */
export const HEADLINES: Record<Exclude<IncidentOutcome, FollowUpOutcome>, string> = {
  deleted: 'Exposed key deleted',
  deactivated: 'Exposed key deactivated',
  'already-contained': 'Exposed key already contained',
  'not-found': 'ACTION REQUIRED: exposed key not found in this account',
  'other-account': 'ACTION REQUIRED: key of another account, not touched',
  'outside-organization': 'ACTION REQUIRED: key outside the organization, not touched',
  'several-keys': 'ACTION REQUIRED: several exposed keys in one event, none contained',
  'notify-only': 'ACTION REQUIRED: exposed key still active',
  'manual-action-required': 'ACTION REQUIRED: contain exposed key by hand',
  'owner-mismatch': 'ACTION REQUIRED: key owner mismatch, nothing changed',
  planned: 'Dry run: exposed key',
  'containment-failed': 'ACTION REQUIRED: containment FAILED',
  'invalid-event': 'ACTION REQUIRED: unreadable exposed-key event',
  'not-attempted': 'ACTION REQUIRED: exposed key not contained',
  joined: 'Exposed key reported again, same incident',
  'user-quarantined': 'AWS quarantined a user whose key leaked',
};

/** How the message names who reported the key. */
export const SOURCE_NAMES: Record<Incident['source'], string> = {
  'trusted-advisor': 'Trusted Advisor "Exposed Access Keys"',
  health: 'AWS Health (RISK)',
  manual: 'a responder (exposed-keys respond)',
};

function ownerOf(report: IncidentReport): string | null {
  return (
    report.incident?.userName ?? (report.containment.status === 'done' ? report.containment.result.userName : null)
  );
}

function happened(report: IncidentReport): string {
  const incident = report.incident;
  if (!incident && report.eventKeys?.length)
    return `An event named ${report.eventKeys.length} exposed keys (${report.eventKeys.join(', ')}) in account ${shownValue(report.rawAccount ?? 'unknown', 20)}.`;
  if (!incident)
    return `An exposed-key event arrived that could not be read (event ${shownValue(report.rawEventId ?? 'unknown', 80)}).`;
  const owner = ownerOf(report);
  const by = `${SOURCE_NAMES[incident.source]}${incident.fraudType ? ` as ${incident.fraudType}` : ''}`;
  const where = incident.location ? `, found at ${shownValue(incident.location, 200)}` : '';
  const whose = owner === null ? '' : isRootUserName(owner) ? ' of the root user' : ` of ${shownValue(owner, 64)}`;
  return `${incident.accessKeyId}${whose} in account ${incident.accountId}, reported by ${by}${where}.`;
}

function sessionsNow(result: ContainmentResult): string {
  const revoke = result.actions.find((action) => action.kind === 'revoke-sessions');
  // A key deleted or deactivated without a revocation was contained with it turned off: "can no
  // longer be used" alone would let a reader think the attacker's sessions ended with it.
  if (!revoke) return ' Sessions it minted were NOT revoked (session revocation is off): they work until they expire.';
  if (revoke.status === 'done') return ' Sessions it minted before then are denied.';
  if (revoke.status === 'failed') return ' Sessions it minted are STILL VALID: revoking them failed.';
  return '';
}

function deletionNow(result: ContainmentResult, member: string | null): string {
  if (result.deleteAt)
    return ` It will be DELETED at ${result.deleteAt} unless released (exposed-keys release --key ${result.accessKeyId}${accountFlag(member)}).`;
  if (result.mode === 'deactivate-then-delete') return ' Its deletion is NOT scheduled: delete it by hand (below).';
  return '';
}

/*
 * A failure Step Functions or Lambda names (a time-out, a function that died or could not run) says
 * nothing of how far the function got: it may have died after IAM deleted the key.
 */
const FUNCTION_DIED = /^(States|Lambda|Sandbox|Runtime)\./;

/** Whether a failed containment may have contained the key after all: only a refusal shows it did not. */
function mayHaveContained(error: string): boolean {
  return /may still be active/i.test(error) || FUNCTION_DIED.test(error);
}

function keyNow(report: IncidentReport): string {
  const { containment } = report;
  if (containment.status === 'failed')
    return `${mayHaveContained(containment.error) ? 'MAY STILL BE ACTIVE' : 'STILL ACTIVE'}: containment failed (${shownText(containment.error, 300)}).`;
  if (containment.status === 'skipped') return `NOT CONTAINED: ${shownText(containment.reason, 300)}.`;
  const result = containment.result;
  const summary = shownText(result.summary, 400);
  switch (result.outcome) {
    case 'deleted':
      return `DELETED: it can no longer be used.${sessionsNow(result)}`;
    case 'deactivated':
      return `DEACTIVATED: it can no longer be used (it still exists, inactive).${sessionsNow(result)}${deletionNow(result, memberAccount(report.actedFrom, report.incident?.accountId))}`;
    case 'already-contained':
      return `Already contained: ${summary}`;
    case 'planned':
      // The plan's summary begins "Dry run:" too, which the label already says.
      return `Unchanged (dry run): ${summary.replace(/^Dry run: /, '')}`;
    case 'not-found':
    case 'other-account':
    case 'outside-organization':
      return `UNKNOWN here, nothing touched: ${summary}`;
    default:
      return `STILL ACTIVE: ${summary}`;
  }
}

function attackerDid(report: IncidentReport): string[] {
  const { investigation } = report;
  if (investigation.status === 'failed') return ['not known: the investigation failed (see below).'];
  if (investigation.status === 'skipped') return ['not known: the investigation did not run.'];
  const { activity, sessionActivity } = investigation.result;
  const lines = verdictLines(activity);
  // One bullet per category, most severe first, its acts in short: the detail below names them.
  const own = RISK_CATEGORIES.flatMap((category) => {
    const acts = lines.filter((line) => line.category === category).map((line) => line.short);
    return acts.length === 0 ? [] : [`${CATEGORY_NAMES[category]}: ${inShort(acts)}`];
  });
  const gap = searchGap(activity);
  const { cut } = investigation.result;
  const keptRisky = cut && cut.riskyEvents > activity.riskyEvents.length ? cut : null;
  const ownLines = [
    ...(own.length === 0 ? [activityInBrief(activity, cut)] : own),
    ...(keptRisky
      ? [
          `counted from ${formatCount(activity.riskyEvents.length)} of its ${formatCount(keptRisky.riskyEvents)} risky calls (the first of each kind among them): this notification carries a cut summary, exposed-keys investigate gives it whole.`,
        ]
      : []),
    ...(gap ? [`the search was NOT complete: ${gap}; it may have done more than this.`] : []),
  ];
  const through = sessionActs(sessionActivity, cut?.sessions);
  const left = investigation.result.sessionKeysNotSearched;
  return [
    ...ownLines,
    ...(through ? [through] : []),
    ...(left
      ? [`${formatCount(left.count)} session key(s) minted were NOT searched: it may have done more through them.`]
      : []),
  ];
}

/** At most {@link ACTS_IN_HEAD} acts, and how many more. */
function inShort(acts: readonly string[]): string {
  const shown = acts.slice(0, ACTS_IN_HEAD);
  return `${shown.join(', ')}${acts.length > shown.length ? `, and ${acts.length - shown.length} more` : ''}`;
}

/**
 * The risky acts of the session keys the key minted, in one bullet, most severe first (what an
 * attacker does with an assumed role is the key's doing too); null when they made none.
 */
function sessionActs(sessions: readonly ActivitySummary[], cuts?: readonly InvestigationCut[]): string | null {
  const lines = verdictLines({ riskyEvents: sessions.flatMap((session) => session.riskyEvents) });
  const risky = sessions.map((session, index) => cuts?.[index]?.riskyEvents ?? session.riskyEvents.length);
  const all = risky.reduce((sum, count) => sum + count, 0);
  const kept = sessions.reduce((sum, session) => sum + session.riskyEvents.length, 0);
  const keys = risky.filter((count) => count > 0).length;
  if (all === 0) return null;
  const minted = `through ${keys} session key${keys === 1 ? '' : 's'} it minted`;
  if (lines.length === 0)
    return `${minted}: ${formatCount(all)} risky call(s), not carried in this notification (cut to fit): exposed-keys investigate gives them.`;
  const counted =
    kept < all
      ? ` (counted from ${formatCount(kept)} of their ${formatCount(all)} risky calls, the first of each kind)`
      : '';
  return `${minted}: ${inShort(lines.map((line) => line.short))}${counted}`;
}

/** A duration in words a responder reads at a glance: "3 d 4 h", "2 h 5 min", "40 s". */
export function duration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const [days, hours, minutes] = [
    Math.floor(seconds / 86_400),
    Math.floor(seconds / 3600) % 24,
    Math.floor(seconds / 60) % 60,
  ];
  const text =
    days > 0
      ? `${days} d ${hours} h`
      : hours > 0
        ? `${hours} h ${minutes} min`
        : minutes > 0
          ? `${minutes} min ${seconds % 60} s`
          : `${seconds} s`;
  return ms < 0 ? `-${text}` : text;
}

/** When `time` was, said from the detection: "5 min 0 s before detection", "40 s after detection". */
function fromDetection(time: number, detected: number): string {
  const gap = time - detected;
  if (gap === 0) return 'at detection';
  return `${duration(Math.abs(gap))} ${gap < 0 ? 'before' : 'after'} detection`;
}

/**
 * How fast it went: from the key's first call seen (in the window searched) to the detection (the
 * event's time), and from the detection to containment.
 */
function timeMetrics(report: IncidentReport, detectedAt: string): [string, string][] {
  const detected = Date.parse(detectedAt);
  if (Number.isNaN(detected)) return [];
  const metrics: [string, string][] = [];
  const firstSeen = report.investigation.status === 'done' ? report.investigation.result.activity.firstSeen : null;
  if (firstSeen)
    metrics.push([
      'First seen',
      `${firstSeen}, ${fromDetection(Date.parse(firstSeen), detected)} (first call in the window searched)`,
    ]);
  const containedAt = report.containment.status === 'done' ? report.containment.result.containedAt : undefined;
  if (containedAt) metrics.push(['Contained', `${containedAt}, ${fromDetection(Date.parse(containedAt), detected)}`]);
  return metrics;
}

function facts(report: IncidentReport): [string, string][] {
  const incident = report.incident;
  if (!incident)
    return [
      ['Event id', shownValue(report.rawEventId ?? 'unknown', 200)],
      ['Account', shownValue(report.rawAccount ?? 'unknown', 200)],
      ...(report.rawReceivedBy
        ? [['Received by', `${shownValue(report.rawReceivedBy, 200)} (organisational view)`] as [string, string]]
        : []),
      ...(report.eventKeys?.length ? [['Keys', report.eventKeys.join(', ')] as [string, string]] : []),
      ['Problem', shownText(report.eventError ?? 'unknown', MAX_ERROR_LENGTH)],
    ];
  return [
    ['Access key', incident.accessKeyId],
    ['User', incident.userName === null ? '(not named by the event)' : shownValue(incident.userName)],
    ['Account', `${incident.accountId}${incident.receivedBy ? ` (reported to ${incident.receivedBy})` : ''}`],
    ['Reported by', `${SOURCE_NAMES[incident.source]}${incident.fraudType ? ` (${incident.fraudType})` : ''}`],
    ['Found at', incident.location === null ? '(not given)' : shownValue(incident.location, 300)],
    ['Case', incident.caseId === null ? '(none)' : shownValue(incident.caseId)],
    ['Detected', incident.detectedAt],
    ...timeMetrics(report, incident.detectedAt),
    ['Event id', shownValue(incident.eventId)],
    ...(incident.notes ?? []).map((note): [string, string] => ['Note', shownText(note, 500)]),
  ];
}

function containmentDone(report: IncidentReport): string[] {
  const { containment } = report;
  if (containment.status === 'failed')
    return [`Containment FAILED; the key may still be active: ${shownText(containment.error, MAX_ERROR_LENGTH)}`];
  if (containment.status === 'skipped') return [`Containment not attempted: ${shownText(containment.reason)}`];
  const result = containment.result;
  const lines = [
    `Containment (${result.mode}${result.dryRun ? ', dry run' : ''}): ${result.outcome}. ${shownText(result.summary)}`,
    ...result.actions.map((action) => `  ${action.kind}: ${action.status}, ${shownText(action.detail)}`),
  ];
  if (result.quarantinePolicies.length > 0)
    lines.push(
      `AWS quarantine policy attached to ${shownValue(result.userName ?? '')}: ${result.quarantinePolicies.map((name) => shownValue(name)).join(', ')}. Left in place; remove it only once the incident is closed.`,
    );
  for (const warning of result.warnings) lines.push(`WARNING: ${shownText(warning, MAX_ERROR_LENGTH)}`);
  return lines;
}

function investigationDone(report: IncidentReport): string[] {
  const { investigation } = report;
  if (investigation.status === 'failed')
    return [`Investigation FAILED: ${shownText(investigation.error, MAX_ERROR_LENGTH)}`];
  if (investigation.status === 'skipped') return [`Investigation not run: ${shownText(investigation.reason)}`];
  const { activity, sessionActivity } = investigation.result;
  const lines = [
    `Investigation (${activity.source}): ${formatCount(activity.totalEvents)} events in ${activity.regions.searched.length} region(s) searched${activity.truncated ? ', TRUNCATED (a limit on events or time was hit, the search was stopped, or its source does not hold the whole window)' : ''}.`,
  ];
  const { cut } = investigation.result;
  const followed = cut?.sessionActivity ?? sessionActivity.length;
  const deeper = sessionActivity.some((session) => !activity.sessionKeys.includes(session.accessKeyId));
  if (sessionActivity.length > 0)
    lines.push(
      `Followed ${formatCount(followed)} session key(s) minted by the key${deeper ? ' or by the session keys it minted' : ''} (below).`,
    );
  const left = keysNotSearched(investigation.result, followed);
  if (left.count > 0) {
    const named = left.keys.slice(0, 5).map((key) => shownValue(key, 40));
    const member = report.incident ? memberAccount(report.actedFrom, report.incident.accountId) : null;
    lines.push(
      `${formatCount(left.count)}${followed > 0 ? ' more' : ''} session key(s) ${left.why ? 'minted' : 'the key minted'} were NOT searched${left.why ? `, ${left.why}` : ''}${named.length > 0 ? ` (${named.join(', ')}${left.count > named.length ? ', …' : ''})` : ''}: exposed-keys investigate --key <ASIA…>${accountFlag(member)} --start ${left.window.start} --end ${left.window.end} searches one.`,
    );
  }
  if (cut)
    lines.push(
      `The summary was cut to fit the state machine (${formatCount(cut.riskyEvents)} risky calls, ${formatCount(activity.riskyEvents.length)} kept; lists cut to their top rows${cut.sessionActivity > sessionActivity.length ? `; ${cut.sessionActivity - sessionActivity.length} session key summaries left out` : ''}): the key's own counts below are of the whole, its tables and the session keys' of what was kept.`,
    );
  lines.push(...(activity.caveats ?? []).map((caveat) => `NOTE: ${shownText(caveat, MAX_ERROR_LENGTH)}`));
  lines.push(...notSearchedLines(activity.regions.failed));
  for (const session of sessionActivity)
    lines.push(...notSearchedLines(session.regions.failed, ` for session key ${shownValue(session.accessKeyId)}`));
  return lines;
}

/** Why session keys were not searched, in a few words: past the ones followed, or out of time. */
export function whyNotSearched(left: SessionKeysNotSearched, followed: number): string {
  const reasons = new Set(left.keys.map((key) => key.reason));
  return [
    ...(reasons.has('limit') ? [`past the ${formatCount(followed)} followed`] : []),
    ...(reasons.has('time') ? ['the time to investigate ran out before them'] : []),
  ].join(' and ');
}

/**
 * The session keys minted that were not searched: those the investigation lists, with why; else
 * (told not to follow them, or a state kept before they were listed) the key's own not followed.
 */
function keysNotSearched(
  result: Pick<Investigation, 'activity' | 'sessionKeysNotSearched' | 'cut'>,
  followed: number,
): { count: number; keys: string[]; why: string | null; window: { start: string; end: string } } {
  const listed = result.sessionKeysNotSearched;
  if (listed)
    return {
      count: listed.count,
      keys: listed.keys.map((key) => key.accessKeyId),
      why: whyNotSearched(listed, followed),
      window: listed.window ?? result.activity.window,
    };
  const minted = result.cut?.sessionKeys ?? result.activity.sessionKeys.length;
  return {
    count: Math.max(0, minted - followed),
    keys: followed === 0 ? result.activity.sessionKeys : [],
    why: null,
    window: result.activity.window,
  };
}

/**
 * The regions not searched, one line per error text: "Region NOT searched: eu-west-3: AccessDenied…",
 * or "17 regions NOT searched (us-east-2, …): AccessDenied…". A denial usually fails every region
 * alike, and said once per region for each session key it would crowd out the rest of the message.
 */
export function notSearchedLines(failed: readonly FailedRegion[], whose = ''): string[] {
  const regionsByError = new Map<string, string[]>();
  for (const { region, error } of failed) regionsByError.set(error, [...(regionsByError.get(error) ?? []), region]);
  return [...regionsByError].map(([error, regions]) => {
    const names = regions.map((region) => shownValue(region, 40));
    const where =
      names.length === 1
        ? `Region NOT searched${whose}: ${names[0]}`
        : `${names.length} regions NOT searched${whose} (${names.join(', ')})`;
    return `${where}: ${shownText(error, MAX_ERROR_LENGTH)}`;
  });
}

/** The commands that search again what a summary did not read: the regions that failed, a window cut short. */
function searchAgain(summary: ActivitySummary, whose: string, member: string | null): string[] {
  const key = `${summary.accessKeyId}${accountFlag(member)}`;
  // An Athena table's places not searched (days it does not hold, another account, a query that
  // failed) each say, in their line below, where to search them: no generic command fits them.
  if (summary.source === 'athena')
    return summary.truncated || summary.regions.failed.length > 0
      ? [
          `Search again${whose} what the Athena table did not read (its search cut short, or places NOT searched): each line below that says NOT searched names how`,
        ]
      : [];
  const steps: string[] = [];
  // Cut short by a limit on events or time, or by how far back LookupEvents reaches (90 days):
  // log files or Athena read further back.
  if (summary.truncated)
    steps.push(
      `Search again${whose}, with more time (the search was cut short): exposed-keys investigate --key ${key} --start ${summary.window.start}; for what lies before ${summary.window.start}, with --logs or --athena-table`,
    );
  // A session of another account is searched there, with that account's credentials.
  const elsewhere = summary.regions.failed.flatMap((failed) => ELSEWHERE.exec(failed.region)?.slice(1, 2) ?? []);
  for (const account of elsewhere)
    steps.push(
      `Search${whose} in account ${account}, where its calls are recorded: exposed-keys investigate --key ${summary.accessKeyId} --account ${account} --start ${summary.window.start} --end ${summary.window.end} (or --profile <a profile of account ${account}> in place of --account)`,
    );
  if (summary.regions.failed.length > elsewhere.length) {
    const regions = summary.regions.failed.map((failed) => failed.region).filter(isRegionName);
    // The window searched, not the default last 24 hours: the message is read, and run, later.
    steps.push(
      `Search the regions that failed${whose}: exposed-keys investigate --key ${key} --regions ${regions.join(',') || '<regions>'}${windowFlags(summary.window)}`,
    );
  }
  return steps;
}

/** How a summary names the place not searched of a session of another account. */
const ELSEWHERE = /^\(every region\) of account (\d{12})$/;

/** The first step when the attacker made itself a way in that outlives the key. */
function accessStep(report: IncidentReport): string[] {
  const held = accessStillHeld(report);
  if (held.length === 0) return [];
  const names = held
    .slice(0, 3)
    .map((item) => `${item.kind} ${shownValue(item.name, 64)}`)
    .join(', ');
  const more = held.length > 3 ? `, and ${held.length - 3} more` : '';
  return [
    `The attacker can STILL GET IN without the key, through ${held.length} thing(s) it left: ${names}${more}. Remove them now: each command is under WHAT THE ATTACKER LEFT.`,
  ];
}

function urgentSteps(report: IncidentReport): string[] {
  const incident = report.incident;
  const { containment } = report;
  if (!incident && report.eventKeys?.length) {
    // Keys of another account than the one that received the event: respond there, from the hub
    // through its role in organisation mode, else with credentials of that account.
    const account = report.rawReceivedBy ? report.rawAccount : null;
    const elsewhere = account
      ? ` --account ${account} (from the hub in organisation mode; else with --profile <a profile of account ${account}>)`
      : '';
    return report.eventKeys.map((key) => `Contain ${key}: exposed-keys respond --key ${key}${elsewhere}`);
  }
  if (!incident)
    return [
      'Read the event in the Trusted Advisor or AWS Health console, and contain the key it names by hand or with exposed-keys respond --key <AKIA…>.',
    ];
  const member = memberAccount(report.actedFrom, incident.accountId);
  // Notify-only leaves the key for a human, in its account: from the hub, the commands say which.
  if (containment.status === 'done' && containment.result.outcome === 'notify-only' && member)
    return manualContainSteps(incident.accessKeyId, containment.result.userName, member);
  if (containment.status === 'done') return containment.result.humanSteps.map((step) => shownText(step));
  const noRole = containment.status === 'failed' ? accountAccessFailure(containment.error) : null;
  if (noRole) return accountAccessSteps(incident.accessKeyId, incident.userName, noRole).map((step) => shownText(step));
  return manualContainSteps(incident.accessKeyId, incident.userName, member ?? undefined);
}

function investigationSteps(report: IncidentReport): string[] {
  const incident = report.incident;
  const { investigation } = report;
  if (!incident) return [];
  const member = memberAccount(report.actedFrom, incident.accountId);
  // A key of another account, outside organisation mode: only that account's credentials can read its CloudTrail.
  const elsewhere =
    !member && incidentOutcome(report) === 'other-account' ? ` --profile <a profile of ${incident.accountId}>` : '';
  if (investigation.status === 'failed')
    return [
      `Investigate by hand: exposed-keys investigate --key ${incident.accessKeyId}${accountFlag(member)}${elsewhere}`,
    ];
  if (investigation.status !== 'done') return [];
  const { activity, sessionActivity, cut } = investigation.result;
  const steps = searchAgain(activity, '', member);
  if (cut)
    steps.push(
      `Read the whole investigation (this notification's was cut to fit): exposed-keys investigate --key ${activity.accessKeyId}${accountFlag(member)} --start ${activity.window.start} --end ${activity.window.end}`,
    );
  // A session key id comes from CloudTrail data: only a well-formed one goes into a command.
  for (const session of sessionActivity)
    if (isAccessKeyId(session.accessKeyId)) steps.push(...searchAgain(session, ' for the session key', member));
  // Counted before a cut to fit the state machine's state, when there was one.
  const minted = cut?.sessionKeys ?? activity.sessionKeys.length;
  if (minted > 0)
    steps.push(
      `The key minted ${formatCount(minted)} session key(s). Sessions of assumed roles keep working until they expire: revoke active sessions on those roles.`,
    );
  return steps;
}

function inventoryOf(report: IncidentReport): Inventory | null {
  return report.investigation.status === 'done' ? (report.investigation.result.inventory ?? null) : null;
}

function removalStep(report: IncidentReport): string {
  // A failed investigation leaves the message no activity to point to: the search by hand finds it.
  if (report.investigation.status !== 'done')
    return 'Delete what the attacker created (users, keys, roles, instances), once the investigation by hand shows what it did.';
  const inventory = inventoryOf(report);
  if (!inventory || inventory.error)
    return 'Delete what the attacker created (users, keys, roles, instances): see the activity below.';
  return `Remove what the attacker left, and rotate what it read: ${inventoryInBrief(inventory)} Each with its command under WHAT THE ATTACKER LEFT.`;
}

function followUps(report: IncidentReport): string[] {
  const incident = report.incident;
  if (!incident) return [];
  return [
    `Remove the key from where it leaked${incident.location ? ` (${shownValue(incident.location, 300)})` : ''}, including history.`,
    removalStep(report),
    'Give the workloads that used this key a new credential (preferably a role).',
  ];
}

/** The account's name, where organisation mode found it. */
function accountNameOf(report: IncidentReport): string | null {
  return report.containment.status === 'done' ? (report.containment.result.accountName ?? null) : null;
}

/**
 * The key's account when the response ran from another (an organisation's hub, `actedFrom`): the
 * one the message's commands must name. Null in the account the response ran in, or when unknown.
 */
export function memberAccount(actedFrom: string | undefined, accountId: string | null | undefined): string | null {
  return actedFrom && accountId && /^\d{12}$/.test(accountId) && accountId !== actedFrom ? accountId : null;
}

/** ` --account 123456789012`: what makes an exposed-keys command act in a member's account from the hub. */
export function accountFlag(member: string | null): string {
  return member ? ` --account ${member}` : '';
}

/** ` --profile <a profile of account 123456789012>`: what an AWS CLI command needs for a member's key. */
export function profileFlag(member: string | null): string {
  return member ? ` --profile <a profile of account ${member}>` : '';
}

/** `123456789012 (Payments)`: the account id, and its name where known (made inert: an administrator chose it). */
export function accountLine(accountId: string | null, accountName: string | null): string {
  return `${accountId ?? 'unknown'}${accountName ? ` (${shownValue(accountName, 60)})` : ''}`;
}

/** What the headline says of each part of containment that failed. */
const FAILED_ACTIONS: Partial<Record<ContainmentResult['actions'][number]['kind'], string>> = {
  'revoke-sessions': 'sessions NOT revoked',
  'schedule-deletion': 'deletion NOT scheduled',
  'schedule-verification': 'verification NOT scheduled',
};

/**
 * The headline: the outcome's, raised to ACTION REQUIRED whenever a human must act
 * ({@link needsHuman}). What failed of containment leads, so that a subject cut to SNS's limit
 * keeps it: `ACTION REQUIRED: sessions NOT revoked; exposed key deleted`; the attacker still
 * holding a way in follows the outcome.
 */
function headlineOf(report: IncidentReport, outcome: IncidentOutcome, urgent: boolean): string {
  const headline = HEADLINES[outcome as Exclude<IncidentOutcome, FollowUpOutcome>] ?? outcome;
  if (headline.startsWith('ACTION REQUIRED') || !urgent) return headline;
  const failed =
    report.containment.status === 'done'
      ? report.containment.result.actions
          .filter((action) => action.status === 'failed')
          .map((action) => FAILED_ACTIONS[action.kind] ?? `${action.kind} FAILED`)
      : [];
  const held = accessStillHeld(report).length > 0 ? `${headline}, but the attacker left a way in` : headline;
  if (failed.length === 0) return `ACTION REQUIRED: ${held}`;
  return `ACTION REQUIRED: ${[...new Set(failed)].join(', ')}; ${held.charAt(0).toLowerCase()}${held.slice(1)}`;
}

/** A session key's part: minted by the key (the second hop), or by which session key before it. */
function sessionTitle(investigation: Investigation, summary: ActivitySummary): string {
  if (investigation.activity.sessionKeys.includes(summary.accessKeyId)) return 'Session key (second hop)';
  const minter = investigation.sessionActivity.find((session) => session.sessionKeys.includes(summary.accessKeyId));
  return minter ? `Session key minted by ${shownValue(minter.accessKeyId, 40)}` : 'Session key';
}

/** The message of an incident, as every channel renders it. */
/** The command that lists the incident's inventory whole: its key, its account, its window. */
function wholeInventoryCommand(report: IncidentReport): string {
  const { incident } = report;
  if (!incident) return 'exposed-keys investigate --key <key> --inventory --json';
  const member = memberAccount(report.actedFrom, incident.accountId);
  const activity = report.investigation.status === 'done' ? report.investigation.result.activity : undefined;
  const window = activity ? ` --start ${activity.window.start} --end ${activity.window.end}` : '';
  return `exposed-keys investigate --key ${incident.accessKeyId}${accountFlag(member)}${window} --inventory --json`;
}

export function buildIncidentMessage(report: IncidentReport): IncidentMessage {
  const outcome = incidentOutcome(report);
  const incident = report.incident;
  const investigation = report.investigation.status === 'done' ? report.investigation.result : null;
  const urgent = needsHuman(report);
  const steps = [...urgentSteps(report), ...accessStep(report), ...investigationSteps(report)];
  if (urgent && steps.length === 0) steps.push('Contain the key by hand.');
  const accountId =
    incident?.accountId ?? (/^\d{12}$/.test(report.rawAccount ?? '') ? (report.rawAccount as string) : null);
  const accountName = accountNameOf(report);
  const inventory = inventoryOf(report);
  return {
    account: accountLine(accountId, accountName),
    outcome,
    headline: headlineOf(report, outcome, urgent),
    urgent,
    happened: happened(report),
    keyNow: keyNow(report),
    attackerDid: attackerDid(report),
    doNow: [...steps, ...followUps(report)],
    facts: facts(report),
    done: [...containmentDone(report), ...investigationDone(report)],
    left: inventory ? inventoryLines(inventory, wholeInventoryCommand(report)) : [],
    verdict: investigation ? verdictLines(investigation.activity).map((line) => line.text) : [],
    activity: investigation
      ? [
          { title: 'Key', summary: investigation.activity, ...(investigation.cut ? { cut: investigation.cut } : {}) },
          ...investigation.sessionActivity.map((summary, index) => {
            const cut = investigation.cut?.sessions?.[index];
            return { title: sessionTitle(investigation, summary), summary, ...(cut ? { cut } : {}) };
          }),
        ]
      : [],
    accessKeyId: incident?.accessKeyId ?? null,
    userName: ownerOf(report),
    accountId,
    accountName,
    source: incident?.source ?? 'unknown',
  };
}
