import { compareText } from '../common/compare-text.js';
import type { RiskCategory } from './risky-events.js';

/** One row of a count list: a value and how many events had it. */
export interface CountEntry {
  name: string;
  count: number;
}

/** A call that matters in an exposed-key incident (see {@link RiskCategory}). */
export interface RiskyEvent {
  eventName: string;
  eventTime: string;
  awsRegion: string;
  eventId: string;
  category: RiskCategory;
  errorCode: string | null;
  /** What the call named or made (the user created, the role, the instances), as `resourceNames` counts them. */
  resources: { type: string; name: string }[];
}

/** Where the activity was read from. */
export type SourceName = 'lookup-events' | 'cloudtrail-logs' | 'athena';

/** A region that could not be searched, and why. */
export interface FailedRegion {
  region: string;
  error: string;
}

/** How one of a summary's `sessionKeys` was minted, as the record of the call says. */
export interface SessionKeyMinted {
  accessKeyId: string;
  /** The call: AssumeRole, GetSessionToken or GetFederationToken. */
  eventName: string;
  eventTime: string;
  /** When the credentials expire, as the call's response says (ISO 8601); null when it does not. */
  expiration: string | null;
  /**
   * The account the session belongs to, where its calls are recorded, when the record names one:
   * the role's (AssumeRole), the federated user's (GetFederationToken). Null otherwise: a
   * GetSessionToken session is the caller's own account's.
   */
  accountId: string | null;
}

/** A log file (or a part of the location that could not be listed) a read missed, and why. */
export interface FileNotRead {
  path: string;
  error: string;
}

/**
 * What one access key did over a window: the activity summary JSON, a contract that
 * `investigate --json` and `respond --json` print and others parse. Every count list is complete
 * and sorted by count descending, then name ascending; `riskyEvents` by time, then event id.
 */
export interface ActivitySummary {
  accessKeyId: string;
  userName: string | null;
  source: SourceName;
  window: { start: string; end: string };
  regions: { searched: string[]; failed: FailedRegion[] };
  totalEvents: number;
  firstSeen: string | null;
  lastSeen: string | null;
  eventNames: CountEntry[];
  eventSources: CountEntry[];
  awsRegions: CountEntry[];
  sourceIps: CountEntry[];
  userAgents: CountEntry[];
  errorCodes: CountEntry[];
  resourceTypes: CountEntry[];
  resourceNames: CountEntry[];
  sessionKeys: string[];
  riskyEvents: RiskyEvent[];
  truncated: boolean;
  /**
   * Log files only, and only when the read of this summary could not read some of them (or list a
   * part of the location): how many, and the first of them by path. A file whose
   * region was read otherwise is named nowhere else in the summary. Absent when nothing was missed.
   */
  filesNotRead?: { count: number; files: FileNotRead[] };
  /**
   * How each of `sessionKeys` was minted, in the same order: when, by which call, until when, and
   * in which account. Absent when the key minted none.
   */
  sessionKeysMinted?: SessionKeyMinted[];
  /**
   * What to know of the summary that is no gap in the search, each a sentence: a window that ends
   * minutes before the search (CloudTrail shows calls minutes late), with the command that
   * searches it again later. Absent when none.
   */
  caveats?: string[];
}

/** The fields of the summary that are count lists. */
export type CountListField =
  | 'eventNames'
  | 'eventSources'
  | 'awsRegions'
  | 'sourceIps'
  | 'userAgents'
  | 'errorCodes'
  | 'resourceTypes'
  | 'resourceNames';

/** The count lists of the summary, in the contract's order, each with the title a reader sees. */
export const COUNT_LISTS: readonly { field: CountListField; title: string }[] = [
  { field: 'eventNames', title: 'API calls' },
  { field: 'eventSources', title: 'Services' },
  { field: 'awsRegions', title: 'Regions used' },
  { field: 'sourceIps', title: 'Source IP addresses' },
  { field: 'userAgents', title: 'User agents' },
  { field: 'errorCodes', title: 'Errors' },
  { field: 'resourceTypes', title: 'Resource types' },
  { field: 'resourceNames', title: 'Resources' },
];

/** A time window, both ends inclusive. */

export interface TimeWindow {
  start: Date;
  end: Date;
}

/**
 * ` --start … --end …` for the window a summary covers (ISO 8601): a command that searches again
 * names it, since without it `investigate` searches the last 24 hours of whenever it is run.
 */
export function windowFlags(window: { start: string; end: string }): string {
  return ` --start ${window.start} --end ${window.end}`;
}

/** A count list from a map: count descending, then name ascending. */
export function toCountList(counts: ReadonlyMap<string, number>): CountEntry[] {
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || compareText(a.name, b.name));
}

/**
 * The order of the risky events in a summary: by time, then by every other field, so that events
 * without an id (which nothing else tells apart) sort the same whatever order they were read in.
 */
export function compareRiskyEvents(a: RiskyEvent, b: RiskyEvent): number {
  return (
    compareText(a.eventTime, b.eventTime) ||
    compareText(a.eventId, b.eventId) ||
    compareText(a.eventName, b.eventName) ||
    compareText(a.awsRegion, b.awsRegion) ||
    compareText(a.category, b.category) ||
    compareText(a.errorCode ?? '', b.errorCode ?? '') ||
    compareText(JSON.stringify(a.resources), JSON.stringify(b.resources))
  );
}
