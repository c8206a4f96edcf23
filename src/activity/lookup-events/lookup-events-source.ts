import { isCredentialsFailure } from '../../aws/aws-errors.js';
import type { CloudTrailApi } from '../../aws/narrow-clients.js';
import { compareText } from '../../common/compare-text.js';
import { GLOBAL_EVENTS_REGION, MAX_LOOKBACK_HOURS } from '../../constants.js';
import { CredentialsError, describeError, InvestigationError } from '../../errors.js';
import type { ActivitySource } from '../activity-source.js';
import type { ActivitySummary, FailedRegion, TimeWindow } from '../activity-summary.js';
import { withGlobalEventsRegion } from '../global-events-region.js';
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
  /** The regions to search, us-east-1 always among them (see withGlobalEventsRegion); every enabled region when absent or empty. */
  regions?: readonly string[];
  /** LookupEvents calls per second per region (default: the API's limit, 2). */
  requestsPerSecond?: number;
  /** Stop reading (and mark the summary truncated) after this many events per key. */
  maxEvents?: number;
  /** Stops reading when it aborts (Ctrl-C): the summaries keep what was read (see lookup-events.ts). */
  signal?: AbortSignal;
  /** The time now, for the 90 days LookupEvents holds (default: the clock; tests of recorded events set theirs). */
  clock?: () => Date;
  /**
   * The account whose CloudTrail this reads (that of the credentials), or how to find it when asked
   * (undefined when it cannot be told): a role session of another account is recorded there, not here.
   */
  account?: string | (() => Promise<string | undefined>);
}

/** LookupEvents holds the last 90 days of events. */
const HELD_MS = MAX_LOOKBACK_HOURS * 3_600_000;
/**
 * A window computed a moment before it is read (--hours 2160, the most) starts that moment before
 * the 90 days: it is cut to them without a word. Only a cut longer than this is reported.
 */
const CUT_UNSAID_MS = 3_600_000;

/**
 * The part of `window` LookupEvents still holds: the window itself, or cut to start 90 days ago
 * (`cut`: by more than a moment), or nothing when it ended before.
 */
function heldPart(window: TimeWindow, now: Date): { window: TimeWindow; cut: boolean } | { before: Date } {
  const since = new Date(now.getTime() - HELD_MS);
  if (window.end < since) return { before: since };
  if (window.start >= since) return { window, cut: false };
  return { window: { start: since, end: window.end }, cut: since.getTime() - window.start.getTime() > CUT_UNSAID_MS };
}

interface Regions {
  regions: readonly string[];
  failed: FailedRegion[];
}

async function regionsToSearch(deps: LookupEventsSourceDeps, regions: readonly string[] | undefined): Promise<Regions> {
  if (regions && regions.length > 0) return { regions: withGlobalEventsRegion(regions), failed: [] };
  if (!deps.listRegions) return { regions: [GLOBAL_EVENTS_REGION], failed: [] };
  const onlyGlobal = (why: string): Regions => ({
    regions: [GLOBAL_EVENTS_REGION],
    failed: [
      {
        region: '(all other regions)',
        error: `could not list the account's regions, so only ${GLOBAL_EVENTS_REGION} was searched: ${why}`,
      },
    ],
  });
  try {
    const listed = await deps.listRegions();
    // No region at all is no listing: searching none would read as nothing found everywhere.
    return listed.length > 0 ? { regions: listed, failed: [] } : onlyGlobal('the listing named no region');
  } catch (error) {
    return onlyGlobal(describeError(error));
  }
}

function withFailures(summary: ActivitySummary, failed: readonly FailedRegion[]): ActivitySummary {
  if (failed.length === 0) return summary;
  const all = [...summary.regions.failed, ...failed].sort((a, b) => compareText(a.region, b.region));
  return { ...summary, regions: { ...summary.regions, failed: all } };
}

/** `deps`, noting whether a call was refused the caller's credentials (missing, expired, not accepted). */
function noticingCredentials(deps: LookupEventsSourceDeps): { deps: LookupEventsSourceDeps; seen: () => boolean } {
  let seen = false;
  const noticed = (error: unknown) => {
    if (error instanceof CredentialsError || isCredentialsFailure(error)) seen = true;
    throw error;
  };
  const cloudTrail = (region: string): CloudTrailApi => {
    const client = deps.cloudTrail(region);
    const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
    return { send: (...args: unknown[]) => send(...args).catch(noticed) } as CloudTrailApi;
  };
  const { listRegions } = deps;
  return {
    deps: { ...deps, cloudTrail, ...(listRegions ? { listRegions: () => listRegions().catch(noticed) } : {}) },
    seen: () => seen,
  };
}

/**
 * CloudTrail `LookupEvents` as an activity source: every page, in every enabled region (or the
 * given ones and us-east-1, where IAM and STS calls are recorded) at once, within the API's rate
 * limit per region. The regions are listed once, on
 * first use; when they cannot be, us-east-1 (where IAM and STS calls are recorded) is searched and
 * the others are reported as not searched. LookupEvents holds 90 days: a window reaching further
 * back is read from 90 days ago, and its summary says so (`window` is the part read, and it is
 * truncated); a window that ended before is not searched anywhere.
 */
export function lookupEventsSource(
  given: LookupEventsSourceDeps,
  options: LookupEventsSourceOptions = {},
): ActivitySource {
  const refusal = noticingCredentials(given);
  const deps = refusal.deps;
  let regions: Promise<Regions> | undefined;
  let account: Promise<string | undefined> | undefined;
  const { account: known } = options;
  return {
    name: 'lookup-events',
    async readsAccount(accountId) {
      account ??= typeof known === 'function' ? known().catch(() => undefined) : Promise.resolve(known);
      const own = await account;
      return own === undefined ? undefined : own === accountId;
    },
    unsearchable: (message) =>
      new InvestigationError(message, {
        // Missing or expired credentials fail every region alike: granting LookupEvents would not help.
        hint: refusal.seen()
          ? new CredentialsError(message).hint
          : 'Check that the caller may call cloudtrail:LookupEvents, or investigate from log files with --logs.',
      }),

    async summarize(query) {
      regions ??= regionsToSearch(deps, options.regions);
      const { regions: searched, failed } = await regions;
      const held = heldPart(query.window, options.clock?.() ?? new Date());
      if ('before' in held) {
        const error = `LookupEvents holds only the last 90 days, since ${held.before.toISOString()}: the window ended before`;
        const summaries = await lookupActivity(deps, { ...query, regions: [] });
        return summaries.map((summary) =>
          withFailures(summary, [...searched.map((region) => ({ region, error })), ...failed]),
        );
      }
      const summaries = await lookupActivity(deps, {
        accessKeyIds: query.accessKeyIds,
        window: held.window,
        regions: searched,
        userName: query.userName,
        requestsPerSecond: options.requestsPerSecond,
        maxEvents: options.maxEvents,
        signal: options.signal,
        deadline: query.deadline,
        onProgress: query.onProgress,
      });
      return summaries.map((summary) => withFailures(held.cut ? { ...summary, truncated: true } : summary, failed));
    },
  };
}
