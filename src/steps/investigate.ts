import type { ActivityProgress, ActivitySource } from '../activity/activity-source.js';
import {
  type ActivitySummary,
  type CountListField,
  type SessionKeyMinted,
  type TimeWindow,
  windowFlags,
} from '../activity/activity-summary.js';
import { failedRegionsText } from '../activity/failed-regions-text.js';
import { ActivityAccumulator } from '../activity/summarizer.js';
import { compareText } from '../common/compare-text.js';
import type { Inventory } from './inventory/inventory-types.js';

/**
 * The most session keys followed in all, whatever the hops: each is read in every region (or from
 * every file) again, and past these the rest are listed as not searched, by id.
 */
export const MAX_SESSION_KEYS_FOLLOWED = 25;

/** How many of the session keys not searched an investigation names by id (it counts them all). */
export const SESSION_KEYS_NOT_SEARCHED_LISTED = 100;

/** What {@link investigateKey} needs: where the activity is read from. */
export interface InvestigateDeps {
  source: ActivitySource;
}

/** Options of {@link investigateKey}. */
export interface InvestigateOptions {
  accessKeyId: string;
  userName?: string | null;
  window: TimeWindow;
  /** Also summarise the session keys the key minted (default true). */
  followSessionKeys?: boolean;
  /**
   * Epoch milliseconds after which reading stops and the summary says it is truncated; a hop of
   * session keys not begun by then is not taken, its keys listed as not searched.
   */
  deadline?: number;
  /**
   * Epoch milliseconds after which reading the key's own activity stops (truncated), leaving the
   * time until `deadline` to the session keys it minted; `deadline` when absent.
   */
  keyDeadline?: number;
  /** The time now, which the window is of: sessions are searched until it, at most (default: the clock). */
  now?: () => Date;
  /** Epoch milliseconds now, for the deadlines (default: `Date.now`). */
  clock?: () => number;
  /**
   * The signal the source stops on (Ctrl-C). Once it aborts, no second hop is taken, and a key the
   * stop left with no region searched is returned as read (every region listed as not searched),
   * not thrown: it was stopped, not unsearchable.
   */
  signal?: AbortSignal;
  onProgress?: (progress: ActivityProgress) => void;
  /**
   * The flags that name where this search read (` --logs …`, ` --athena-table …`, ` --account …`),
   * each a shell word: the command a caveat gives to search again reads there too, not LookupEvents
   * of the caller's account. None: LookupEvents, in the account whose credentials search.
   */
  searchedWith?: string;
}

/** A session key minted that was not searched, and why. */
export interface SessionKeyNotSearched {
  accessKeyId: string;
  /** The key that minted it: the investigated key, or a session key followed. */
  mintedBy: string;
  /** `limit`: past the {@link MAX_SESSION_KEYS_FOLLOWED} followed; `time`: the time to investigate ran out first. */
  reason: 'limit' | 'time';
}

/** The session keys minted that were not searched: how many, and the first of them. */
export interface SessionKeysNotSearched {
  count: number;
  /** The first {@link SESSION_KEYS_NOT_SEARCHED_LISTED}, in the order they would have been followed (see byEvidence). */
  keys: SessionKeyNotSearched[];
  /** The window to search them over: the investigation's, reaching on while they work (see sessionWindow). */
  window?: { start: string; end: string };
}

/** A key's activity, and the activity of the session keys it minted, kept apart. */
export interface Investigation {
  activity: ActivitySummary;
  /**
   * One summary per session key followed, busiest first: those the key minted, those they minted,
   * and so on (see {@link MAX_SESSION_KEYS_FOLLOWED}).
   */
  sessionActivity: ActivitySummary[];
  /** The session keys minted that were not searched (past the limit, or out of time); absent when none. */
  sessionKeysNotSearched?: SessionKeysNotSearched;
  /** What the attacker left, checked after the investigation, when it was asked for. */
  inventory?: Inventory;
  /** Set when the investigation was cut to fit the state machine's state: what it held before. */
  cut?: InvestigationCut;
}

