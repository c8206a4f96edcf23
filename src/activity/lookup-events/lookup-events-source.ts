import { compareText } from '../../common/compare-text.js';
import { GLOBAL_EVENTS_REGION } from '../../constants.js';
import { describeError, InvestigationError } from '../../errors.js';
import type { ActivitySource } from '../activity-source.js';
import type { ActivitySummary, FailedRegion } from '../activity-summary.js';
import { type LookupEventsDeps, lookupActivity } from './lookup-events.js';

/** What the `lookup-events` source needs. */
export interface LookupEventsSourceDeps extends LookupEventsDeps {
  /**
   * Lists the account's enabled regions, for when the options give none. A function, so that the
   * EC2 client behind it is only loaded when it is needed.
   */
  listRegions?: () => Promise<string[]>;
}

/** How the `lookup-events` source reads. */
export interface LookupEventsSourceOptions {
  /** The regions to search; every enabled region when absent or empty. */
  regions?: readonly string[];
  /** LookupEvents calls per second per region (default: the API's limit, 2). */
  requestsPerSecond?: number;
  /** Stop reading (and mark the summary truncated) after this many events per key. */
  maxEvents?: number;
  /** Stops reading when it aborts (Ctrl-C): the summaries keep what was read (see lookup-events.ts). */
  signal?: AbortSignal;
}

interface Regions {
  regions: readonly string[];
  failed: FailedRegion[];
}

async function regionsToSearch(deps: LookupEventsSourceDeps, regions: readonly string[] | undefined): Promise<Regions> {
  if (regions && regions.length > 0) return { regions, failed: [] };
  if (!deps.listRegions) return { regions: [GLOBAL_EVENTS_REGION], failed: [] };
  try {
    return { regions: await deps.listRegions(), failed: [] };
  } catch (error) {
    return {
      regions: [GLOBAL_EVENTS_REGION],
      failed: [
        {
          region: '(all other regions)',
          error: `could not list the account's regions, so only ${GLOBAL_EVENTS_REGION} was searched: ${describeError(error)}`,
        },
      ],
    };
  }
}

function withFailures(summary: ActivitySummary, failed: readonly FailedRegion[]): ActivitySummary {
  if (failed.length === 0) return summary;
  const all = [...summary.regions.failed, ...failed].sort((a, b) => compareText(a.region, b.region));
  return { ...summary, regions: { ...summary.regions, failed: all } };
}

/**
 * CloudTrail `LookupEvents` as an activity source: every page, in every enabled region (or the
 * given ones) at once, within the API's rate limit per region. The regions are listed once, on
 * first use; when they cannot be, us-east-1 (where IAM and STS calls are recorded) is searched and
 * the others are reported as not searched.
 */
export function lookupEventsSource(
  deps: LookupEventsSourceDeps,
  options: LookupEventsSourceOptions = {},
): ActivitySource {
  let regions: Promise<Regions> | undefined;
  return {
    name: 'lookup-events',
    unsearchable: (message) =>
      new InvestigationError(message, {
        hint: 'Check that the caller may call cloudtrail:LookupEvents, or investigate from log files with --logs.',
      }),

    async summarize(query) {
      regions ??= regionsToSearch(deps, options.regions);
      const { regions: searched, failed } = await regions;
      const summaries = await lookupActivity(deps, {
        accessKeyIds: query.accessKeyIds,
        window: query.window,
        regions: searched,
        userName: query.userName,
        requestsPerSecond: options.requestsPerSecond,
        maxEvents: options.maxEvents,
        signal: options.signal,
        deadline: query.deadline,
        onProgress: query.onProgress,
      });
      return summaries.map((summary) => withFailures(summary, failed));
    },
  };
}
