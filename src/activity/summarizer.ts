import { compareText } from '../common/compare-text.js';
import { hasKeyIdShape } from '../incident/access-key-id.js';
import {
  type ActivitySummary,
  type CountEntry,
  compareRiskyEvents,
  type FailedRegion,
  type RiskyEvent,
  type SessionKeyMinted,
  type SourceName,
  type TimeWindow,
  toCountList,
} from './activity-summary.js';
import { accessKeyOf, type CloudTrailRecord } from './cloudtrail-record.js';
import { firstMint, sessionKeyMinted } from './minted-keys.js';
import { resourcesOf } from './resources.js';
import { riskCategoryOf } from './risky-events.js';

/** Calls whose response holds temporary credentials minted from the caller's key. */
export const MINTING_CALLS: ReadonlySet<string> = new Set(['AssumeRole', 'GetSessionToken', 'GetFederationToken']);

/** Stands in for a missing field, so that every event is counted in every list. */
export const UNKNOWN = '(unknown)';

function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The non-empty text at `path` of an object, else null (a number or an object names nothing). */
function textAt(value: unknown, ...path: string[]): string | null {
  let at = value;
  for (const name of path)
    at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[name] : undefined;
  return typeof at === 'string' && at !== '' ? at : null;
}

/**
 * The temporary credentials a record's call minted, if it minted any, and how. Only a key id
 * shaped like one counts: it is followed in a later search, which refuses anything else.
 */
function mintedKey(record: CloudTrailRecord, timeMs: number): SessionKeyMinted | undefined {
  const eventName = record.eventName ?? '';
  if (!MINTING_CALLS.has(eventName)) return undefined;
  const key = textAt(record.responseElements, 'credentials', 'accessKeyId');
  if (key === null || !hasKeyIdShape(key)) return undefined;
  return sessionKeyMinted({
    accessKeyId: key,
    eventName,
    timeMs,
    expiration: textAt(record.responseElements, 'credentials', 'expiration'),
    assumedRoleArn: textAt(record.responseElements, 'assumedRoleUser', 'arn'),
    roleArn: textAt(record.requestParameters, 'roleArn'),
    federatedUserArn: textAt(record.responseElements, 'federatedUser', 'arn'),
  });
}

/**
 * The event ids an accumulator counted, for de-duplication: its own by default, or a set shared
 * by the accumulators of several threads, so that an event is counted once whichever reads it.
 */
export interface SeenEventIds {
  /** Adds `eventId`: true when it was not in the set. */
  add(eventId: string): boolean;
  has(eventId: string): boolean;
}

function ownSeenEventIds(): SeenEventIds {
  const ids = new Set<string>();
  return {
    add: (eventId) => ids.size !== ids.add(eventId).size,
    has: (eventId) => ids.has(eventId),
  };
}

/** The lists an accumulator counts in, by the summary's name for them. */
const COUNTED_LISTS = [
  'eventNames',
  'eventSources',
  'awsRegions',
  'sourceIps',
  'userAgents',
  'errorCodes',
  'resourceTypes',
  'resourceNames',
  'userNames',
] as const;
type CountedList = (typeof COUNTED_LISTS)[number];

/**
 * What an accumulator counted, as plain data that can be posted to another thread and merged
 * there (see {@link ActivityAccumulator.merge}); its event ids are not in it.
 */
export interface AccumulatorState {
  accessKeyId: string;
  total: number;
  firstMs: number;
  lastMs: number;
  counts: Record<CountedList, [string, number][]>;
  sessionKeys: SessionKeyMinted[];
  riskyEvents: RiskyEvent[];
}

/** What {@link ActivityAccumulator.summary} needs besides the records. */
export interface SummaryContext {
  source: SourceName;
  regionsSearched: readonly string[];
  regionsFailed?: readonly FailedRegion[];
  /** The user the incident named; when absent, the user most of the events name. */
  userName?: string | null;
  truncated?: boolean;
}

/**
 * Counts what one access key did, one record at a time, so records can stream through it: memory
 * grows with the distinct values counted (and the ids of matched events, for de-duplication), not
 * with the records read. Records of other keys, outside the window, or seen before (same
 * `eventID`) are ignored.
 */
export class ActivityAccumulator {
  readonly #accessKeyId: string;
  readonly #startMs: number;
  readonly #endMs: number;
  readonly #window: { start: string; end: string };
  readonly #seen: SeenEventIds;
  readonly #counts = Object.fromEntries(COUNTED_LISTS.map((list) => [list, new Map<string, number>()])) as Record<
    CountedList,
    Map<string, number>
  >;
  readonly #sessionKeys = new Map<string, SessionKeyMinted>();
  readonly #riskyEvents: RiskyEvent[] = [];
  #total = 0;
  #firstMs = Number.POSITIVE_INFINITY;
  #lastMs = Number.NEGATIVE_INFINITY;

  /** `seen`: the event ids counted, its own unless shared with accumulators of other threads. */
  constructor(accessKeyId: string, window: TimeWindow, seen: SeenEventIds = ownSeenEventIds()) {
    this.#accessKeyId = accessKeyId;
    this.#seen = seen;
    this.#startMs = window.start.getTime();
    this.#endMs = window.end.getTime();
    this.#window = { start: window.start.toISOString(), end: window.end.toISOString() };
  }

  /** The key whose activity this counts. */
  get accessKeyId(): string {
    return this.#accessKeyId;
  }

  /** How many events were counted so far. */
  get totalEvents(): number {
    return this.#total;
  }

  /** True when an event with this id was counted: a record with the same id would be dropped as seen. */
  hasCounted(eventId: string): boolean {
    return this.#seen.has(eventId);
  }

