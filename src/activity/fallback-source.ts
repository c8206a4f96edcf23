import { compareText } from '../common/compare-text.js';
import { describeError, isExposedKeysError } from '../errors.js';
import type { ActivitySource } from './activity-source.js';
import type { ActivitySummary } from './activity-summary.js';

/** Options of {@link withFallback}. */
export interface FallbackOptions {
  /** The share of the time left (before the query's deadline) that the first source may take (default 0.5). */
  share?: number;
  now?: () => number;
}

function unsearched(summaries: readonly ActivitySummary[]): boolean {
  return summaries.length > 0 && summaries.every((summary) => summary.regions.searched.length === 0);
}

/**
 * Why the primary searched nothing, and under what place to say so: its own failure, which it files
 * under its name (`athena:DB.TABLE`, the query Athena refused), wherever the sorting of the list put
 * it; else the first place it left out, filed under its name, since that place (a region the table
 * does not hold) is one the fallback searches.
 */
function whyNot(summary: ActivitySummary | undefined, name: string): { where: string; reason: string } {
  const failed = summary?.regions.failed ?? [];
  const own = failed.find((place) => place.region.startsWith(`${name}:`));
  if (own) return { where: own.region, reason: own.error };
  const [first] = failed;
  return { where: name, reason: first ? `${first.region}: ${first.error}` : 'nothing could be searched' };
}

function noting(summary: ActivitySummary, where: string, reason: string, fallback: string): ActivitySummary {
  const note = { region: where, error: `${reason}; ${fallback} was searched instead` };
  const failed = [...summary.regions.failed, note].sort((a, b) => compareText(a.region, b.region));
  return { ...summary, regions: { ...summary.regions, failed } };
}

/**
 * A source that reads from `primary` within a share of the time, and from `fallback` when the
 * primary could not search at all (it failed, or ran out of its time): the stack's investigation
 * uses Athena when a table is configured and LookupEvents otherwise, and each summary then says
 * why, among the places not searched, so that the message says so. After one failure the later
 * reads (the second hop) go to the fallback at once. A stop asked for is not a failure: it ends
 * the investigation.
 */
export function withFallback(
  primary: ActivitySource,
  fallback: ActivitySource,
  options: FallbackOptions = {},
): ActivitySource {
  const now = options.now ?? Date.now;
  // Once the primary could not answer, the later reads (the second hop) go to the fallback at once.
  let gaveUp: { where: string; reason: string } | undefined;
  return {
    name: primary.name,
    unsearchable: (message) => fallback.unsearchable(message),
    // Whichever source the next read goes to decides.
    readsAccount: async (accountId) => (gaveUp ? fallback : primary).readsAccount?.(accountId),

    async summarize(query) {
      if (gaveUp) {
        const { where, reason } = gaveUp;
        return (await fallback.summarize(query)).map((summary) => noting(summary, where, reason, fallback.name));
      }
      const started = now();
      const deadline =
        query.deadline === undefined ? undefined : started + (query.deadline - started) * (options.share ?? 0.5);
      let failure: { where: string; reason: string };
      try {
        const summaries = await primary.summarize({ ...query, deadline });
        if (!unsearched(summaries)) return summaries;
        failure = whyNot(summaries[0], primary.name);
      } catch (error) {
        if (isExposedKeysError(error) && error.code === 'INTERRUPTED') throw error;
        failure = { where: primary.name, reason: describeError(error) };
      }
      gaveUp = failure;
      const { where, reason } = failure;
      const summaries = await fallback.summarize(query);
      return summaries.map((summary) => noting(summary, where, reason, fallback.name));
    },
  };
}
