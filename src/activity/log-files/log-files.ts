import type { S3Api } from '../../aws/narrow-clients.js';
import { forEachConcurrently } from '../../common/bounded-concurrency.js';
import { compareText } from '../../common/compare-text.js';
import { InvalidInputError } from '../../errors.js';
import type { ActivityProgress } from '../activity-source.js';
import type { ActivitySummary, FailedRegion, TimeWindow } from '../activity-summary.js';
import type { CloudTrailRecord } from '../cloudtrail-record.js';
import type { AccumulatorState } from '../summarizer.js';
import type { CountedEventId } from './counted-event-ids.js';
import { KeyAccumulators } from './key-accumulators.js';
import { LargeTextTurns } from './large-text-turns.js';
import { listLocalFiles } from './local-log-files.js';
import { accountOfLogFilePath, dayIsOutsideWindow, describeLogFilePath } from './log-file-path.js';
import { type FileToRead, isUnlisted, type ListedEntry } from './log-file-ref.js';
import { DEFAULT_MAX_FILE_BYTES } from './max-file-bytes.js';
import { type LogFileOutcome, readLogFile } from './read-log-file.js';
import { listS3Files, parseS3Location } from './s3-log-files.js';
import { type WantedKeys, wantedKeys } from './wanted-keys.js';
import { LogFileCounter } from './workers/count-log-file.js';
import {
  SharedEventIds,
  SharedEventIdsFullError,
  type SharedEventIdsMemory,
  sharedEventIdsMemory,
} from './workers/shared-event-ids.js';
import { type StartWorker, startLogFileWorker } from './workers/start-worker.js';
import { type PoolHost, readWithWorkers, WorkersLostError } from './workers/worker-pool.js';
import { planWorkers } from './workers/workers-plan.js';

export { DEFAULT_MAX_FILE_BYTES } from './max-file-bytes.js';
export type { StartWorker } from './workers/start-worker.js';

/** How many files are read at once by default: enough to hide S3 latency, few enough to bound memory. */
export const DEFAULT_LOG_FILE_CONCURRENCY = 8;

/** Progress of the `cloudtrail-logs` source, reported after each file. */
export type LogFilesProgress = Extract<ActivityProgress, { kind: 'files' }>;

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
  /**
   * Worker threads that read, inflate and count the files of a local folder beside the calling
   * thread; 0 for none. By default, one per core but one (at most three), when there is enough to
   * read for them to pay.
   */
  workers?: number;
  /**
   * The most text one file may hold once inflated, in bytes (default
   * {@link DEFAULT_MAX_FILE_BYTES}, 128 MiB, far more than a real delivery holds). A file that
   * would hold more is not read further and is listed in `files.failed` with the reason: memory
   * stays bounded whatever a file's size or shape.
   */
  maxFileBytes?: number;
  onProgress?: (progress: LogFilesProgress) => void;
}

/** What the `cloudtrail-logs` source needs. */
export interface LogFilesDeps {
  /** Needed for an `s3://` location. */
  s3?: S3Api;
  /** Starts a worker thread (default: from the worker script of this build). */
  startWorker?: StartWorker;
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
    /** Digests, Insight files (no call made with a key) and files that are not CloudTrail deliveries. */
    skipped: number;
    /** Deliveries not read because their date is more than a day away from the window. */
    outsideWindow: number;
    /** The first and last day (`YYYY-MM-DD`) of those deliveries; null when there were none. */
    outsideWindowDays: { first: string; last: string } | null;
    /** Files (or folders) that could not be read, listed, inflated or parsed, by path. */
    failed: FailedLogFile[];
    /**
     * The accounts whose deliveries were read, as their paths name them (`AWSLogs/<account>/…`, or
     * the standard file name) and as their records do (the account that received them); null when
     * a file read named none either way, so that which were read is not known.
     */
    accounts: string[] | null;
    /**
     * Bytes read, as stored (gzipped or not), as they were read: a file read twice counts twice, one
     * given up half-way only what was read. The one figure that depends on which thread read what.
     */
    bytes: number;
  };
  /** How many worker threads helped read the files; 0 when they were read on the calling thread only. */
  workers: number;
  /**
   * Why every file was read again on the calling thread alone, after threads had begun (a worker
   * failed or fell silent, or the event ids they share filled their memory); null when they were
   * not. The result is exact either way: it only took longer.
   */
  readAgain: string | null;
}

