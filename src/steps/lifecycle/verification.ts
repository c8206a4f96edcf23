import type { ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary } from '../../activity/activity-summary.js';
import { SESSION_LIFETIME_HOURS } from '../../constants.js';
import {
  followSessionKeys,
  MAX_SESSION_KEYS_FOLLOWED,
  notFollowedListed,
  SESSION_KEYS_NOT_SEARCHED_LISTED,
  type SessionKeysFollowed,
} from '../investigate.js';
import { MAX_SESSION_KEYS_CHECKED, searchSinceContainment } from './calls-since-containment.js';
import type { FollowUpRequest } from './follow-up.js';
import type { CallsAfterContainment, VerificationResult } from './follow-up-result.js';
import { regionsNotSearched } from './regions-not-searched.js';

/** What {@link verifyContainment} needs: where the activity is read from. */
export interface VerificationDeps {
  source: ActivitySource;
  now?: () => Date;
  /** Epoch milliseconds now, for the deadline (default: `Date.now`). */
  clock?: () => number;
}

/** Options of {@link verifyContainment}. */
export interface VerificationOptions {
  /**
   * Hours before containment in which the sessions the key minted are looked for: at least the
   * longest a session lives, whatever this says.
   */
  lookbackHours: number;
  /** Epoch milliseconds after which reading stops and the result says it is truncated. */
  deadline?: number;
}

/**
 * The shares of the time left that the reads before containment may take: the key's own, then the
 * hops of its session keys. The search since containment, what a verification is for, keeps the rest.
 */
const LOOKBACK_SHARE = 0.3;
const FOLLOW_SHARE = 0.5;

/** The deadline of each read: the key's look-back, the session keys' hops, the search since containment. */
function readDeadlines(deadline: number | undefined, now: number) {
  if (deadline === undefined) return {};
  const left = Math.max(0, deadline - now);
  return { lookback: now + left * LOOKBACK_SHARE, follow: now + left * FOLLOW_SHARE, check: deadline };
}

/** Rows of each list a verification keeps: enough to say what was called, small enough for a state. */
const ROWS = 20;

function callsOf(summary: ActivitySummary, role: CallsAfterContainment['role']): CallsAfterContainment {
  return {
    accessKeyId: summary.accessKeyId,
    role,
    totalEvents: summary.totalEvents,
    firstSeen: summary.firstSeen,
    lastSeen: summary.lastSeen,
    calls: summary.eventNames.slice(0, ROWS),
    errorCodes: summary.errorCodes.slice(0, ROWS),
    sourceIps: summary.sourceIps.slice(0, ROWS),
  };
}

/**
 * Checks that a contained key has gone quiet. First the session keys it minted before containment:
 * from its activity over the look-back before then (never less than the 36 hours a session may
 * live), then those they minted, hop by hop, as an investigation follows them (at most
 * {@link MAX_SESSION_KEYS_FOLLOWED} read, those found past them or out of time named in the
 * result as not followed: what they minted is not known). Then whether the key or any session key
 * found (at most {@link MAX_SESSION_KEYS_CHECKED}, while there is time) made a call since
 * containment; those not checked are named in the result (the first
 * {@link SESSION_KEYS_NOT_SEARCHED_LISTED}; all are counted), with why. The reads before
 * containment take at most half the time, leaving the rest to the search since. Regions that
 * could not be searched, for the key or for any session key, are in the result with the key they
 * were for, never taken for quiet ones.
 *
 * @throws the source's error when not one region could be searched since containment for the key.
 */
export async function verifyContainment(
  deps: VerificationDeps,
  request: FollowUpRequest,
  options: VerificationOptions,
): Promise<VerificationResult> {
  const { source } = deps;
  const clock = deps.clock ?? Date.now;
  const deadlines = readDeadlines(options.deadline, clock());
  const containedAt = new Date(request.containedAt);
  const now = (deps.now ?? (() => new Date()))();
  // A session minted before the investigation's look-back may still work: its own lifetime is what counts.
  const hours = Math.max(options.lookbackHours, SESSION_LIFETIME_HOURS);
  const before = { start: new Date(containedAt.getTime() - hours * 3_600_000), end: containedAt };
  const [earlier] = await source.summarize({
    accessKeyIds: [request.accessKeyId],
    window: before,
    userName: request.userName,
    deadline: deadlines.lookback,
  });
  const found: SessionKeysFollowed = earlier
    ? await followSessionKeys(source, earlier, {
        window: before,
        deadline: deadlines.follow,
        clock,
        ...(deps.now ? { now: deps.now } : {}),
      })
    : { sessionActivity: [], followed: [], notFollowed: [] };
  const after = { start: containedAt, end: now > containedAt ? now : containedAt };
  const { own, sessions, notChecked } = await searchSinceContainment(source, {
    accessKeyId: request.accessKeyId,
    userName: request.userName,
    sessionKeys: [...found.followed, ...found.notFollowed],
    window: after,
    deadline: deadlines.check,
    clock,
  });
  const summaries = [own, ...sessions];
  const notFollowed = notFollowedListed(found);
  const activity = summaries
    .filter((summary) => summary.totalEvents > 0)
    .map((summary) => callsOf(summary, summary.accessKeyId === request.accessKeyId ? 'key' : 'session'));
  return {
    kind: 'verification',
    accessKeyId: request.accessKeyId,
    userName: request.userName,
    containedAt: containedAt.toISOString(),
    window: { start: after.start.toISOString(), end: after.end.toISOString() },
    quiet: activity.length === 0,
    sessionKeysChecked: sessions.map((session) => session.accessKeyId),
    sessionKeysNotChecked: notChecked.length,
    ...(notChecked.length > 0
      ? { sessionKeysNotCheckedListed: notChecked.slice(0, SESSION_KEYS_NOT_SEARCHED_LISTED) }
      : {}),
    ...(notFollowed ? { sessionKeysNotFollowed: notFollowed } : {}),
    lookback: { start: before.start.toISOString(), end: before.end.toISOString() },
    activity,
    regionsSearched: own.regions.searched,
    regionsFailed: regionsNotSearched([own, earlier, ...sessions, ...found.sessionActivity]),
    truncated: [...summaries, earlier, ...found.sessionActivity].some((summary) => summary?.truncated === true),
  };
}
