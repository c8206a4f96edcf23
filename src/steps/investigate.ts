import type { ActivityProgress, ActivitySource } from '../activity/activity-source.js';
import type { ActivitySummary, CountListField, TimeWindow } from '../activity/activity-summary.js';
import { ActivityAccumulator } from '../activity/summarizer.js';
import { compareText } from '../common/compare-text.js';
import type { Inventory } from './inventory/inventory-types.js';

/** A second hop beyond this many session keys would take longer than the first: the rest are listed only. */
export const MAX_SESSION_KEYS_FOLLOWED = 25;

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
  /** Epoch milliseconds after which reading stops and the summary says it is truncated. */
  deadline?: number;
  /**
   * The signal the source stops on (Ctrl-C). Once it aborts, no second hop is taken, and a key the
   * stop left with no region searched is returned as read (every region listed as not searched),
   * not thrown: it was stopped, not unsearchable.
   */
  signal?: AbortSignal;
  onProgress?: (progress: ActivityProgress) => void;
}

/** A key's activity, and the activity of the session keys it minted, kept apart. */
export interface Investigation {
  activity: ActivitySummary;
  /** One summary per session key followed (see {@link MAX_SESSION_KEYS_FOLLOWED}), busiest first. */
  sessionActivity: ActivitySummary[];
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
 * takes a second hop: what the session keys it minted did (at most
 * {@link MAX_SESSION_KEYS_FOLLOWED}, in the order the summary lists them), summarised apart from
 * the key's own and busiest first. Regions (or files) that could not be searched are in each
 * summary's `regions.failed`. Stopped (`signal`) before or during the second hop, or when the second
 * hop fails, it keeps the key's summary, and lists each session key it would have followed as not
 * searched, with why.
 *
 * @throws InvestigationError when not one region (or file) could be searched, and nothing was read.
 */
export async function investigateKey(deps: InvestigateDeps, options: InvestigateOptions): Promise<Investigation> {
  const { source } = deps;
  const common = { window: options.window, deadline: options.deadline, onProgress: options.onProgress };
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
      `No region could be searched for ${options.accessKeyId}: ${activity.regions.failed
        .map((region) => `${region.region}: ${region.error}`)
        .join('; ')}`,
    );

  if (options.followSessionKeys === false || activity.sessionKeys.length === 0)
    return { activity, sessionActivity: [] };
  const followed = activity.sessionKeys.slice(0, MAX_SESSION_KEYS_FOLLOWED);
  if (stopped()) return { activity, sessionActivity: notSearched(activity, followed, options.window, STOPPED) };
  try {
    const sessionActivity = await source.summarize({ ...common, accessKeyIds: followed });
    return { activity, sessionActivity: sortBusiestFirst(sessionActivity) };
  } catch (error) {
    // Stopped during the second hop (an Athena query cancelled on Ctrl-C), or failed (credentials
    // that expired during a long first read): the key's own summary, read whole, is kept, and each
    // session key is reported as not searched, with why.
    const why = stopped() ? STOPPED : `the search of the session keys failed: ${errorText(error)}`;
    return { activity, sessionActivity: notSearched(activity, followed, options.window, why) };
  }
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
