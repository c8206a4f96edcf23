import type { ActivitySummary } from '../../activity/activity-summary.js';
import { jsonBytes } from '../../common/json-bytes.js';
import { cutEnd } from '../../common/untrusted-text.js';
import type { KeyFailedRegion, VerificationResult } from './follow-up-result.js';

/** Why a region failed, at most: enough to tell a denial from a throttle. */
const ERROR_LENGTH = 300;

/**
 * The failures travel in the state machine's state, one per key and region: a denial of 20 regions
 * for the key and 125 session keys is 2,520 of them. A follow-up's state carries no investigation, so
 * they may take much of the room one would; past this, why each failed is cut shorter, to nothing.
 */
const MAX_FAILURES_BYTES = 100_000;

/**
 * Every region a verification did not search, each with the key it was for, in the order given
 * (the key's since containment, then in the look-back that found its sessions, then the session
 * keys'), since LookupEvents is asked once per key. Each key and region is named once, always; why it failed is
 * cut, shorter the more there are, so that the list stays small enough for the state.
 */
export function regionsNotSearched(summaries: readonly (ActivitySummary | undefined)[]): KeyFailedRegion[] {
  const labelled = summaries.flatMap((summary) =>
    summary ? summary.regions.failed.map((failed) => ({ ...failed, accessKeyId: summary.accessKeyId })) : [],
  );
  const once = labelled.filter(
    (failed, index, all) =>
      all.findIndex((other) => other.region === failed.region && other.accessKeyId === failed.accessKeyId) === index,
  );
  for (let length = ERROR_LENGTH; ; length = Math.floor(length / 2)) {
    const cut = once.map((failed) => ({ ...failed, error: cutEnd(failed.error, length) }));
    if (length === 0 || jsonBytes(cut) <= MAX_FAILURES_BYTES) return cut;
  }
}

/**
 * Every region a verification did not search, with the key it was for: its `regionsFailed`, and
 * in a result cut to fit the state, each session key of each group of `sessionRegionsFailed`.
 */
export function everyRegionNotSearched(result: VerificationResult): KeyFailedRegion[] {
  const grouped = (result.sessionRegionsFailed ?? []).flatMap((group) =>
    group.accessKeyIds.flatMap((accessKeyId) =>
      group.regions.map((region) => ({ region, error: group.error, accessKeyId })),
    ),
  );
  // In the order the keys were checked, as the whole result listed them (groups gather keys out of it).
  const order = new Map(result.sessionKeysChecked.map((key, index) => [key, index]));
  const at = (failed: KeyFailedRegion) => order.get(failed.accessKeyId) ?? order.size;
  return [...result.regionsFailed, ...grouped.sort((a, b) => at(a) - at(b))];
}