/**
 * The sizes of an investigation before it was cut to travel in the state machine's state (see
 * fitInvestigation), so that a message counts what happened, not what was kept.
 */
export interface InvestigationCut {
  /** The key's risky events. */
  riskyEvents: number;
  /** The distinct values of each of the key's count lists. */
  distinct: Record<CountListField, number>;
  /** The session keys' summaries followed. */
  sessionActivity: number;
  /** The session keys the key minted. */
  sessionKeys: number;
  /** Each session key's summary's own sizes before the cut, in the order of `sessionActivity`. */
  sessions?: InvestigationCut[];
}

/** A default window: the `hours` before `now`. */
export function windowEnding(now: Date, hours: number): TimeWindow {
  return { start: new Date(now.getTime() - hours * 3_600_000), end: now };
}

/**
 * Summarises what an access key did over a window, from whichever source holds the activity, then
 * follows the session keys it minted, hop by hop: what they did, then what the keys they minted
 * did (role chaining: a session assuming a role mints another), each key once, until no new key
 * is left, at most {@link MAX_SESSION_KEYS_FOLLOWED} in all (those of roles and federation
 * first, then the latest: see byEvidence), and no hop begun past the deadline.
 * Session keys are searched over the window reaching on while they work (see sessionWindow); a
 * session of an account the source does not read (a role of another account), found quiet, is
 * not taken for one that did nothing: its summary says where it is recorded, and how to search it.
 * The session keys' summaries are kept apart from the key's own, busiest first; those left out
 * are listed by id as not searched, with why. Regions (or files) that could not be searched are in
 * each summary's `regions.failed`. Stopped (`signal`) before or during a hop, or when a hop fails,
 * it keeps what was read, and lists each session key of that hop as not searched, with why.
 *
 * @throws InvestigationError when not one region (or file) could be searched, and nothing was read.
 */
export async function investigateKey(deps: InvestigateDeps, options: InvestigateOptions): Promise<Investigation> {
  const { source } = deps;
  const common = {
    window: options.window,
    deadline: options.keyDeadline ?? options.deadline,
    onProgress: options.onProgress,
  };
  const [activity] = await source.summarize({
    ...common,
    accessKeyIds: [options.accessKeyId],
    userName: options.userName,
  });
  if (!activity) throw new Error(`the ${source.name} source returned no summary`);
  const stopped = () => options.signal?.aborted === true;
  // Events read before every region failed are kept, each region's failure saying so: only a search that read nothing fails.
  if (
    activity.regions.searched.length === 0 &&
    activity.regions.failed.length > 0 &&
    activity.totalEvents === 0 &&
    !stopped()
  )
    throw source.unsearchable(
      `No region could be searched for ${options.accessKeyId}: ${failedRegionsText(activity.regions.failed)}`,
    );

  const own = withDeliveryCaveat(activity, nowOf(options), options.searchedWith);
  if (options.followSessionKeys === false || own.sessionKeys.length === 0)
    return { activity: own, sessionActivity: [] };
  const found = await followSessionKeys(source, own, options);
  const left = notFollowedListed(found);
  return { activity: own, sessionActivity: found.sessionActivity, ...(left ? { sessionKeysNotSearched: left } : {}) };
}

function nowOf(options: Pick<InvestigateOptions, 'now'>): number {
  return (options.now?.() ?? new Date()).getTime();
}

/**
 * How long after a call its event may be missing from a search: CloudTrail delivers one "within
 * an average of about 5 minutes of an API call. This time is not guaranteed." (CloudTrail's
 * documentation); LookupEvents shows some later still, up to about 15 minutes.
 */
export const DELIVERY_LAG_MS = 15 * 60_000;

/**
 * The summary, with a caveat when its window ends less than {@link DELIVERY_LAG_MS} before the
 * search (`searchedAt`): calls of its last minutes may not show yet. Said, not counted as a gap:
 * nothing that was searched is missing, and searching again later settles it.
 */
