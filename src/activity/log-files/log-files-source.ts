import { InvalidInputError, InvestigationError } from '../../errors.js';
import type { ActivitySource } from '../activity-source.js';
import type { TimeWindow } from '../activity-summary.js';
import { withFilesNotRead } from './files-not-read.js';
import {
  type FailedLogFile,
  type LogFilesDeps,
  type LogFilesOptions,
  type LogFilesResult,
  readLogFiles,
} from './log-files.js';

/**
 * What became of the files of the first read (the incident key's own), with every file a later
 * read (the session keys') could not read although the first could: a failure of any hop is said.
 */
export interface LogFilesReport {
  read: number;
  skipped: number;
  outsideWindow: number;
  failed: number;
  /** The files that could not be read, by path, each with the reason. */
  failedFiles: FailedLogFile[];
  /** Why every file was read again on one thread (see {@link LogFilesResult.readAgain}); null when it was not. */
  readAgain: string | null;
  /** The accounts whose deliveries were read, as their paths and records name them; null when not known (see LogFilesResult). */
  accounts?: string[] | null;
}

/** The `cloudtrail-logs` source, and what it found of the files. */
export interface LogFilesSource extends ActivitySource {
  /** The files of the first read; undefined before it. */
  readonly files: LogFilesReport | undefined;
}

/** Where and how the `cloudtrail-logs` source reads. */
export interface LogFilesSourceOptions {
  /** A local folder (or file), or `s3://bucket/prefix`. */
  location: string;
  concurrency?: number;
  workers?: number;
  /** The most text one file may hold once inflated, in bytes (see {@link LogFilesOptions.maxFileBytes}). */
  maxFileBytes?: number;
}

function report({ files, readAgain }: LogFilesResult): LogFilesReport {
  return {
    readAgain,
    read: files.read,
    skipped: files.skipped,
    outsideWindow: files.outsideWindow,
    failed: files.failed.length,
    failedFiles: files.failed,
    accounts: files.accounts,
  };
}

/** The report of the first read, with the files a later read could not read and it could. */
function withLaterFailures(first: LogFilesReport, later: LogFilesResult): LogFilesReport {
  const known = new Set(first.failedFiles.map((file) => file.path));
  const added = later.files.failed
    .filter((file) => !known.has(file.path))
    .map((file) => ({ path: file.path, error: `read again for the session keys: ${file.error}` }));
  if (added.length === 0) return first;
  return { ...first, failed: first.failed + added.length, failedFiles: [...first.failedFiles, ...added] };
}

/**
 * Refuses a read in which every delivery was dated outside the window: nothing was searched, which
 * a summary of 0 events would hide (last week's logs read for the last 24 hours, say).
 */
function refuseAllOutsideWindow({ files }: LogFilesResult, location: string, window: TimeWindow): void {
  const days = files.outsideWindowDays;
  if (files.read > 0 || files.failed.length > 0 || !days) return;
  const span = days.first === days.last ? `on ${days.first}` : `from ${days.first} to ${days.last}`;
  throw new InvalidInputError(
    '--logs',
    `None of the ${files.outsideWindow} CloudTrail log file${files.outsideWindow === 1 ? '' : 's'} under ${location} lies within a day of the window (${window.start.toISOString()} to ${window.end.toISOString()}): ${files.outsideWindow === 1 ? 'it is' : 'they are'} dated ${span}.`,
    {
      hint: `Give --start and --end around the days of the files, e.g. --start ${days.first} --end ${days.last}T23:59:59Z.`,
    },
  );
}

/**
 * CloudTrail log files, from a folder or an S3 prefix, as an activity source: each read goes over
 * every file once for all the keys asked for. A location that holds no CloudTrail delivery at all,
 * or only deliveries dated outside the window, is refused, rather than reported as a key that did
 * nothing.
 */
export function logFilesSource(deps: LogFilesDeps, options: LogFilesSourceOptions): LogFilesSource {
  let files: LogFilesReport | undefined;
  return {
    name: 'cloudtrail-logs',
    // Files of this machine that cannot be read are bad input; objects of S3 that cannot be read are an AWS failure.
    unsearchable: (message) =>
      options.location.toLowerCase().startsWith('s3://')
        ? new InvestigationError(message, { hint: 'Check that the caller may read the objects (s3:GetObject).' })
        : new InvalidInputError('--logs', message, {
            hint: 'Check that the log files can be read (the reason is given for each), or point --logs elsewhere.',
          }),

    get files() {
      return files;
    },
    // An organisation trail files each account's deliveries under its id, and each record names
    // the account that received it: a role session of an account none of whose deliveries were
    // read is not in them. A file that names no account, either way, may be anyone's.
    readsAccount: async (accountId) => (files?.accounts ? files.accounts.includes(accountId) : undefined),
    async summarize(query) {
      const result = await readLogFiles(deps, {
        location: options.location,
        accessKeyIds: query.accessKeyIds,
        window: query.window,
        userName: query.userName,
        concurrency: options.concurrency,
        workers: options.workers,
        maxFileBytes: options.maxFileBytes,
        onProgress: query.onProgress,
      });
      const { read, failed, outsideWindow, skipped } = result.files;
      if (read === 0 && failed.length === 0 && outsideWindow === 0)
        throw new InvalidInputError(
          '--logs',
          // Under an S3 prefix, only the date folders of the window are listed: files of other days are not seen.
          `No CloudTrail log files were found under ${options.location} for the window (${query.window.start.toISOString()} to ${query.window.end.toISOString()}, give or take a day; ${skipped} other files skipped).`,
          {
            hint: 'Point --logs at the folder or prefix that holds AWSLogs/<account>/CloudTrail/…, or at the .json(.gz) files themselves, and check --start/--end.',
          },
        );
      refuseAllOutsideWindow(result, options.location, query.window);
      files = files ? withLaterFailures(files, result) : report(result);
      return result.summaries.map((summary) => withFilesNotRead(summary, result.files.failed));
    },
  };
}
