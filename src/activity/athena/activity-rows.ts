import { compareText } from '../../common/compare-text.js';
import { hasKeyIdShape } from '../../incident/access-key-id.js';
import {
  type ActivitySummary,
  COUNT_LISTS,
  type CountListField,
  compareRiskyEvents,
  type FailedRegion,
  type RiskyEvent,
  type SessionKeyMinted,
  type TimeWindow,
  toCountList,
} from '../activity-summary.js';
import { firstMint, sessionKeyMinted } from '../minted-keys.js';
import type { RiskCategory } from '../risky-events.js';

/** One row of the activity query's answer, each value as text (Athena's answer) or null. */
export interface FacetRow {
  access_key: string | null;
  facet: string | null;
  events: string | null;
  first_ms: string | null;
  last_ms: string | null;
}

/** How the summaries were searched, which the rows do not say. */
export interface RowsContext {
  window: TimeWindow;
  regionsSearched: readonly string[];
  regionsFailed?: readonly FailedRegion[];
  /** The user the incident named, for the first key. */
  userName?: string | null;
}

const COUNTED: readonly CountListField[] = COUNT_LISTS.map((list) => list.field);

interface KeyFacts {
  total: number;
  firstMs: number | null;
  lastMs: number | null;
  counts: Map<CountListField | 'userNames', Map<string, number>>;
  sessionKeys: Set<string>;
  minted: Map<string, SessionKeyMinted>;
  riskyEvents: RiskyEvent[];
}

function emptyFacts(): KeyFacts {
  return {
    total: 0,
    firstMs: null,
    lastMs: null,
    counts: new Map(),
    sessionKeys: new Set(),
    minted: new Map(),
    riskyEvents: [],
  };
}

function add(facts: KeyFacts, list: CountListField | 'userNames', name: string, count: number): void {
  let counts = facts.counts.get(list);
  if (!counts) {
    counts = new Map();
    facts.counts.set(list, counts);
  }
  counts.set(name, (counts.get(name) ?? 0) + count);
}

function whole(text: string | null, what: string): number {
  const value = Number(text);
  if (text === null || !Number.isSafeInteger(value)) throw new Error(`the query answered ${what} ${String(text)}`);
  return value;
}

function strings(value: unknown, length: number, what: string): (string | null)[] {
  if (
    !Array.isArray(value) ||
    value.length !== length ||
    value.some((item) => item !== null && typeof item !== 'string')
  )
    throw new Error(`the query answered a malformed ${what}`);
  return value as (string | null)[];
}

/** The resources of a risky event, each once, in the order the event named them. */
function resourcesOf(text: string | null): { type: string; name: string }[] {
  const found: { type: string; name: string }[] = [];
  for (const pair of JSON.parse(text ?? '[]') as unknown[]) {
    const [type, name] = strings(pair, 2, 'resource') as [string, string];
    if (!found.some((seen) => seen.type === type && seen.name === name)) found.push({ type, name });
  }
  return found;
}

function riskyEvent(json: string): RiskyEvent {
  const [eventName, ms, awsRegion, eventId, category, errorCode, resources] = strings(
    JSON.parse(json),
    7,
    'risky event',
  );
  return {
    eventName: eventName ?? '',
    eventTime: new Date(whole(ms ?? null, 'an event time')).toISOString(),
    awsRegion: awsRegion ?? '',
    eventId: eventId ?? '',
    category: category as RiskCategory,
    errorCode: errorCode ?? null,
    resources: resourcesOf(resources ?? null),
  };
}

/** How a key was minted, from its facet's texts (the key, the call, its time, then `MintFacts`' texts). */
function mint(json: string): SessionKeyMinted {
  const [accessKeyId, eventName, ms, expiration, assumedRoleArn, roleArn, federatedUserArn] = strings(
    JSON.parse(json),
    7,
    'minted key',
  );
  return sessionKeyMinted({
    accessKeyId: accessKeyId ?? '',
    eventName: eventName ?? '',
    timeMs: whole(ms ?? null, 'an event time'),
    expiration: expiration ?? null,
    assumedRoleArn: assumedRoleArn ?? null,
    roleArn: roleArn ?? null,
    federatedUserArn: federatedUserArn ?? null,
  });
}

