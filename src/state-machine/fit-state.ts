import { type ActivitySummary, COUNT_LISTS, type CountEntry, type RiskyEvent } from '../activity/activity-summary.js';
import { jsonBytes } from '../common/json-bytes.js';
import { codePointLength, cutEnd, inert } from '../common/untrusted-text.js';
import { accessFirst, COMMAND_SHOWN, type Inventory, type Leftover } from '../steps/inventory/inventory-types.js';
import type { Investigation, InvestigationCut } from '../steps/investigate.js';

/** Step Functions refuses a state over 256 KB; the investigation must leave room for the rest. */
export const MAX_INVESTIGATION_BYTES = 160_000;

/** Past the first cuts, each value is cut to this many characters: enough to tell it, and bounded. */
const VALUE_LENGTH = 200;

/**
 * How many rows of each list a bounded summary keeps. Regions have no limit: every region not
 * searched must be named, and there are only a few dozen; only why each failed is cut.
 */
interface Limits {
  rows: number;
  risky: number;
  /** Resources each risky event keeps (a RunInstances may name thousands of instances). */
  resources: number;
  sessionKeys: number;
  /** Code points of each failed region's error. */
  regionError: number;
}

/**
 * At most `count` of the risky events, in their order (by time): the first of each kind (its
 * category and call) before any other, so that no kind of act disappears from the message, then the
 * latest of the rest.
 */
export function keptRiskyEvents(events: readonly RiskyEvent[], count: number): RiskyEvent[] {
  if (events.length <= count) return [...events];
  const kept = new Set<number>();
  const kinds = new Set<string>();
  for (const [index, event] of events.entries()) {
    const kind = `${event.category}\u0000${event.eventName}`;
    if (kinds.has(kind)) continue;
    kinds.add(kind);
    if (kept.size < count) kept.add(index);
  }
  for (let index = events.length - 1; index >= 0 && kept.size < count; index -= 1) kept.add(index);
  return events.filter((_, index) => kept.has(index));
}

function cut(summary: ActivitySummary, rows: number, risky: number): ActivitySummary {
  const cutLists = Object.fromEntries(COUNT_LISTS.map(({ field }) => [field, summary[field].slice(0, rows)]));
  return { ...summary, ...cutLists, riskyEvents: keptRiskyEvents(summary.riskyEvents, risky) };
}

/** What a summary held before it was cut. */
function summarySizes(activity: ActivitySummary, sessionActivity = 0): InvestigationCut {
  return {
    riskyEvents: activity.riskyEvents.length,
    distinct: Object.fromEntries(
      COUNT_LISTS.map(({ field }) => [field, activity[field].length]),
    ) as InvestigationCut['distinct'],
    sessionActivity,
    sessionKeys: activity.sessionKeys.length,
  };
}

/** What the investigation held before it was cut (see InvestigationCut), each session key's summary too. */
function sizesOf(investigation: Investigation): InvestigationCut {
  const sessions = investigation.sessionActivity.map((summary) => summarySizes(summary));
  return {
    ...summarySizes(investigation.activity, investigation.sessionActivity.length),
    ...(sessions.length > 0 ? { sessions } : {}),
  };
}

function shorter(text: string): string {
  return cutEnd(text, VALUE_LENGTH);
}

/**
 * The summary with every value cut to {@link VALUE_LENGTH} and each list to its limit: its size is
 * then bounded by the limits alone. It says it is truncated when a list lost rows it had to keep.
 */
function bounded(summary: ActivitySummary, limits: Limits): ActivitySummary {
  const { sessionKeysMinted, ...listed } = cut(summary, limits.rows, limits.risky);
  // Every value of a minted key's record is of a fixed shape (a key id, a call, times, an account): only their number is cut.
  const minted = sessionKeysMinted?.slice(0, limits.sessionKeys) ?? [];
  const entries = (list: CountEntry[]) => list.map((entry) => ({ ...entry, name: shorter(entry.name) }));
  const cutLists = Object.fromEntries(COUNT_LISTS.map(({ field }) => [field, entries(listed[field])]));
  const lost =
    listed.riskyEvents.some((event) => event.resources.length > limits.resources) ||
    summary.sessionKeys.length > limits.sessionKeys;
  return {
    ...listed,
    ...cutLists,
    accessKeyId: shorter(listed.accessKeyId),
    userName: listed.userName === null ? null : shorter(listed.userName),
    regions: {
      searched: listed.regions.searched.map(shorter),
      failed: listed.regions.failed.map((failed) => ({
        region: shorter(failed.region),
        error: cutEnd(failed.error, limits.regionError),
      })),
    },
    sessionKeys: listed.sessionKeys.slice(0, limits.sessionKeys).map(shorter),
    riskyEvents: listed.riskyEvents.map((event) => ({
      ...event,
      eventName: shorter(event.eventName),
      eventTime: shorter(event.eventTime),
      awsRegion: shorter(event.awsRegion),
      eventId: shorter(event.eventId),
      errorCode: event.errorCode === null ? null : shorter(event.errorCode),
      resources: event.resources
        .slice(0, limits.resources)
        .map((resource) => ({ type: shorter(resource.type), name: shorter(resource.name) })),
    })),
    truncated: listed.truncated || lost,
    ...(minted.length > 0 ? { sessionKeysMinted: minted } : {}),
  };
}

/**
 * The largest bounded summary that fits: the limits are halved until it does. At zero it holds
 * no list but the regions, each named and no more (AWS's few dozen regions, and the accounts asked),
 * with totals and values cut short, so it always does.
 */