function withDeliveryCaveat(summary: ActivitySummary, searchedAt: number, searchedWith = ''): ActivitySummary {
  const end = Date.parse(summary.window.end);
  if (!(searchedAt - end < DELIVERY_LAG_MS) || summary.regions.searched.length === 0) return summary;
  const minutes = Math.max(0, Math.floor((searchedAt - end) / 60_000));
  const after = new Date(end + DELIVERY_LAG_MS).toISOString();
  const caveat = `The window ends at ${summary.window.end}, ${minutes} minute(s) before this search: CloudTrail shows a call's event about 5 minutes after it, at times later, so calls of its last minutes may not show yet. Search again after ${after}, in the same account: exposed-keys investigate --key ${summary.accessKeyId}${windowFlags(summary.window)}${searchedWith}`;
  return { ...summary, caveats: [...(summary.caveats ?? []), caveat] };
}

/** A session key to follow, the key that minted it, and how, when its summary says. */
interface Minted {
  accessKeyId: string;
  mintedBy: string;
  how?: SessionKeyMinted;
}

/** Calls whose keys are someone else than the caller: a role (perhaps of another account), a federated user. */
const IDENTITY_CHANGING = new Set(['AssumeRole', 'GetFederationToken']);

/**
 * The order in which minted keys are followed, since past {@link MAX_SESSION_KEYS_FOLLOWED} the
 * rest are not. First the keys of AssumeRole and GetFederationToken: they make the caller someone
 * else (a role's permissions, perhaps in another account; a federated user, who may sign in to the
 * console), which is how an attacker escalates, where a GetSessionToken session keeps the user's
 * own permissions. Then the most recently minted: a later session is the likelier to still work,
 * and it is the attacker's latest move, where the first are often its probing. Keys whose minting
 * the summary does not tell (a state kept before it did) come last; ties go by key id.
 */
function byEvidence(a: Minted, b: Minted): number {
  const rank = (key: Minted) => (key.how ? (IDENTITY_CHANGING.has(key.how.eventName) ? 0 : 1) : 2);
  return (
    rank(a) - rank(b) ||
    compareText(b.how?.eventTime ?? '', a.how?.eventTime ?? '') ||
    compareText(a.accessKeyId, b.accessKeyId)
  );
}

/** The keys `minters` minted that were not seen before, each once, in the order to follow them; marks them seen. */
function newlyMinted(minters: readonly ActivitySummary[], seen: Set<string>): Minted[] {
  const minted: Minted[] = [];
  for (const minter of minters) {
    const how = new Map(minter.sessionKeysMinted?.map((key) => [key.accessKeyId, key]));
    for (const accessKeyId of minter.sessionKeys)
      if (!seen.has(accessKeyId)) {
        seen.add(accessKeyId);
        const known = how.get(accessKeyId);
        minted.push({ accessKeyId, mintedBy: minter.accessKeyId, ...(known ? { how: known } : {}) });
      }
  }
  return minted.sort(byEvidence);
}

/**
 * The summaries of a hop, each found quiet that is a session of an account whose calls the source
 * does not read (a role of another account: LookupEvents reads the credentials' account alone)
 * replaced by one that says so. Only a quiet one: what was found stands, whatever the source says
 * it reads; and a key whose account the record does not name, or the source cannot tell, stands.
 */
async function withSessionsElsewhere(
  source: ActivitySource,
  summaries: readonly ActivitySummary[],
  hop: readonly Minted[],
): Promise<ActivitySummary[]> {
  const reads = new Map<string, Promise<boolean | undefined>>();
  const readsAccount = (accountId: string) => {
    let answer = reads.get(accountId);
    if (!answer) {
      answer = source.readsAccount?.(accountId).catch(() => undefined) ?? Promise.resolve(undefined);
      reads.set(accountId, answer);
    }
    return answer;
  };
  const byKey = new Map(hop.map((key) => [key.accessKeyId, key]));
  return Promise.all(
    summaries.map(async (summary) => {
      const key = byKey.get(summary.accessKeyId);
      const accountId = key?.how?.accountId;
      if (!key || !accountId || summary.totalEvents > 0 || (await readsAccount(accountId)) !== false) return summary;
      return recordedElsewhere(summary, key, accountId);
    }),
  );
}