interface FailedFile extends FailedLogFile {
  region: string;
  /** The account the path names (an organisation trail's member), if any. */
  account: string | null;
  /** A part of the location that could not be listed, rather than a file that could not be read. */
  unlisted: boolean;
}

/** Stands for the region of a file whose path names none. */
const UNKNOWN_REGION = 'unknown';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A region of one account, as an organisation trail files it: `<account>/<region>`. */
function scopeOf(account: string, region: string): string {
  return `${account}/${region}`;
}

/** How `regions.failed` names a region of one account whose files all failed, where others' were read. */
function accountRegionLabel(account: string, region: string): string {
  return `${region} (account ${account})`;
}

/**
 * The region under which a failure shows in `regions.failed`; null when it is a file to report
 * alone. A part that could not be listed always shows, since its files are unknown: under the
 * region its path names, or as unknown when it names none or one already searched. A file whose
 * path names its account is alone only among read files of the same account and region: under an
 * organisation trail, when none of one account's files of a region could be read, that account's
 * region shows as `<region> (account <id>)`, even where other accounts' files of the region were
 * read (which keeps the region searched: a key's calls are filed under its own account, and
 * another account's unreadable files must neither hide nor void what was read of the key's).
 */
function failedRegionOf(
  file: FailedFile,
  searched: ReadonlySet<string>,
  searchedScopes: ReadonlySet<string>,
  filesRead: number,
): string | null {
  if (file.unlisted) return searched.has(file.region) ? UNKNOWN_REGION : file.region;
  if (file.region === UNKNOWN_REGION) return filesRead > 0 ? null : UNKNOWN_REGION;
  if (file.account !== null && !searchedScopes.has(scopeOf(file.account, file.region)))
    return searched.has(file.region) ? accountRegionLabel(file.account, file.region) : file.region;
  return searched.has(file.region) ? null : file.region;
}

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The regions not searched at all, each with the files of it that failed (sorted by path): a
 * region is unsearched when it failed and no file of it was read; the files whose path names no
 * region, when no file at all was read; and every part of the location that could not be listed.
 * One unreadable file among others of its region is a file to report (files.failed), not a region.
 */
function unsearchedRegions(
  failed: readonly FailedFile[],
  searched: ReadonlySet<string>,
  searchedScopes: ReadonlySet<string>,
  attempts: ReadonlyMap<string, number>,
  filesRead: number,
): FailedRegion[] {
  const byRegion = new Map<string, FailedFile[]>();
  for (const file of failed) {
    const region = failedRegionOf(file, searched, searchedScopes, filesRead);
    if (region === null) continue;
    const files = byRegion.get(region);
    if (files) files.push(file);
    else byRegion.set(region, [file]);
  }
  const regions: FailedRegion[] = [];
  for (const [region, files] of byRegion) {
    const unlisted = files.filter((file) => file.unlisted);
    const unread = files.length - unlisted.length;
    const tried = attempts.get(region) ?? unread;
    const counts = [
      unlisted.length > 0 ? `${plural(unlisted.length, 'part')} of the location could not be listed` : '',
      unread > 0 ? `${unread} of ${plural(tried, 'log file')} could not be read` : '',
    ].filter(Boolean);
    const [first] = [...unlisted, ...files] as [FailedFile];
    // One part not listed says it all in its own error ("…: could not be listed: …").
    const lead = files.length === 1 && unlisted.length === 1 ? '' : `${counts.join(' and ')}: `;
    regions.push({ region, error: `${lead}${first.path}: ${first.error}` });
  }
  return regions;
}

/**
 * Counts what a search finds, whichever thread read the files: one accumulator per key, what
 * became of each file, the regions searched, the bytes read; reports progress after each file.
 */