function boundedToFit(summary: ActivitySummary, budget: number): ActivitySummary {
  let limits: Limits = { rows: 15, risky: 50, resources: 20, sessionKeys: 1_000, regionError: VALUE_LENGTH };
  for (;;) {
    const fitted = bounded(summary, limits);
    if (jsonBytes(fitted) <= budget || Object.values(limits).every((limit) => limit === 0)) return fitted;
    const listsGone = limits.rows + limits.risky + limits.resources + limits.sessionKeys === 0;
    limits = {
      rows: Math.floor(limits.rows / 2),
      risky: Math.floor(limits.risky / 2),
      resources: Math.floor(limits.resources / 2),
      sessionKeys: Math.floor(limits.sessionKeys / 2),
      // Why a region was not searched tells what to fix before searching again: it is cut last.
      regionError: listsGone ? Math.floor(limits.regionError / 2) : limits.regionError,
    };
  }
}

/**
 * The investigation, small enough to travel in the state machine's state: at most
 * {@link MAX_INVESTIGATION_BYTES}, whatever the activity held. Only the notification reads it
 * there, and it shows the top rows of each list. Totals and every region searched or not are always
 * kept (a region not searched is always named; only why it failed may be cut). Session keys are
 * kept whole as long as they fit; past that, every value is cut and the summary says it is
 * truncated, and the session keys' summaries keep their totals and regions alone. Of the risky events, the first of each kind is kept (see keptRiskyEvents). Whenever
 * anything is cut, `cut` gives the sizes before (the session keys minted among them), for the
 * message to count what happened, not what was kept. The whole summary comes from
 * `exposed-keys investigate`.
 */
export function fitInvestigation(investigation: Investigation): Investigation {
  if (jsonBytes(investigation) <= MAX_INVESTIGATION_BYTES) return investigation;
  const sizes = sizesOf(investigation);
  // The session keys not searched are counted whole; the first few are named, as a message names them.
  const left = investigation.sessionKeysNotSearched;
  const notSearched = left ? { sessionKeysNotSearched: { ...left, keys: left.keys.slice(0, NOT_SEARCHED_KEPT) } } : {};
  for (const [rows, risky] of [
    [200, 1000],
    [50, 300],
    [15, 100],
  ] as const) {
    const fitted = {
      activity: cut(investigation.activity, rows, risky),
      sessionActivity: investigation.sessionActivity.map((summary) => cut(summary, Math.min(rows, 10), 20)),
      ...notSearched,
      cut: sizes,
    };
    if (jsonBytes(fitted) <= MAX_INVESTIGATION_BYTES) return fitted;
  }
  const sessionActivity = sessionsAtTheirSmallest(investigation.sessionActivity);
  // The sizes, the session keys and the wrapper travel with it: the summary gets what they leave.
  const budget = MAX_INVESTIGATION_BYTES - jsonBytes({ activity: {}, sessionActivity, ...notSearched, cut: sizes });
  return { activity: boundedToFit(investigation.activity, budget), sessionActivity, ...notSearched, cut: sizes };
}

/** How many of the session keys not searched a cut investigation names (each is a key id, of at most 128 characters). */
const NOT_SEARCHED_KEPT = 25;

/** What the session keys' summaries may take of the state at most, so that the key's own keeps the rest. */
const SESSIONS_SHARE = MAX_INVESTIGATION_BYTES / 3;

/**
 * The session keys' summaries at their smallest: totals, window, every region searched and not
 * searched (a region not searched for a session key is one to search again), and the first risky
 * call of each kind while they fit, so that what a session did is not taken for nothing (the cut's
 * `sessions` count the rest); why each region failed is cut short, then left out. None, past their
 * share (more session keys than are ever followed).
 */
function sessionsAtTheirSmallest(summaries: readonly ActivitySummary[]): ActivitySummary[] {
  const none = { rows: 0, resources: 0, sessionKeys: 0 };
  for (const [risky, regionError] of [
    [10, 60],
    [3, 60],
    [0, 0],
  ] as const) {
    const smallest = summaries.map((summary) => bounded(summary, { ...none, risky, regionError }));
    if (jsonBytes(smallest) <= SESSIONS_SHARE) return smallest;
  }
  return [];
}

/** The inventory travels beside the investigation: together they leave room in a 256 KB state. */
export const MAX_INVENTORY_BYTES = 60_000;

/** An item's command as a state keeps it: whole, or, longer than a message shows, left out (never cut). */
function keptCommand(item: Leftover): Pick<Leftover, 'command' | 'commandLeftOut'> {
  if (codePointLength(inert(item.command)) <= COMMAND_SHOWN) return { command: item.command };
  return { command: '', commandLeftOut: true };
}

/**
 * The inventory, small enough for the state: every text but the commands cut to {@link VALUE_LENGTH}
 * (a command too long for a message left out, whole or not at all), what grants the attacker a way
 * in put first (see accessFirst), then what was already removed left out, then the rest halved until
 * it fits; it says so when it lost items.
 */
export function fitInventory(inventory: Inventory): Inventory {
  if (jsonBytes(inventory) <= MAX_INVENTORY_BYTES) return inventory;
  const cutItems = inventory.items.map((item) => ({
    ...item,
    name: shorter(item.name),
    owner: item.owner === null ? null : shorter(item.owner),
    note: item.note === null ? null : shorter(item.note),
    ...keptCommand(item),
  }));
  let items = accessFirst(cutItems.filter((item) => item.state !== 'gone'));
  let fitted: Inventory = { ...inventory, items, truncated: true };
  while (jsonBytes(fitted) > MAX_INVENTORY_BYTES && items.length > 0) {
    items = items.slice(0, Math.floor(items.length / 2));
    fitted = { ...inventory, items, truncated: true };
  }
  return fitted;
}