/**
 * The summary of a session key of another account, found quiet where its calls are not recorded:
 * no region searched, and one place not searched, `(every region) of account …`, that says where
 * they are and how to search it there, rather than a quiet key.
 */
function recordedElsewhere(quiet: ActivitySummary, key: Minted, accountId: string): ActivitySummary {
  const { start, end } = quiet.window;
  const error = `a session of account ${accountId} (${key.how?.eventName ?? 'minted'} by ${key.mintedBy}): its calls are recorded in that account's CloudTrail, which this search does not read. Search it there: exposed-keys investigate --key ${key.accessKeyId} --account ${accountId} --start ${start} --end ${end} (from the organisation's hub, through its responder role; else with --profile <a profile of account ${accountId}> in place of --account)`;
  return {
    ...quiet,
    regions: { searched: [], failed: [{ region: `(every region) of account ${accountId}`, error }] },
  };
}

/** The longest a session works: GetSessionToken's and GetFederationToken's most, 36 hours (AssumeRole's is 12). */
const LONGEST_SESSION_MS = 36 * 3_600_000;

/**
 * The window session keys are searched over: the investigation's, reaching on to when the last of
 * them stops working, as its minting call's response says, else 36 hours after it was minted (a
 * session minted minutes before the window's end works long after it), but never past now. The
 * investigation's own window when none reaches further, or their minting is not known.
 */
function sessionWindow(window: TimeWindow, keys: readonly Minted[], now: number): TimeWindow {
  const windowEnd = window.end.getTime();
  let end = windowEnd;
  for (const { how } of keys) {
    if (!how) continue;
    const until = how.expiration ? Date.parse(how.expiration) : Date.parse(how.eventTime) + LONGEST_SESSION_MS;
    if (Number.isFinite(until)) end = Math.max(end, until);
  }
  end = Math.min(end, Math.max(now, windowEnd));
  return end === windowEnd ? window : { start: window.start, end: new Date(end) };
}

/** What following a key's session keys read, and every session key it found and did not follow. */
export interface SessionKeysFollowed {
  /** One summary per session key followed, busiest first. */
  sessionActivity: ActivitySummary[];
  /** The session keys followed, in the order they were, each with the key that minted it. */
  followed: { accessKeyId: string; mintedBy: string }[];
  /** Every session key found minted and not followed, in the order it would have been (see byEvidence), with why. */
  notFollowed: SessionKeyNotSearched[];
  /** The window to search those not followed over (see sessionWindow); absent when none. */
  notFollowedWindow?: TimeWindow;
}

/** Options of {@link followSessionKeys}: the window, the deadline, the stop and the clocks, as for {@link investigateKey}. */
export type FollowSessionKeysOptions = Pick<
  InvestigateOptions,
  'window' | 'deadline' | 'now' | 'clock' | 'signal' | 'onProgress' | 'searchedWith'
>;

/**
 * The hops after the key's own (`activity`): each reads, in one search, the keys the previous one
 * found minted and not yet seen, while there is room under {@link MAX_SESSION_KEYS_FOLLOWED},
 * time before the deadline, and no stop; see {@link investigateKey}. Every key found and not
 * followed is returned, with why.
 */