  /** Counts `record` if it was made with this key, inside the window, and not seen before. */
  add(record: CloudTrailRecord): boolean {
    if (accessKeyOf(record) !== this.#accessKeyId) return false;
    const timeMs = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : Number.NaN;
    if (Number.isNaN(timeMs) || timeMs < this.#startMs || timeMs > this.#endMs) return false;
    const eventId = typeof record.eventID === 'string' ? record.eventID : '';
    if (eventId !== '' && !this.#seen.add(eventId)) return false;
    this.#count(record, timeMs, eventId);
    return true;
  }

  /** What was counted so far, to merge into an accumulator of the same key on another thread. */
  state(): AccumulatorState {
    return {
      accessKeyId: this.#accessKeyId,
      total: this.#total,
      firstMs: this.#firstMs,
      lastMs: this.#lastMs,
      counts: Object.fromEntries(
        COUNTED_LISTS.map((list) => [list, [...this.#counts[list]]]),
      ) as AccumulatorState['counts'],
      sessionKeys: [...this.#sessionKeys.values()],
      riskyEvents: [...this.#riskyEvents],
    };
  }

  /**
   * Adds what another accumulator of the same key counted. Exact when the two counted different
   * events: when they shared one set of event ids (see {@link SeenEventIds}).
   *
   * @throws Error when `state` is another key's.
   */
  merge(state: AccumulatorState): void {
    if (state.accessKeyId !== this.#accessKeyId)
      throw new Error(`Cannot merge the activity of ${state.accessKeyId} into that of ${this.#accessKeyId}.`);
    this.#total += state.total;
    this.#firstMs = Math.min(this.#firstMs, state.firstMs);
    this.#lastMs = Math.max(this.#lastMs, state.lastMs);
    for (const list of COUNTED_LISTS) {
      const counts = this.#counts[list];
      for (const [name, count] of state.counts[list]) counts.set(name, (counts.get(name) ?? 0) + count);
    }
    for (const minted of state.sessionKeys) this.#addMinted(minted);
    for (const event of state.riskyEvents) this.#riskyEvents.push(event);
  }

  #count(record: CloudTrailRecord, timeMs: number, eventId: string): void {
    this.#total += 1;
    if (timeMs < this.#firstMs) this.#firstMs = timeMs;
    if (timeMs > this.#lastMs) this.#lastMs = timeMs;
    const eventName = textOr(record.eventName, UNKNOWN);
    const awsRegion = textOr(record.awsRegion, UNKNOWN);
    increment(this.#counts.eventNames, eventName);
    increment(this.#counts.eventSources, textOr(record.eventSource, UNKNOWN));
    increment(this.#counts.awsRegions, awsRegion);
    increment(this.#counts.sourceIps, textOr(record.sourceIPAddress, UNKNOWN));
    increment(this.#counts.userAgents, textOr(record.userAgent, UNKNOWN));
    const errorCode = typeof record.errorCode === 'string' && record.errorCode !== '' ? record.errorCode : null;
    if (errorCode !== null) increment(this.#counts.errorCodes, errorCode);
    const resources = resourcesOf(record);
    for (const resource of resources) {
      increment(this.#counts.resourceTypes, resource.type);
      increment(this.#counts.resourceNames, resource.name);
    }
    const userName = record.userIdentity?.userName;
    if (typeof userName === 'string' && userName !== '') increment(this.#counts.userNames, userName);
    const minted = mintedKey(record, timeMs);
    if (minted) this.#addMinted(minted);
    const category = riskCategoryOf(record);
    if (category)
      this.#riskyEvents.push({
        eventName,
        eventTime: new Date(timeMs).toISOString(),
        awsRegion,
        eventId,
        category,
        errorCode,
        resources,
      });
  }

  #addMinted(minted: SessionKeyMinted): void {
    const known = this.#sessionKeys.get(minted.accessKeyId);
    this.#sessionKeys.set(minted.accessKeyId, known ? firstMint(known, minted) : minted);
  }

  /** The activity summary of what was counted so far. */
  summary(context: SummaryContext): ActivitySummary {
    const counted = this.#total > 0;
    const minted = [...this.#sessionKeys.values()].sort((a, b) => compareText(a.accessKeyId, b.accessKeyId));
    return {
      accessKeyId: this.#accessKeyId,
      userName: context.userName ?? mostCommon(this.#counts.userNames),
      source: context.source,
      window: { ...this.#window },
      regions: {
        searched: [...new Set(context.regionsSearched)].sort(compareText),
        failed: [...(context.regionsFailed ?? [])].sort((a, b) => compareText(a.region, b.region)),
      },
      totalEvents: this.#total,
      firstSeen: counted ? new Date(this.#firstMs).toISOString() : null,
      lastSeen: counted ? new Date(this.#lastMs).toISOString() : null,
      eventNames: toCountList(this.#counts.eventNames),
      eventSources: toCountList(this.#counts.eventSources),
      awsRegions: toCountList(this.#counts.awsRegions),
      sourceIps: toCountList(this.#counts.sourceIps),
      userAgents: toCountList(this.#counts.userAgents),
      errorCodes: toCountList(this.#counts.errorCodes),
      resourceTypes: toCountList(this.#counts.resourceTypes),
      resourceNames: toCountList(this.#counts.resourceNames),
      sessionKeys: minted.map((key) => key.accessKeyId),
      riskyEvents: [...this.#riskyEvents].sort(compareRiskyEvents),
      truncated: context.truncated ?? false,
      ...(minted.length > 0 ? { sessionKeysMinted: minted } : {}),
    };
  }
}

function mostCommon(counts: ReadonlyMap<string, number>): string | null {
  const [top]: CountEntry[] = toCountList(counts);
  return top ? top.name : null;
}
