import type { S3Api } from '../aws/narrow-clients.js';
import { InvalidInputError } from '../errors.js';
import { type ActivitySummary, compareText, type FailedRegion, type TimeWindow } from './activity-summary.js';
import { forEachConcurrently } from './bounded-concurrency.js';
import { accessKeyOf } from './cloudtrail-record.js';
import { listLocalFiles } from './local-log-files.js';
import { dayIsOutsideWindow, describeLogFilePath } from './log-file-path.js';
import { isUnlisted, type ListedEntry } from './log-file-ref.js';
import { readLogFile } from './read-log-file.js';
import { listS3Files, parseS3Location } from './s3-log-files.js';
import { ActivityAccumulator } from './summarizer.js';
import { wantedKeys } from './wanted-keys.js';

/** How many files are read at once by default: enough to hide S3 latency, few enough to bound memory. */
export const DEFAULT_LOG_FILE_CONCURRENCY = 8;

/** Progress of the `cloudtrail-logs` source, reported after each file. */
export interface LogFilesProgress {
  filesRead: number;
  filesSkipped: number;
  filesOutsideWindow: number;
  filesFailed: number;
  /** Bytes read so far, as stored (gzipped or not). */
  bytes: number;
}

/** Options of {@link readLogFiles}. */
export interface LogFilesOptions {
  /** A local folder (or file), or `s3://bucket/prefix`. */
  location: string;
  /** The keys to summarise, in one pass over the files. */
  accessKeyIds: readonly string[];
  window: TimeWindow;
  /** The user the incident named, for the first key's summary. */
  userName?: string | null;
  /** Files read at once (default {@link DEFAULT_LOG_FILE_CONCURRENCY}). */
  concurrency?: number;
  onProgress?: (progress: LogFilesProgress) => void;
}

/** What the `cloudtrail-logs` source needs. */
export interface LogFilesDeps {
  /** Needed for an `s3://` location. */
  s3?: S3Api;
}

/** A file that could not be read, and why. */
export interface FailedLogFile {
  path: string;
  error: string;
}

/** What {@link readLogFiles} found. */
export interface LogFilesResult {
  /** One summary per key, in the order given, with source `cloudtrail-logs`. */
  summaries: ActivitySummary[];
  files: {
    /** CloudTrail deliveries read. */
    read: number;
    /** Digests and files that are not CloudTrail deliveries. */
    skipped: number;
    /** Deliveries not read because their date is more than a day away from the window. */
    outsideWindow: number;
    /** Files (or folders) that could not be read, listed, inflated or parsed, by path. */
    failed: FailedLogFile[];
    /** Bytes read, as stored (gzipped or not). */
    bytes: number;
  };
}

interface FailedFile extends FailedLogFile {
  region: string;
}

/** Starts `listing`, so that a location that cannot be listed at all fails before any file is read. */
async function started(listing: AsyncGenerator<ListedEntry>): Promise<AsyncIterable<ListedEntry>> {
  const first = await listing.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* listing;
  })();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkOptions(options: LogFilesOptions): number {
  const { start, end } = options.window;
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start > end)
    throw new InvalidInputError('window', 'The window must have a valid start no later than its end.');
  const concurrency = options.concurrency ?? DEFAULT_LOG_FILE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidInputError(
      'concurrency',
      `Concurrency must be a whole number of files, at least 1 (got ${concurrency}).`,
    );
  return concurrency;
}

async function listingOf(deps: LogFilesDeps, location: string): Promise<AsyncIterable<ListedEntry>> {
  const s3Location = parseS3Location(location);
  if (s3Location) {
    if (!deps.s3) throw new InvalidInputError('location', `Reading ${location} needs an S3 client.`);
    return started(listS3Files(deps.s3, s3Location));
  }
  try {
    return await started(listLocalFiles(location));
  } catch (error) {
    throw new InvalidInputError('location', `Cannot read the log folder ${location}: ${messageOf(error)}`, {
      cause: error,
      hint: 'Give a folder of CloudTrail log files (.json or .json.gz), or s3://bucket/prefix.',
    });
  }
}

/**
 * Summarises what each key did from CloudTrail log files as delivered (`{"Records":[…]}`, `.json`
 * or `.json.gz`), in a local folder searched recursively or under an S3 prefix: several files at
 * once, each streamed, so memory depends on what is counted, not on how much is read. Digests and
 * other files are skipped; deliveries dated more than a day away from the window are not read; a
 * file that cannot be read is listed in `files.failed` and in each summary's `regions.failed`.
 *
 * @throws InvalidInputError when a key, the window or the concurrency is invalid, or the location
 * cannot be read.
 * @throws AwsCallError or CredentialsError when the S3 prefix cannot be listed.
 */
export async function readLogFiles(deps: LogFilesDeps, options: LogFilesOptions): Promise<LogFilesResult> {
  const concurrency = checkOptions(options);
  const wanted = wantedKeys(options.accessKeyIds);
  const accumulators = new Map([...wanted.ids].map((id) => [id, new ActivityAccumulator(id, options.window)]));
  const listing = await listingOf(deps, options.location);
  const searched = new Set<string>();
  const failed: FailedFile[] = [];
  const progress: LogFilesProgress = { filesRead: 0, filesSkipped: 0, filesOutsideWindow: 0, filesFailed: 0, bytes: 0 };
  const onBytes = (bytes: number) => {
    progress.bytes += bytes;
  };
  const fail = (path: string, region: string | null, error: string) => {
    failed.push({ path, error, region: region ?? 'unknown' });
    progress.filesFailed += 1;
  };

  await forEachConcurrently(listing, concurrency, async (entry) => {
    const info = describeLogFilePath(entry.path);
    if (isUnlisted(entry)) fail(entry.path, info.region, `could not be listed: ${messageOf(entry.listingError)}`);
    else if (info.kind !== 'delivery') progress.filesSkipped += 1;
    else if (info.day !== null && dayIsOutsideWindow(info.day, options.window)) progress.filesOutsideWindow += 1;
    else {
      const outcome = await readLogFile(entry, wanted, { collectRegions: info.region === null, onBytes });
      if (outcome.kind === 'failed') fail(entry.path, info.region, outcome.reason);
      else if (outcome.kind === 'not-a-delivery') progress.filesSkipped += 1;
      else {
        progress.filesRead += 1;
        if (info.region) searched.add(info.region);
        else for (const region of outcome.regions) searched.add(region);
        for (const record of outcome.records) accumulators.get(accessKeyOf(record) ?? '')?.add(record);
      }
    }
    options.onProgress?.({ ...progress });
  });

  failed.sort((a, b) => compareText(a.path, b.path));
  const regionsFailed: FailedRegion[] = failed.map((file) => ({
    region: file.region,
    error: `${file.path}: ${file.error}`,
  }));
  return {
    summaries: options.accessKeyIds.map((id, index) =>
      (accumulators.get(id) as ActivityAccumulator).summary({
        source: 'cloudtrail-logs',
        regionsSearched: [...searched],
        regionsFailed,
        userName: index === 0 ? options.userName : null,
      }),
    ),
    files: {
      read: progress.filesRead,
      skipped: progress.filesSkipped,
      outsideWindow: progress.filesOutsideWindow,
      failed: failed.map(({ path, error }) => ({ path, error })),
      bytes: progress.bytes,
    },
  };
}