class LogFilesTally {
  readonly #window: TimeWindow;
  readonly #onProgress: ((progress: LogFilesProgress) => void) | undefined;
  readonly #accumulators: KeyAccumulators;
  readonly #searched = new Set<string>();
  /** The regions searched, each of the account its files' paths name (see {@link scopeOf}). */
  readonly #searchedScopes = new Set<string>();
  /** The accounts deliveries read were of; null once one was read that names none, by path or record. */
  #accounts: Set<string> | null = new Set();
  readonly #failed: FailedFile[] = [];
  /** By region of the path: the files tried (read, failed, or found not to be deliveries). */
  readonly #attempts = new Map<string, number>();
  /** The first and last day (UTC midnight, epoch ms) of the deliveries outside the window. */
  #outsideDays: { first: number; last: number } | null = null;
  readonly #progress: LogFilesProgress = {
    kind: 'files',
    filesRead: 0,
    filesSkipped: 0,
    filesOutsideWindow: 0,
    filesFailed: 0,
    bytes: 0,
  };

  /** `seen`: the event ids counted, when shared with worker threads (a key's number is its place in `wanted`). */
  constructor(wanted: WantedKeys, options: LogFilesOptions, seen?: SharedEventIds) {
    this.#window = options.window;
    this.#onProgress = options.onProgress;
    this.#accumulators = new KeyAccumulators([...wanted.ids], options.window, seen);
    this.alreadyCounted = this.#accumulators.alreadyCounted;
    this.count = this.#accumulators.count;
  }

  addBytes(bytes: number): void {
    this.#progress.bytes += bytes;
  }

  /** Whether a record's event id was counted by every key's summary already (see KeyAccumulators). */
  readonly alreadyCounted: CountedEventId;

  /** Counts a record in its key's summary: true when it was counted. */
  readonly count: (record: CloudTrailRecord) => boolean;

  /**
   * The delivery to read for a listed entry; null for an entry not to read (a part that could not
   * be listed, a digest or other file, a delivery dated outside the window), counted and reported.
   */
  toRead(entry: ListedEntry): FileToRead | null {
    const info = describeLogFilePath(entry.path);
    if (isUnlisted(entry))
      this.#fail(entry.path, info.region, `could not be listed: ${messageOf(entry.listingError)}`, true);
    else if (info.kind !== 'delivery') this.#progress.filesSkipped += 1;
    else if (info.day !== null && dayIsOutsideWindow(info.day, this.#window)) this.#outside(info.day);
    else return { file: entry, region: info.region };
    this.#report();
    return null;
  }

  /** Counts what reading a delivery gave, its records included, and reports progress. */
  settle(toRead: FileToRead, outcome: LogFileOutcome): void {
    this.#tried(toRead.region, accountOfLogFilePath(toRead.file.path));
    if (outcome.kind === 'failed') this.#fail(toRead.file.path, toRead.region, outcome.reason);
    else if (outcome.kind === 'not-a-delivery') this.#progress.filesSkipped += 1;
    else {
      this.#progress.filesRead += 1;
      const account = accountOfLogFilePath(toRead.file.path);
      const held = [account, outcome.recipient].filter((id): id is string => Boolean(id));
      if (held.length === 0) this.#accounts = null;
      else for (const id of held) this.#accounts?.add(id);
      if (toRead.region) {
        this.#searched.add(toRead.region);
        if (account) this.#searchedScopes.add(scopeOf(account, toRead.region));
      } else for (const region of outcome.regions) this.#searched.add(region);
      for (const record of outcome.records) this.count(record);
    }
    this.#report();
  }

  result(options: LogFilesOptions, workers: number, readAgain: string | null = null): LogFilesResult {
    const failed = [...this.#failed].sort((a, b) => compareText(a.path, b.path));
    const { filesRead, filesSkipped, filesOutsideWindow, bytes } = this.#progress;
    const regionsFailed = unsearchedRegions(failed, this.#searched, this.#searchedScopes, this.#attempts, filesRead);
    const regionsSearched = [...this.#searched];
    return {
      summaries: options.accessKeyIds.map((id, index) =>
        this.#accumulators.of(id).summary({
          source: 'cloudtrail-logs',
          regionsSearched,
          regionsFailed,
          userName: index === 0 ? options.userName : null,
        }),
      ),
      files: {
        read: filesRead,
        skipped: filesSkipped,
        outsideWindow: filesOutsideWindow,
        outsideWindowDays: this.#outsideDays && {
          first: isoDay(this.#outsideDays.first),
          last: isoDay(this.#outsideDays.last),
        },
        failed: failed.map(({ path, error }) => ({ path, error })),
        accounts: this.#accounts && [...this.#accounts].sort(compareText),
        bytes,
      },
      workers,
      readAgain,
    };
  }

  /** Adds what a worker thread counted. */
  merge(states: readonly AccumulatorState[]): void {
    this.#accumulators.merge(states);
  }

  #fail(path: string, region: string | null, error: string, unlisted = false): void {
    this.#failed.push({ path, error, region: region ?? UNKNOWN_REGION, account: accountOfLogFilePath(path), unlisted });
    this.#progress.filesFailed += 1;
  }

  #outside(day: number): void {
    this.#progress.filesOutsideWindow += 1;
    const days = this.#outsideDays;
    this.#outsideDays = days
      ? { first: Math.min(days.first, day), last: Math.max(days.last, day) }
      : { first: day, last: day };
  }

  /** Counts a file tried, under its region, and under its account's region when its path names the account. */
  #tried(region: string | null, account: string | null): void {
    const keys = [region ?? UNKNOWN_REGION, ...(region && account ? [accountRegionLabel(account, region)] : [])];
    for (const key of keys) this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
  }

  #report(): void {
    this.#onProgress?.({ ...this.#progress });
  }
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

