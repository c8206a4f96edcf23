import type { ActivitySummary } from '../../activity/activity-summary.js';
import type { InventoryBasis } from './inventory-types.js';

/**
 * What the searches behind `summaries` (the key's, and its session keys') left out: each region
 * not searched, once, in the order found, and whether any was cut short.
 */
export function inventoryBasis(summaries: readonly ActivitySummary[]): InventoryBasis {
  const regions = summaries.flatMap((summary) => summary.regions.failed.map((failed) => failed.region));
  return {
    regionsNotSearched: [...new Set(regions)],
    searchCutShort: summaries.some((summary) => summary.truncated),
  };
}
