import {
  type ActivitySummary,
  COUNT_LISTS,
  type CountEntry,
  type TimeWindow,
  windowFlags,
} from '../../activity/activity-summary.js';
import type { LogFilesReport } from '../../activity/log-files/log-files-source.js';
import { RISK_CATEGORIES } from '../../activity/risky-events.js';
import { activityInBrief, verdictLines } from '../../activity/verdict.js';
import { isRegionName } from '../../aws/aws-names.js';
import { shownText, shownValue, shownValues } from '../../common/untrusted-text.js';
import { formatCount } from '../../format/plain-table.js';
import { whyNotSearched } from '../../message/incident-message.js';
import type { Inventory } from '../../steps/inventory/inventory-types.js';
import type { SessionKeysNotSearched } from '../../steps/investigate.js';
import type { Palette } from '../output.js';
import { renderInventory } from './inventory.js';
import { table } from './table.js';

/** How many rows of each count list a terminal shows. */
export const TOP_ROWS = 10;

function countTable(title: string, entries: readonly CountEntry[], palette: Palette, rows: number): string[] {
  if (entries.length === 0) return [];
  const shown = entries.slice(0, rows);
  const more = entries.length - shown.length;
  return [
    palette.bold(`${title}`) + palette.dim(` (${formatCount(entries.length)} distinct)`),
    table(
      [{ header: 'count', right: true }, { header: 'value' }],
      shownValues(
        shown.map((entry) => entry.name),
        100,
      ).map((name, index) => [formatCount((shown[index] as CountEntry).count), name]),
    ),
    ...(more > 0 ? [palette.dim(`  … ${formatCount(more)} more (--json for all)`)] : []),
    '',
  ];
}

const CATEGORY_COLOUR: Record<string, keyof Palette> = {
  'defense-evasion': 'red',
  persistence: 'magenta',
  'credential-minting': 'yellow',
  'credential-access': 'yellow',
  'resource-abuse': 'cyan',
};

/** The risky events as a timeline: time, category, call, region, and the error when refused. */
export function renderTimeline(summary: ActivitySummary, palette: Palette, limit = 50): string[] {
  const events = summary.riskyEvents;
  if (events.length === 0)
    return [palette.dim('No risky calls (persistence, credential minting, defence evasion, resource abuse).'), ''];
  const shown = events.slice(0, limit);
  const byCategory = RISK_CATEGORIES.map(
    (category) => `${category} ${events.filter((event) => event.category === category).length}`,
  ).join(', ');
  return [
    palette.bold(`Risky events, in time order (${formatCount(events.length)}: ${byCategory})`),
    table(
      [{ header: 'time' }, { header: 'category' }, { header: 'call' }, { header: 'region' }, { header: 'result' }],
      shown.map((event) => [
        shownValue(event.eventTime.replace('.000Z', 'Z'), 40),
        palette[CATEGORY_COLOUR[event.category] ?? 'bold'](event.category),
        shownValue(event.eventName, 60),
        shownValue(event.awsRegion, 30),
        event.errorCode ? palette.dim(`refused: ${shownValue(event.errorCode, 60)}`) : palette.bold('done'),
      ]),
    ),
    ...(events.length > shown.length ? [palette.dim(`  … ${events.length - shown.length} more (--json for all)`)] : []),
    '',
  ];
}

/**
 * The log files the summary's read missed, for its head: the result saved from stdout must not
 * read as a complete search when --json says it was not (stderr names the files).
 */
function filesNotReadLine(summary: ActivitySummary, palette: Palette): string[] {
  const count = summary.filesNotRead?.count ?? 0;
  if (count === 0) return [];
  return [palette.red(`  files    ${formatCount(count)} NOT read: the search is NOT complete (named on stderr)`)];
}

/** A key's activity for a terminal: header, verdict, timeline, session keys and the top rows of each count. */
export function renderActivity(summary: ActivitySummary, palette: Palette, rows = TOP_ROWS): string {
  const lines = [
    palette.bold(
      `Activity of ${shownValue(summary.accessKeyId)}${summary.userName ? ` (${shownValue(summary.userName)})` : ''}`,
    ),
    `  window   ${summary.window.start} .. ${summary.window.end}  ${palette.dim(`(${summary.source})`)}`,
    `  regions  ${summary.regions.searched.length} searched${summary.regions.failed.length ? palette.red(`, ${summary.regions.failed.length} NOT searched`) : ''}`,
    ...filesNotReadLine(summary, palette),
    `  events   ${formatCount(summary.totalEvents)}${summary.firstSeen ? `, first ${summary.firstSeen}, last ${summary.lastSeen}` : ''}${summary.truncated ? palette.yellow(' (TRUNCATED: a limit was hit, or the search was stopped)') : ''}`,
    '',
    `${palette.bold('In brief:')} ${activityInBrief(summary)}`,
    ...verdictLines(summary).map((line) => `  ${palette[CATEGORY_COLOUR[line.category] ?? 'bold']('•')} ${line.text}`),
    '',
  ];
  for (const failed of summary.regions.failed)
    lines.splice(3, 0, palette.red(`  not searched: ${shownValue(failed.region)}: ${shownText(failed.error)}`));
  const events = lines.findIndex((line) => line.startsWith('  events'));
  for (const caveat of summary.caveats ?? [])
    lines.splice(events + 1, 0, palette.yellow(`  note     ${shownText(caveat)}`));
  lines.push(...renderTimeline(summary, palette));
  if (summary.sessionKeys.length > 0)
    lines.push(
      palette.bold(`Session keys minted (${summary.sessionKeys.length})`),
      `  ${summary.sessionKeys.map((key) => shownValue(key)).join('\n  ')}`,
      '',
    );
  for (const { field, title } of COUNT_LISTS) lines.push(...countTable(title, summary[field], palette, rows));

  return lines.join('\n');
}