interface CheckedOptions {
  concurrency: number;
  maxFileBytes: number;
}

function checkOptions(options: LogFilesOptions): CheckedOptions {
  const { start, end } = options.window;
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start > end)
    throw new InvalidInputError('window', 'The window must have a valid start no later than its end.');
  const concurrency = options.concurrency ?? DEFAULT_LOG_FILE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidInputError(
      'concurrency',
      `Concurrency must be a whole number of files, at least 1 (got ${concurrency}).`,
    );
  const { workers } = options;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0))
    throw new InvalidInputError('workers', `Workers must be a whole number of threads, at least 0 (got ${workers}).`);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < 1)
    throw new InvalidInputError(
      'maxFileBytes',
      `The most a file may hold must be a whole number of bytes, at least 1 (got ${maxFileBytes}).`,
    );
  return { concurrency, maxFileBytes };
}

async function listingOf(
  deps: LogFilesDeps,
  { location, window }: LogFilesOptions,
): Promise<AsyncIterable<ListedEntry>> {
  const s3Location = parseS3Location(location);
  if (s3Location) {
    if (!deps.s3) throw new InvalidInputError('location', `Reading ${location} needs an S3 client.`);
    return started(listS3Files(deps.s3, s3Location, window));
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

/** Reads files on the calling thread: `concurrency` at once, each streamed, one at a time holding much text. */
function readingHere(tally: LogFilesTally, wanted: WantedKeys, { concurrency, maxFileBytes }: CheckedOptions) {
  const onBytes = (bytes: number) => tally.addBytes(bytes);
  const largeText = new LargeTextTurns();
  const { alreadyCounted } = tally;
  const readHere = async (toRead: FileToRead) =>
    tally.settle(
      toRead,
      await readLogFile(toRead.file, wanted, {
        collectRegions: toRead.region === null,
        onBytes,
        maxFileBytes,
        largeText,
        alreadyCounted,
      }),
    );
  return {
    readHere,
    readRestHere: (entries: AsyncIterable<ListedEntry>) =>
      forEachConcurrently(entries, concurrency, async (entry) => {
        const toRead = tally.toRead(entry);
        if (toRead) await readHere(toRead);
      }),
  };
}

/**
 * Summarises what each key did from CloudTrail log files as delivered (`{"Records":[…]}`, `.json`
 * or `.json.gz`), in a local folder searched recursively or under an S3 prefix: several files at
 * once, each streamed, so memory depends on what is counted, not on how much is read; a large
 * local folder with the help of worker threads. Digests, Insight files and other files are skipped; deliveries
 * dated more than a day away from the window are not read; a file that cannot be read, or that
 * holds more than `maxFileBytes` of text, is listed in `files.failed` with the reason. A region
 * is listed in each summary's `regions.failed` when files of it failed and none of it could be
 * read (files whose path names no region: when no file at all could be read), and whenever a part
 * of the location could not be listed (as `unknown` when its path names no region, or one read).
 *
 * @throws InvalidInputError when a key, the window, the concurrency, the number of workers or the
 * most a file may hold is invalid, or the location cannot be read.
 * @throws AwsCallError or CredentialsError when the S3 prefix cannot be listed.
 */
export async function readLogFiles(deps: LogFilesDeps, givenOptions: LogFilesOptions): Promise<LogFilesResult> {
  const checked = checkOptions(givenOptions);
  const wanted = wantedKeys(givenOptions.accessKeyIds);
  let listing = await listingOf(deps, givenOptions);
  const options = { ...givenOptions, onProgress: onwardProgress(givenOptions.onProgress) };
  let readAgain: string | null = null;
  /*
   * An S3 prefix is read on this thread alone: there, fetching the objects is what takes the
   * time, and a worker would need each object's bytes posted to it, one copy more. A local
   * folder is read with workers when they pay (see workers-plan.ts).
   */
  if (!parseS3Location(options.location)) {
    const plan = await planWorkers(listing, options, checked.concurrency);
    listing = plan.entries;
    const memory = plan.workers > 0 ? sharedMemory() : null;
    if (memory) {
      try {
        return await readInThreads(deps, options, checked, wanted, { ...plan, memory });
      } catch (error) {
        if (!(error instanceof WorkersLostError || error instanceof SharedEventIdsFullError)) throw error;
        readAgain = error.message;
      }
      // What a lost worker counted cannot be told apart from what the others did: every file is
      // read again, on this thread alone.
      listing = await listingOf(deps, options);
    }
  }
  const tally = new LogFilesTally(wanted, options);
  await readingHere(tally, wanted, checked).readRestHere(listing);
  return tally.result(options, 0, readAgain);
}

/**
 * Reports progress only past what was reported before: when every file is read again, the count
 * goes on from where it was rather than back to 0.
 */
function onwardProgress(
  onProgress: ((progress: LogFilesProgress) => void) | undefined,
): ((progress: LogFilesProgress) => void) | undefined {
  if (!onProgress) return undefined;
  let reported = 0;
  return (progress) => {
    const files = progress.filesRead + progress.filesSkipped + progress.filesOutsideWindow + progress.filesFailed;
    if (files <= reported) return;
    reported = files;
    onProgress(progress);
  };
}

/**
 * Memory for the event ids all threads share; null when this process cannot have it (a limit on
 * its address space, say): then the files are read on this thread alone.
 */
function sharedMemory(): SharedEventIdsMemory | null {
  try {
    return sharedEventIdsMemory();
  } catch {
    return null;
  }
}

/**
 * Reads a local listing with `plan.workers` worker threads and this one (see readWithWorkers).
 *
 * @throws WorkersLostError or SharedEventIdsFullError when reading must start again on one thread.
 */
async function readInThreads(
  deps: LogFilesDeps,
  options: LogFilesOptions,
  checked: CheckedOptions,
  wanted: WantedKeys,
  plan: { workers: number; entries: AsyncIterable<ListedEntry>; memory: SharedEventIdsMemory },
): Promise<LogFilesResult> {
  const { memory } = plan;
  const tally = new LogFilesTally(wanted, options, new SharedEventIds(memory));
  const here = readingHere(tally, wanted, checked);
  const counter = new LogFileCounter(
    { wanted, maxFileBytes: checked.maxFileBytes, alreadyCounted: tally.alreadyCounted },
    tally.count,
  );
  const host: PoolHost = {
    toRead: (entry) => tally.toRead(entry),
    countHere: (toRead) => counter.count(toRead.file.path, toRead.region === null),
    settle: (toRead, outcome, bytes) => {
      tally.addBytes(bytes);
      tally.settle(toRead, outcome);
    },
    merge: (states) => tally.merge(states),
    ...here,
  };
  const workers = await readWithWorkers({
    entries: plan.entries,
    workers: plan.workers,
    data: {
      accessKeyIds: [...wanted.ids],
      window: { startMs: options.window.start.getTime(), endMs: options.window.end.getTime() },
      maxFileBytes: checked.maxFileBytes,
      seen: memory,
    },
    startWorker: deps.startWorker ?? startLogFileWorker,
    host,
  });
  return tally.result(options, workers);
}
