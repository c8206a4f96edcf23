import type { ActivitySummary, FileNotRead } from '../activity-summary.js';

/** The most files a summary names in `filesNotRead`; `count` says how many there were. */
export const MAX_FILES_NOT_READ = 100;

/**
 * `summary` with the files its read could not read (sorted by path) as `filesNotRead`: the first
 * {@link MAX_FILES_NOT_READ}, and how many. Paths and reasons are kept exact, as every value of
 * the summary is (it is data; whoever shows it makes it inert). The summary as it was when every
 * file was read.
 */
export function withFilesNotRead(summary: ActivitySummary, failed: readonly FileNotRead[]): ActivitySummary {
  if (failed.length === 0) return summary;
  const files = failed.slice(0, MAX_FILES_NOT_READ).map(({ path, error }) => ({ path, error }));
  return { ...summary, filesNotRead: { count: failed.length, files } };
}