/** Whether no place could be searched for the summary's key. */
function unsearched(summary: ActivitySummary): boolean {
  return summary.regions.searched.length === 0 && summary.regions.failed.length > 0;
}

/**
 * A session key's count of events, for its row: NOT searched when no place could be (a session of
 * another account, a hop that failed), never 0 as if it did nothing; incomplete when some could not.
 */
function eventsCell(summary: ActivitySummary, palette: Palette): string {
  if (unsearched(summary)) return palette.red('NOT searched');
  const { failed } = summary.regions;
  const count = formatCount(summary.totalEvents);
  return failed.length > 0 || (summary.filesNotRead?.count ?? 0) > 0 ? palette.yellow(`${count} (incomplete)`) : count;
}

/**
 * What each session key followed did, one line each, with the key that minted it (`activity`'s,
 * or a session key's before it: role chaining).
 */
export function renderSessionActivity(
  summaries: readonly ActivitySummary[],
  palette: Palette,
  activity?: ActivitySummary,
): string {
  if (summaries.length === 0) return '';
  const minters = [...(activity ? [activity] : []), ...summaries];
  const mintedBy = (key: string) => minters.find((minter) => minter.sessionKeys.includes(key))?.accessKeyId;
  const deeper = summaries.some((summary) => activity && !activity.sessionKeys.includes(summary.accessKeyId));
  return [
    palette.bold(
      `What the session keys did (${deeper ? 'minted by the key, or by a session key it minted' : 'second hop'}, ${summaries.length} keys)`,
    ),
    table(
      [
        { header: 'session key' },
        { header: 'minted by' },
        { header: 'events', right: true },
        { header: 'first' },
        { header: 'last' },
        { header: 'risky', right: true },
        { header: 'top calls' },
      ],
      summaries.map((summary) => [
        shownValue(summary.accessKeyId),
        shownValue(mintedBy(summary.accessKeyId) ?? '-'),
        eventsCell(summary, palette),
        summary.firstSeen ?? '-',
        summary.lastSeen ?? '-',
        unsearched(summary) ? '-' : String(summary.riskyEvents.length),
        summary.eventNames
          .slice(0, 3)
          .map((entry) => `${shownValue(entry.name, 40)} ${entry.count}`)
          .join(', '),
      ]),
    ),
    '',
  ].join('\n');
}

/** An investigation as the renderers take it: the key's activity, its session keys', and those not searched. */
export interface InvestigationShown {
  activity: ActivitySummary;
  sessionActivity: readonly ActivitySummary[];
  sessionKeysNotSearched?: SessionKeysNotSearched;
  inventory?: Inventory;
}

/**
 * The session keys minted that were not searched, in one line: how many, why, the first of them,
 * and the command that searches one over the window they work in (`window`, the key's, when the
 * investigation does not say); null when every one was.
 */
export function sessionKeysNotSearchedLine(
  left: SessionKeysNotSearched | undefined,
  followed: number,
  window: { start: string; end: string },
): string | null {
  if (!left) return null;
  const named = left.keys.slice(0, 10).map((key) => shownValue(key.accessKeyId, 40));
  const { start, end } = left.window ?? window;
  return `${formatCount(left.count)} session key(s) minted NOT searched, ${whyNotSearched(left, followed)}: ${named.join(', ')}${left.count > named.length ? ', …' : ''} (exposed-keys investigate --key <ASIA…> --start ${start} --end ${end} searches one).`;
}

/**
 * What a search left out, one line each for stderr: the start of the window `asked` when
 * LookupEvents read less of it (it holds 90 days), then the regions not searched, the key's and
 * each session key's (for Athena, among them the days its table does not hold), then the session
 * keys minted that were not searched.
 */
