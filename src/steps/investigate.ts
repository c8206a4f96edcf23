import { type ActivitySummary, compareText, type FailedRegion, type TimeWindow } from '../activity/activity-summary.js';
import { type LookupEventsDeps, type LookupProgress, lookupActivity } from '../activity/lookup-events/lookup-events.js';
import { describeError, InvestigationError } from '../errors.js';

/** Events in us-east-1 include every IAM and STS call, whatever the region used. */
export const HOME_REGION = 'us-east-1';
/** A second hop beyond this many session keys would take longer than the first: the rest are listed only. */
export const MAX_SESSION_KEYS_FOLLOWED = 25;

/** What {@link summarizeActivity} needs. */
export interface InvestigateDeps extends LookupEventsDeps {
  /**
   * Lists the account's enabled regions, for when the options give none. A function, so that the
   * EC2 client behind it is only loaded when it is needed.
   */
  listRegions?: () => Promise<string[]>;
}

/** Options of {@link summarizeActivity}. */
export interface InvestigateOptions {
  accessKeyId: string;
  userName?: string | null;
  window: TimeWindow;
  /** The regions to search; every enabled region when absent. */
  regions?: readonly string[];
  maxEvents?: number;
  /** LookupEvents calls per second per region (default: the API's limit, 2). */
  requestsPerSecond?: number;
  /** Epoch milliseconds after which reading stops and the summary says it is truncated. */
  deadline?: number;
  onProgress?: (progress: LookupProgress) => void;
}

/** A key's activity, and the activity of the session keys it minted, kept apart. */
export interface Investigation {
  activity: ActivitySummary;
  /** One summary per session key followed (see {@link MAX_SESSION_KEYS_FOLLOWED}), busiest first. */
  sessionActivity: ActivitySummary[];
}

/** A default window: the `hours` before `now`. */
export function windowEnding(now: Date, hours: number): TimeWindow {
  return { start: new Date(now.getTime() - hours * 3_600_000), end: now };
}

async function regionsToSearch(
  deps: InvestigateDeps,
  regions: readonly string[] | undefined,
): Promise<{ regions: readonly string[]; failed: FailedRegion[] }> {
  if (regions && regions.length > 0) return { regions, failed: [] };
  if (!deps.listRegions) return { regions: [HOME_REGION], failed: [] };
  try {
    return { regions: await deps.listRegions(), failed: [] };
  } catch (error) {
    return {
      regions: [HOME_REGION],
      failed: [
        {
          region: '(all other regions)',
          error: `could not list the account's regions, so only ${HOME_REGION} was searched: ${describeError(error)}`,
        },
      ],
    };
  }
}

/**
 * Summarises what an access key did over a window, from CloudTrail `LookupEvents` in every region
 * (or the given ones). Regions that could not be listed or searched are in `regions.failed`.
 *
 * @throws InvestigationError when not one region could be searched.
 */
export async function summarizeActivity(deps: InvestigateDeps, options: InvestigateOptions): Promise<ActivitySummary> {
  const { activity } = await investigateKey(deps, { ...options, followSessionKeys: false });
  return activity;
}

/**
 * Like {@link summarizeActivity}, then a second hop: the activity of the session keys the key
 * minted, summarised apart from the key's own.
 */
export async function investigateKey(
  deps: InvestigateDeps,
  options: InvestigateOptions & { followSessionKeys?: boolean },
): Promise<Investigation> {
  const { regions, failed } = await regionsToSearch(deps, options.regions);
  const common = {
    window: options.window,
    regions,
    maxEvents: options.maxEvents,
    requestsPerSecond: options.requestsPerSecond,
    deadline: options.deadline,
    onProgress: options.onProgress,
  };
  const [first] = await lookupActivity(deps, {
    ...common,
    accessKeyIds: [options.accessKeyId],
    userName: options.userName,
  });
  const activity = withFailures(first as ActivitySummary, failed);
  if (activity.regions.searched.length === 0 && activity.regions.failed.length > 0)
    throw new InvestigationError(
      `No region could be searched for ${options.accessKeyId}: ${activity.regions.failed
        .map((region) => `${region.region}: ${region.error}`)
        .join('; ')}`,
      { hint: 'Check that the caller may call cloudtrail:LookupEvents, or investigate from log files with --logs.' },
    );
  if (options.followSessionKeys === false || activity.sessionKeys.length === 0)
    return { activity, sessionActivity: [] };
  const followed = activity.sessionKeys.slice(0, MAX_SESSION_KEYS_FOLLOWED);
  const sessionActivity = await lookupActivity(deps, { ...common, accessKeyIds: followed });
  return {
    activity,
    sessionActivity: sortBusiestFirst(sessionActivity.map((summary) => withFailures(summary, failed))),
  };
}

function withFailures(summary: ActivitySummary, failed: readonly FailedRegion[]): ActivitySummary {
  if (failed.length === 0) return summary;
  const all = [...summary.regions.failed, ...failed].sort((a, b) => compareText(a.region, b.region));
  return { ...summary, regions: { ...summary.regions, failed: all } };
}

/** Orders session summaries by events descending, then key ascending. */
export function sortBusiestFirst(summaries: ActivitySummary[]): ActivitySummary[] {
  return summaries.sort(
    (a, b) =>
      b.totalEvents - a.totalEvents || (a.accessKeyId < b.accessKeyId ? -1 : a.accessKeyId > b.accessKeyId ? 1 : 0),
  );
}
