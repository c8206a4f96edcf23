import type { ActivitySummary } from '../../activity/activity-summary.js';
import type { InventoryBasis } from './inventory-types.js';

/**
 * What the searches behind `summaries` (the key's first, then its session keys') left out: each
 * region not searched, once, in the order found, whether any was cut short, the log files that
 * could not be read, and the session keys minted (by the key, or by a session key it minted) that
 * were not searched.
 */
export function inventoryBasis(summaries: readonly ActivitySummary[]): InventoryBasis {
  const regions = summaries.flatMap((summary) => summary.regions.failed.map((failed) => failed.region));
  const filesNotRead = summaries.reduce((sum, summary) => sum + (summary.filesNotRead?.count ?? 0), 0);
  // Every key any summary minted, but those summarised: past the ones followed, out of time, or none followed.
  // Summaries read before session keys were kept (a stack's older state) have none.
  const searched = new Set(summaries.map((summary) => summary.accessKeyId));
  const minted = new Set(summaries.flatMap((summary) => summary.sessionKeys ?? []));
  const sessionKeysNotSearched = [...minted].filter((key) => !searched.has(key)).length;
  return {
    regionsNotSearched: [...new Set(regions)],
    searchCutShort: summaries.some((summary) => summary.truncated),
    ...(filesNotRead > 0 ? { filesNotRead } : {}),
    ...(sessionKeysNotSearched > 0 ? { sessionKeysNotSearched } : {}),
  };
}
