import type { ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import { failedRegionsText } from '../../activity/failed-regions-text.js';
import {
  MAX_SESSION_KEYS_FOLLOWED,
  SESSION_KEYS_NOT_SEARCHED_LISTED,
  type SessionKeyNotSearched,
} from '../investigate.js';

/**
 * The most session keys a verification checks since containment: as many as an investigation
 * names, those it follows and those it lists as not searched. Each is asked of LookupEvents in
 * every region again, over the minutes since containment, which a key that minted thousands would
 * not fit in a function's time.
 */
export const MAX_SESSION_KEYS_CHECKED = MAX_SESSION_KEYS_FOLLOWED + SESSION_KEYS_NOT_SEARCHED_LISTED;

/**
 * The session keys asked of the source at once. A search not begun by the deadline leaves its keys
 * named as not checked, rather than one region not searched per key and region, which would crowd
 * the state machine's state.
 */
const KEYS_PER_SEARCH = MAX_SESSION_KEYS_FOLLOWED;

/** A session key to check, and the key that minted it. */
export interface SessionKeyToCheck {
  accessKeyId: string;
  mintedBy: string;
}

/** What the search since containment read, and the session keys it left. */
export interface CallsSinceContainment {
  /** The contained key's summary. */
  own: ActivitySummary;
  /** One summary per session key checked, in the order given. */
  sessions: ActivitySummary[];
  /** Every session key not checked, in the order given: past {@link MAX_SESSION_KEYS_CHECKED}, or out of time. */
  notChecked: SessionKeyNotSearched[];
}

/** What {@link searchSinceContainment} is asked. */
export interface SinceContainmentQuery {
  accessKeyId: string;
  userName: string;
  sessionKeys: readonly SessionKeyToCheck[];
  window: TimeWindow;
  deadline?: number;
  /** Epoch milliseconds now, for the deadline (default: `Date.now`). */
  clock?: () => number;
}

/**
 * Searches what the key and its session keys did over `window`, at most
 * {@link MAX_SESSION_KEYS_CHECKED} of them, in searches of {@link KEYS_PER_SEARCH}: the key and
 * the first session keys always, the others while there is time before the deadline. The session
 * keys left are returned by id, with why.
 *
 * @throws the source's error when not one region could be searched for the key.
 */
export async function searchSinceContainment(
  source: ActivitySource,
  query: SinceContainmentQuery,
): Promise<CallsSinceContainment> {
  const clock = query.clock ?? Date.now;
  const checked = query.sessionKeys.slice(0, MAX_SESSION_KEYS_CHECKED);
  const notChecked: SessionKeyNotSearched[] = query.sessionKeys
    .slice(MAX_SESSION_KEYS_CHECKED)
    .map((key) => ({ ...key, reason: 'limit' }));
  const first = checked.slice(0, KEYS_PER_SEARCH).map((key) => key.accessKeyId);
  const [own, ...sessions] = await source.summarize({
    accessKeyIds: [query.accessKeyId, ...first],
    window: query.window,
    userName: query.userName,
    deadline: query.deadline,
  });
  if (!own) throw new Error(`the ${source.name} source returned no summary`);
  if (own.regions.searched.length === 0 && own.regions.failed.length > 0)
    throw source.unsearchable(
      `No region could be searched for activity of ${query.accessKeyId} since containment: ${failedRegionsText(own.regions.failed)}`,
    );
  for (let start = KEYS_PER_SEARCH; start < checked.length; start += KEYS_PER_SEARCH) {
    if (query.deadline !== undefined && clock() >= query.deadline) {
      notChecked.unshift(...checked.slice(start).map((key) => ({ ...key, reason: 'time' as const })));
      break;
    }
    const keys = checked.slice(start, start + KEYS_PER_SEARCH).map((key) => key.accessKeyId);
    sessions.push(...(await source.summarize({ accessKeyIds: keys, window: query.window, deadline: query.deadline })));
  }
  return { own, sessions, notChecked };
}