export function notSearched(
  investigation: Omit<InvestigationShown, 'activity'> & { activity: ActivitySummary | null },
  asked?: TimeWindow,
): string[] {
  const { activity, sessionActivity } = investigation;
  const lines: string[] = [];
  // Athena names the days its table does not hold among the places not searched.
  if (
    asked &&
    activity?.source === 'lookup-events' &&
    activity.truncated &&
    Date.parse(activity.window.start) > asked.start.getTime()
  )
    lines.push(
      `Searched from ${activity.window.start}, not ${asked.start.toISOString()}: LookupEvents holds only the last 90 days (older activity: investigate --logs, or --athena-table).`,
    );
  for (const failed of activity?.regions.failed ?? [])
    lines.push(`Region not searched: ${failed.region}: ${failed.error}`);
  for (const session of sessionActivity)
    for (const failed of session.regions.failed)
      lines.push(`Region not searched for session key ${session.accessKeyId}: ${failed.region}: ${failed.error}`);
  const left =
    activity &&
    sessionKeysNotSearchedLine(investigation.sessionKeysNotSearched, sessionActivity.length, activity.window);
  if (left) lines.push(left);
  return lines;
}

/**
 * What `investigate` says to run next when LookupEvents could not search regions, the key's or a
 * session key's: the command that searches them again over the window searched, not the default
 * last 24 hours (`searchedWith`: the flags of the account searched, `--account` and its role).
 * One command: the key's read finds again the session keys it minted (us-east-1 is always
 * searched) and follows them there. None for log files or Athena, whose places not searched each
 * say how to search them.
 */
export function searchAgainLines(investigation: InvestigationShown, searchedWith = ''): string[] {
  const { activity, sessionActivity } = investigation;
  const failedIn = (summary: ActivitySummary) =>
    summary.source === 'lookup-events'
      ? summary.regions.failed.map((failed) => failed.region).filter(isRegionName)
      : [];
  const regions = [...new Set([activity, ...sessionActivity].flatMap(failedIn))];
  if (regions.length === 0) return [];
  const sessions = sessionActivity.some((summary) => failedIn(summary).length > 0) ? ' --follow-sessions' : '';
  return [
    `Search them again: exposed-keys investigate --key ${activity.accessKeyId}${searchedWith} --regions ${regions.join(',')}${windowFlags(activity.window)}${sessions}`,
  ];
}

/**
 * An investigation as a person reads it: the key's activity, then what its session keys did, and
 * those minted that were NOT searched.
 */
export function renderInvestigation(investigation: InvestigationShown, palette: Palette): string {
  const { activity, sessionActivity } = investigation;
  const own = renderActivity(activity, palette);
  const inventory = investigation.inventory ? `\n${renderInventory(investigation.inventory, palette)}\n` : '';
  const leftLine = sessionKeysNotSearchedLine(
    investigation.sessionKeysNotSearched,
    sessionActivity.length,
    activity.window,
  );
  const left = leftLine ? `${palette.red(leftLine)}\n\n` : '';
  if (sessionActivity.length === 0 && !left) return `${own}${inventory}`;
  return `${own.endsWith('\n') ? own : `${own}\n`}\n${renderSessionActivity(sessionActivity, palette, activity)}${left}${inventory}`;
}

/**
 * What `investigate --json` prints: the summary alone (the contract), or `{ activity,
 * sessionActivity }` with the session keys followed (and `sessionKeysNotSearched` when some minted
 * were not), and `inventory` beside them when one was asked for (null when it was not taken:
 * stopped with Ctrl-C). The shape follows what was asked, not what came of it.
 */
export function investigationJson(
  investigation: InvestigationShown,
  asked: { followSessions: boolean; inventory: boolean },
): unknown {
  const { activity, sessionActivity, inventory, sessionKeysNotSearched } = investigation;
  const left = sessionKeysNotSearched ? { sessionKeysNotSearched } : {};
  if (asked.inventory) return { activity, sessionActivity, ...left, inventory: inventory ?? null };
  return asked.followSessions ? { activity, sessionActivity, ...left } : activity;
}

/**
 * What became of the log files read, in one line, then each file that could not be read and why
 * (the first ten, or with `all` every one), one line each: each is shown as a notice of its own,
 * so a file name cannot add a line.
 */
export function renderFilesReport(files: LogFilesReport, all = false): string[] {
  const { read, skipped, failed, outsideWindow, failedFiles } = files;
  const line = `Log files: ${read} read, ${skipped} skipped (digest, Insight or not CloudTrail)${outsideWindow ? `, ${outsideWindow} outside the window` : ''}, ${failed} unreadable${failed ? ':' : '.'}`;
  const shown = (all ? failedFiles : failedFiles.slice(0, TOP_ROWS)).map((file) => `  ${file.path}: ${file.error}`);
  const more = failedFiles.length - shown.length;
  const again = files.readAgain
    ? [`  Read again on one thread (${files.readAgain}); the counts are exact, it only took longer.`]
    : [];
  return [line, ...shown, ...(more > 0 ? [`  … ${formatCount(more)} more (--verbose names them all)`] : []), ...again];
}
