import { type Event, LookupEventsCommand, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { isAwsError, isThrottling, toAwsCallError } from '../../aws/aws-errors.js';
import type { CloudTrailApi } from '../../aws/narrow-clients.js';
import type { Sleep } from '../../common/sleep.js';
import { describeError } from '../../errors.js';
import type { ActivityProgress } from '../activity-source.js';
import type { ActivitySummary, FailedRegion, TimeWindow } from '../activity-summary.js';
import type { CloudTrailRecord } from '../cloudtrail-record.js';
import { ActivityAccumulator } from '../summarizer.js';
import { RateLimiter } from './rate-limiter.js';

/** `LookupEvents` allows this many requests per second, per account and region. */
export const LOOKUP_EVENTS_REQUESTS_PER_SECOND = 2;
/** The largest page `LookupEvents` returns. */
const PAGE_SIZE = 50;

/** What the `lookup-events` source needs. */
export interface LookupEventsDeps {
  /** A CloudTrail client for a region (the API is regional). */
  cloudTrail: (region: string) => CloudTrailApi;
  sleep?: Sleep;
  now?: () => number;
  /**
   * The limiter of a region, when calls must share an account's budget with other investigations
   * (see account-budget.ts); by default each call of {@link lookupActivity} has its own.
   */
  limiter?: (region: string) => RateLimiter;
}

/** Progress of the `lookup-events` source, one call per page read. */
export type LookupProgress = Extract<ActivityProgress, { kind: 'pages' }>;

/** Options of {@link lookupActivity}. */
export interface LookupEventsOptions {
  /** The keys to look up; they share each region's rate limit. */
  accessKeyIds: readonly string[];
  window: TimeWindow;
  regions: readonly string[];
  /** The user the incident named, for the first key's summary. */
  userName?: string | null;
  requestsPerSecond?: number;
  /** Stop reading (and mark the summary truncated) after this many events per key. */
  maxEvents?: number;
  /** Stop reading (and mark the summary truncated) at this time, in epoch milliseconds. */
  deadline?: number;
  /**
   * How often a throttled call is tried again before its region is given up (other faults: at most
   * 2). With a deadline, throttling is waited out until the deadline instead: the summary is then
   * truncated (time ran out), never failed.
   */
  maxRetries?: number;
  /**
   * Stops reading when it aborts (Ctrl-C), waits included: the summary keeps what was read, is
   * truncated, and lists under `regions.failed` each region not read to its end, with the pages
   * read there (a region half read is not one searched).
   */
  signal?: AbortSignal;
  onProgress?: (progress: LookupProgress) => void;
}

interface KeyState {
  accumulator: ActivityAccumulator;
  searched: string[];
  failed: FailedRegion[];
  truncated: boolean;
}

/** Turns a `LookupEvents` event into the CloudTrail record it carries. */
export function recordOfLookupEvent(event: Event): CloudTrailRecord {
  if (event.CloudTrailEvent) {
    try {
      const parsed: unknown = JSON.parse(event.CloudTrailEvent);
      if (typeof parsed === 'object' && parsed !== null) return parsed as CloudTrailRecord;
    } catch {
      // Fall through to the fields LookupEvents lists beside the record.
    }
  }
  return {
    eventID: event.EventId,
    eventName: event.EventName,
    eventSource: event.EventSource,
    eventTime: event.EventTime?.toISOString(),
    userIdentity: { accessKeyId: event.AccessKeyId, userName: event.Username },
  };
}

/** Server faults, time-outs and dropped connections pass; retrying them is worth it. */
function isTransient(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  return (
    isAwsError(error, 'TimeoutError', 'RequestTimeout') ||
    /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up/.test(String(error))
  );
}

async function readRegion(
  deps: LookupEventsDeps,
  options: LookupEventsOptions,
  region: string,
  limiter: RateLimiter,
  state: KeyState,
): Promise<void> {
  const client = deps.cloudTrail(region);
  const now = deps.now ?? Date.now;
  const maxRetries = options.maxRetries ?? 8;
  const key = state.accumulator.accessKeyId;
  let nextToken: string | undefined;
  let pages = 0;
  let events = 0;
  const outOfTime = () => options.deadline !== undefined && now() >= options.deadline;
  const stopped = () => options.signal?.aborted === true;
  let interrupted = false;
  let wasThrottled = false;
  /** Why the region was left before its first page, if it was: then it was not searched at all (regions.failed). */
  let notSearched: string | null = null;
  do {
    if (stopped()) {
      interrupted = true;
      break;
    }
    const full = options.maxEvents !== undefined && state.accumulator.totalEvents >= options.maxEvents;
    if (outOfTime() || full) {
      state.truncated = true;
      if (pages === 0)
        notSearched = full
          ? `the most events read for a key (${options.maxEvents}) were read in other regions first`
          : 'the time ran out before its first page';
      break;
    }
    let answer: LookupEventsCommandOutput | undefined;
    for (let attempt = 0; answer === undefined; attempt += 1) {
      await limiter.acquire(options.signal);
      // A shared budget can keep a call waiting for its turn past the deadline.
      if (outOfTime() || stopped()) break;
      try {
        answer = await client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: key }],
            StartTime: options.window.start,
            EndTime: options.window.end,
            MaxResults: PAGE_SIZE,
            NextToken: nextToken,
          }),
          { abortSignal: options.signal },
        );
      } catch (error) {
        if (stopped()) break;
        // The deadline passed while the call was in flight (the client abandons it then): time ran out, no fault of the region.
        if (outOfTime()) break;
        // Throttling passes with time; other faults were already retried by the SDK, so only a few more tries.
        const throttled = isThrottling(error);
        wasThrottled ||= throttled;
        const retryable = throttled || isTransient(error);
        // With a deadline, time bounds the waiting for throttling, not a count of attempts.
        const patient = throttled && options.deadline !== undefined;
        if (!retryable || (!patient && attempt >= (throttled ? maxRetries : Math.min(maxRetries, 2)))) {
          const reason = retryable ? `gave up after ${attempt + 1} attempts: ` : '';
          const partial =
            pages === 0
              ? ''
              : ` (after ${pages} page(s): the ${events} event(s) read are counted, the rest were not read)`;
          state.failed.push({
            region,
            error: `${reason}${describeError(toAwsCallError('cloudtrail:LookupEvents', error))}${partial}`,
          });
          return;
        }
        // Exponential back-off with jitter, capped; shared by every key reading this region.
        const delay = Math.min(500 * 2 ** attempt, 20_000) * (0.5 + Math.random() / 2);
        // Waiting past the deadline would only end in the same place, later.
        if (patient && now() + delay >= (options.deadline as number)) break;
        limiter.backOff(delay);
      }
    }
    if (answer === undefined && stopped()) {
      interrupted = true;
      break;
    }
    if (answer === undefined) {
      state.truncated = true;
      if (pages === 0)
        notSearched = `the time ran out before its first page${wasThrottled ? ' (LookupEvents was throttled)' : ''}`;
      break;
    }
    pages += 1;
    for (const event of answer.Events ?? []) {
      events += 1;
      state.accumulator.add(recordOfLookupEvent(event));
    }
    options.onProgress?.({ kind: 'pages', region, accessKeyId: key, pages, events });
    nextToken = answer.NextToken;
  } while (nextToken);
  if (interrupted) {
    state.truncated = true;
    state.failed.push({
      region,
      error:
        pages === 0
          ? 'the investigation was stopped before its first page'
          : `the investigation was stopped after ${pages} page(s): the ${events} event(s) read are counted, the rest were not read`,
    });
    return;
  }
  // A region left before any page was read is one that could not be searched, not one with nothing in it.
  if (notSearched !== null) state.failed.push({ region, error: notSearched });
  else state.searched.push(region);
}

/**
 * Reads what each key did from CloudTrail `LookupEvents`: every page, in every given region at
 * once, within the API's rate limit per region, retrying throttling. A region that fails is
 * listed under `regions.failed` of the summary; it is never dropped.
 */
export async function lookupActivity(deps: LookupEventsDeps, options: LookupEventsOptions): Promise<ActivitySummary[]> {
  const rate = options.requestsPerSecond ?? LOOKUP_EVENTS_REQUESTS_PER_SECOND;
  const states: KeyState[] = options.accessKeyIds.map((accessKeyId) => ({
    accumulator: new ActivityAccumulator(accessKeyId, options.window),
    searched: [],
    failed: [],
    truncated: false,
  }));
  await Promise.all(
    options.regions.map(async (region) => {
      const limiter = deps.limiter?.(region) ?? new RateLimiter(rate, { sleep: deps.sleep, now: deps.now });
      for (const state of states) await readRegion(deps, options, region, limiter, state);
    }),
  );
  return states.map((state, index) =>
    state.accumulator.summary({
      source: 'lookup-events',
      regionsSearched: state.searched,
      regionsFailed: state.failed,
      userName: index === 0 ? options.userName : null,
      truncated: state.truncated,
    }),
  );
}
