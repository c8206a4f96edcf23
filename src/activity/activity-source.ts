import type { ActivitySummary, SourceName, TimeWindow } from './activity-summary.js';

/**
 * How reading goes, as a source reports it: pages of an API answer (LookupEvents), files read (log
 * files), or a query running (Athena). The CLI shows it; the step only passes it on.
 */
export type ActivityProgress =
  | { kind: 'pages'; accessKeyId: string; region: string; pages: number; events: number }
  | {
      kind: 'files';
      filesRead: number;
      filesSkipped: number;
      filesOutsideWindow: number;
      filesFailed: number;
      /** Bytes read so far, as stored (gzipped or not). */
      bytes: number;
    }
  | {
      kind: 'query';
      queryExecutionId: string;
      /** Athena's state of the query: QUEUED, RUNNING, SUCCEEDED… */
      state: string;
      bytesScanned: number;
      elapsedMs: number;
    };

/** What an activity source is asked: the keys to summarise over a window, read together. */
export interface ActivityQuery {
  accessKeyIds: readonly string[];
  window: TimeWindow;
  /** The user the incident named, for the first key's summary. */
  userName?: string | null;
  /** Epoch milliseconds after which reading stops and the summaries say they are truncated. */
  deadline?: number;
  onProgress?: (progress: ActivityProgress) => void;
}

/**
 * A place that holds CloudTrail activity: LookupEvents, log files, (next) Athena. Each gives the same
 * activity summary contract; the investigation step knows none of their details.
 */
export interface ActivitySource {
  readonly name: SourceName;
  /**
   * The error to throw when not one region (or file) could be searched, with what to check: an AWS
   * failure, or bad input when nothing but local files were involved.
   */
  unsearchable(message: string): Error;

  /**
   * One summary per key, in the order given. Regions (or files) that could not be searched are
   * listed in each summary's `regions.failed`, never dropped.
   */
  summarize(query: ActivityQuery): Promise<ActivitySummary[]>;

  /**
   * Whether what this source reads holds the calls of account `accountId` (where those of a role
   * session of that account are recorded): false when it reads others' alone, so that such a key
   * is not searched here and found quiet; undefined when it cannot tell (then the key is searched).
   */
  readsAccount?(accountId: string): Promise<boolean | undefined>;
}