function record(facts: KeyFacts, row: FacetRow): void {
  const facet = row.facet ?? '';
  const count = whole(row.events, 'a count');
  const bar = facet.indexOf('|');
  const list = bar < 0 ? facet : facet.slice(0, bar);
  const value = facet.slice(bar + 1);
  if (list === 'total') {
    facts.total = count;
    facts.firstMs = whole(row.first_ms, 'a first time');
    facts.lastMs = whole(row.last_ms, 'a last time');
  } else if (list === 'resources') {
    const [type, name] = strings(JSON.parse(value), 2, 'resource') as [string, string];
    add(facts, 'resourceTypes', type, count);
    add(facts, 'resourceNames', name, count);
  } else if (list === 'sessionKeys') {
    // As the summarizer takes them (mintedKey): only a value shaped like a key id is followed.
    if (hasKeyIdShape(value)) facts.sessionKeys.add(value);
  } else if (list === 'sessionKeysMinted') {
    const minted = mint(value);
    const known = facts.minted.get(minted.accessKeyId);
    if (hasKeyIdShape(minted.accessKeyId))
      facts.minted.set(minted.accessKeyId, known ? firstMint(known, minted) : minted);
  } else if (list === 'riskyEvents') {
    // Events without an id that are alike in every field are one row, counted.
    const event = riskyEvent(value);
    for (let copy = 0; copy < count; copy += 1) facts.riskyEvents.push({ ...event, resources: [...event.resources] });
  } else if ((COUNTED as readonly string[]).includes(list) || list === 'userNames')
    add(facts, list as CountListField | 'userNames', value, count);
  else throw new Error(`the query answered an unknown facet ${JSON.stringify(list)}`);
}

/**
 * Turns the activity query's rows into one summary per key, in the order given, as the summarizer
 * would have counted the same events: the same lists, orders and `(unknown)`s.
 */
export function summariesOfRows(
  accessKeyIds: readonly string[],
  rows: readonly FacetRow[],
  context: RowsContext,
): ActivitySummary[] {
  const byKey = new Map(accessKeyIds.map((key) => [key, emptyFacts()]));
  for (const row of rows) {
    const facts = byKey.get(row.access_key ?? '');
    if (facts) record(facts, row);
  }
  return accessKeyIds.map((accessKeyId, index) => {
    const facts = byKey.get(accessKeyId) ?? emptyFacts();
    const list = (field: CountListField) => toCountList(facts.counts.get(field) ?? new Map());
    const [topUser] = toCountList(facts.counts.get('userNames') ?? new Map());
    const minted = [...facts.minted.values()].sort((a, b) => compareText(a.accessKeyId, b.accessKeyId));
    return {
      accessKeyId,
      userName: (index === 0 ? context.userName : undefined) ?? topUser?.name ?? null,
      source: 'athena',
      window: { start: context.window.start.toISOString(), end: context.window.end.toISOString() },
      regions: {
        searched: [...new Set(context.regionsSearched)].sort(compareText),
        failed: [...(context.regionsFailed ?? [])].sort((a, b) => compareText(a.region, b.region)),
      },
      totalEvents: facts.total,
      firstSeen: facts.firstMs === null ? null : new Date(facts.firstMs).toISOString(),
      lastSeen: facts.lastMs === null ? null : new Date(facts.lastMs).toISOString(),
      eventNames: list('eventNames'),
      eventSources: list('eventSources'),
      awsRegions: list('awsRegions'),
      sourceIps: list('sourceIps'),
      userAgents: list('userAgents'),
      errorCodes: list('errorCodes'),
      resourceTypes: list('resourceTypes'),
      resourceNames: list('resourceNames'),
      sessionKeys: [...facts.sessionKeys].sort(compareText),
      riskyEvents: facts.riskyEvents.sort(compareRiskyEvents),
      truncated: false,
      ...(minted.length > 0 ? { sessionKeysMinted: minted } : {}),
    };
  });
}
