import { isRegionName } from '../../aws/aws-names.js';
import type { TimeWindow } from '../activity-summary.js';

/**
 * What a file is, judging by its path: a log delivery to read, a digest, an Insight delivery (events
 * CloudTrail Insights made, never a call made with a key), or something else.
 */
export type LogFileKind = 'delivery' | 'digest' | 'insight' | 'other';

/** What the path of a log file tells before it is read. */
export interface LogFilePathInfo {
  kind: LogFileKind;
  /** The region of the `…/CloudTrail/<region>/…` folder or of the standard file name, if any. */
  region: string | null;
  /** UTC midnight (epoch ms) of the `YYYY/MM/DD` folder or of the file name's date, if any. */
  day: number | null;
}

const DAY_MS = 86_400_000;

/**
 * `AWSLogs/[<org-id>/]<account>/CloudTrail[-Insight]/<region>[/YYYY/MM/DD]`: a folder (or an S3
 * prefix) may end at the region or the day and still name them. Only the folder that follows
 * `AWSLogs/<account>/` is a region: a trail's key prefix or a folder a copy was put in
 * (`CloudTrail/org-trail/`, `CloudTrail/2024-05-03/`) may come before `AWSLogs/` and is none.
 */
const LAYOUT =
  /(?<=^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/CloudTrail(?:-Insight)?\/([a-z0-9-]+)(?:\/(\d{4})\/(\d{2})\/(\d{2}))?(?=\/|$)/g;
/** `<account>_CloudTrail[-Insight]_<region>_<YYYYMMDDTHHMMZ>_<random>.json[.gz]`. */
const FILE_NAME =
  /^\d{12}_CloudTrail(?:-Insight)?_([a-z0-9]+(?:-[a-z0-9]+)+)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[^_/]+\.json(?:\.gz)?$/i;
const LOG_EXTENSION = /\.json(?:\.gz)?$/i;
/**
 * `AWSLogs/[<org-id>/]<account>/<service>/`: a log archive (Control Tower's, say) files AWS Config,
 * VPC flow logs and others beside CloudTrail; a file under another service's folder is none of
 * CloudTrail's, and is skipped unread, unless its name is a CloudTrail delivery's (a copy laid out
 * otherwise).
 */
const SERVICE_FOLDER = /(?<=^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/([^/]+)(?=\/)/g;
/** A folder named as CloudTrail names its own: deliveries, digests or Insight files. */
const TRAIL_FOLDER = /(?<=^|\/)CloudTrail(-Digest|-Insight)?(?=\/|$)/g;
/** The standard names of digest and Insight files: `<account>_CloudTrail-Digest_…`, `<account>_CloudTrail-Insight_…`. */
const SPECIAL_FILE_NAME = /^\d{12}_CloudTrail(-Digest|-Insight)_/i;

/**
 * The last match of `pattern` (a global one) in `path`: the folder of the layout is the one
 * nearest the file, below whatever folders the files were put in.
 */
function lastMatch(pattern: RegExp, path: string): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (const match of path.matchAll(pattern)) last = match;
  return last;
}

/** Digest or Insight, as the file's standard name or else the CloudTrail folder nearest it says. */
function specialKind(path: string, name: string): 'digest' | 'insight' | null {
  const suffix = SPECIAL_FILE_NAME.exec(name)?.[1] ?? lastMatch(TRAIL_FOLDER, path)?.[1];
  return suffix === undefined ? null : suffix.toLowerCase() === '-digest' ? 'digest' : 'insight';
}

function utcDay(year: string, month: string, day: string): number | null {
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day));
  const date = new Date(time);
  // Date.UTC rolls 2023/02/31 over into March: such a folder is not a date.
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) ? time : null;
}

/**
 * Classifies a log file by its path (a local path or an S3 key): digest files, Insight files,
 * files of another service's `AWSLogs` folder and files that are not `.json`/`.json.gz` are not
 * deliveries to read; the region and day come from
 * the CloudTrail folder layout, else from the standard file name.
 */
export function describeLogFilePath(path: string): LogFilePathInfo {
  const normalized = path.replaceAll('\\', '/');
  const name = normalized.slice(normalized.lastIndexOf('/') + 1);
  const service = lastMatch(SERVICE_FOLDER, normalized)?.[1];
  const kind: LogFileKind =
    specialKind(normalized, name) ??
    (LOG_EXTENSION.test(name) && (service === undefined || /^cloudtrail/i.test(service) || FILE_NAME.test(name))
      ? 'delivery'
      : 'other');
  const layout = lastMatch(LAYOUT, normalized);
  if (layout && isRegionName(layout[1] as string)) {
    const [, region, year, month, day] = layout as unknown as [string, string, ...(string | undefined)[]];
    return { kind, region, day: year && month && day ? utcDay(year, month, day) : null };
  }
  const standard = FILE_NAME.exec(name);
  if (standard) {
    const [, region, year, month, day] = standard as unknown as [string, string, string, string, string];
    return { kind, region: region.toLowerCase(), day: utcDay(year, month, day) };
  }
  return { kind, region: null, day: null };
}

/** `AWSLogs/[<org-id>/]<account>/CloudTrail…/`, or a standard file name `<account>_CloudTrail…`. */
const ACCOUNT_FOLDER = /(?<=^|\/)(\d{12})\/CloudTrail(?:-Insight|-Digest)?\//g;
const ACCOUNT_FILE = /^(\d{12})_CloudTrail/;

/**
 * The account whose activity a log file holds, as its path names it (an organisation trail files
 * each member's deliveries under its own account id); null when the path names none.
 */
export function accountOfLogFilePath(path: string): string | null {
  const normalized = path.replaceAll('\\', '/');
  const name = normalized.slice(normalized.lastIndexOf('/') + 1);
  return lastMatch(ACCOUNT_FOLDER, normalized)?.[1] ?? ACCOUNT_FILE.exec(name)?.[1] ?? null;
}

/**
 * True when a file dated `day` (UTC midnight, epoch ms) cannot hold an event of `window`. CloudTrail
 * delivers an event up to some minutes after it happened, possibly in the next day's folder, so
 * only days more than one day away from the window qualify.
 */
export function dayIsOutsideWindow(day: number, window: TimeWindow): boolean {
  const dayEnd = day + DAY_MS;
  return dayEnd < window.start.getTime() - DAY_MS || day > window.end.getTime() + DAY_MS;
}