export async function followSessionKeys(
  source: ActivitySource,
  activity: ActivitySummary,
  options: FollowSessionKeysOptions,
): Promise<SessionKeysFollowed> {
  const now = () => nowOf(options);
  const stopped = () => options.signal?.aborted === true;
  const seen = new Set([activity.accessKeyId]);
  const sessionActivity: ActivitySummary[] = [];
  const followed: Minted[] = [];
  const left: { key: Minted; reason: SessionKeyNotSearched['reason'] }[] = [];
  let minters: readonly ActivitySummary[] = [activity];
  while (minters.length > 0) {
    const minted = newlyMinted(minters, seen);
    const room = MAX_SESSION_KEYS_FOLLOWED - sessionActivity.length;
    const hop = minted.slice(0, room);
    left.push(...minted.slice(room).map((key) => ({ key, reason: 'limit' as const })));
    if (hop.length === 0) break;
    const keys = hop.map((key) => key.accessKeyId);
    const window = sessionWindow(options.window, hop, now());
    if (stopped()) {
      followed.push(...hop);
      sessionActivity.push(...notSearched(activity, keys, window, STOPPED));
      break;
    }
    if (options.deadline !== undefined && (options.clock ?? Date.now)() >= options.deadline) {
      left.push(...hop.map((key) => ({ key, reason: 'time' as const })));
      break;
    }
    followed.push(...hop);
    try {
      const read = await source.summarize({
        window,
        deadline: options.deadline,
        onProgress: options.onProgress,
        accessKeyIds: keys,
      });
      minters = (await withSessionsElsewhere(source, read, hop)).map((summary) =>
        withDeliveryCaveat(summary, now(), options.searchedWith),
      );
    } catch (error) {
      // Stopped during a hop (an Athena query cancelled on Ctrl-C), or failed (credentials that
      // expired during a long first read): what was read is kept, and each session key of the
      // hop is reported as not searched, with why.
      const why = stopped() ? STOPPED : `the search of the session keys failed: ${errorText(error)}`;
      sessionActivity.push(...notSearched(activity, keys, window, why));
      break;
    }
    sessionActivity.push(...minters);
  }
  const done = {
    sessionActivity: sortBusiestFirst(sessionActivity),
    followed: followed.map(({ accessKeyId, mintedBy }) => ({ accessKeyId, mintedBy })),
    notFollowed: left.map(({ key, reason }) => ({ accessKeyId: key.accessKeyId, mintedBy: key.mintedBy, reason })),
  };
  if (left.length === 0) return done;
  const window = sessionWindow(
    options.window,
    left.map(({ key }) => key),
    now(),
  );
  return { ...done, notFollowedWindow: window };
}

/** The session keys found and not followed, as a result lists them (the first {@link SESSION_KEYS_NOT_SEARCHED_LISTED}); undefined when none. */
export function notFollowedListed(found: SessionKeysFollowed): SessionKeysNotSearched | undefined {
  const { notFollowed, notFollowedWindow } = found;
  if (notFollowed.length === 0 || !notFollowedWindow) return undefined;
  return {
    count: notFollowed.length,
    keys: notFollowed.slice(0, SESSION_KEYS_NOT_SEARCHED_LISTED),
    window: { start: notFollowedWindow.start.toISOString(), end: notFollowedWindow.end.toISOString() },
  };
}

const STOPPED = 'stopped (Ctrl-C) before this session key was searched';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The session keys a stop (Ctrl-C) or a failure left unsearched, each with the key's own regions
 * (or `unknown`, when it has none) listed as not searched for `why`: a message or a reader then
 * says so, rather than show no session key at all.
 */
function notSearched(
  activity: ActivitySummary,
  sessionKeys: string[],
  window: TimeWindow,
  why: string,
): ActivitySummary[] {
  const regions = [...activity.regions.searched, ...activity.regions.failed.map((failed) => failed.region)];
  const regionsFailed = (regions.length > 0 ? regions : ['unknown']).map((region) => ({ region, error: why }));
  return sessionKeys.map((key) =>
    new ActivityAccumulator(key, window).summary({
      source: activity.source,
      regionsSearched: [],
      regionsFailed,
      truncated: true,
    }),
  );
}

/** Orders session summaries by events descending, then key ascending. */
function sortBusiestFirst(summaries: ActivitySummary[]): ActivitySummary[] {
  return summaries.sort((a, b) => b.totalEvents - a.totalEvents || compareText(a.accessKeyId, b.accessKeyId));
}
