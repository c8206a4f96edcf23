import type * as z from 'zod';
import type { TimeWindow } from '../activity/activity-summary.js';
import type { TableName } from '../activity/athena/activity-sql.js';
import { REGION_PATTERN } from '../aws/aws-names.js';
import { cliSdkLogger } from '../aws/cli-sdk-logger.js';
import type { AwsContext } from '../aws/client-config.js';
import { DEFAULT_LOOKBACK_HOURS, DEFAULT_RESPONDER_ROLE_NAME, STACK_REGION } from '../constants.js';
import { InvalidInputError, WrongRegionError } from '../errors.js';
import { accessKeyIdProblem } from '../incident/access-key-id.js';
import { userNameProblem } from '../incident/user-name.js';
import {
  accountListSchema,
  athenaTableSchema,
  bucketNameSchema,
  containmentModeSchema,
  deleteAfterDaysSchema,
  lookbackHoursSchema,
  MAX_NEW_STACK_NAME,
  problemOf,
  regionListSchema,
  roleNameSchema,
  s3OutputSchema,
  stackNameSchema,
  topicArnSchema,
  workgroupSchema,
} from '../settings/settings.js';
import type { ContainmentMode } from '../steps/contain.js';

/** The flags every command takes. */
export interface CommonOptions {
  region?: string;
  profile?: string;
  json?: boolean;
  verbose?: boolean;
  timeout?: string;
}

/** A flag's value as a message may quote it: short, on one line. */
function quoted(value: string, max = 40): string {
  return JSON.stringify([...value].slice(0, max).join(''));
}

/**
 * Checks a flag's value against the setting's schema, the same rule a stack parameter and a
 * function's environment obey.
 *
 * @throws InvalidInputError naming the flag, what it must be, and the value given.
 */
export function parseFlag<T>(schema: z.ZodType<T, string>, value: string, flag: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problem = problemOf(parsed.error);
  // A problem that already names the part at fault (a list's bad items) does not repeat the whole value.
  throw new InvalidInputError(
    flag,
    `${flag} ${problem}${problem.includes('; not "') ? '' : `, not ${quoted(value)}`}.`,
  );
}

/** `--account` and `--role-name`: act in a member account through its responder role. */
export interface AccountFlags {
  account?: string;
  roleName?: string;
}

/** The account to act in through a role, when `--account` is given. */
export interface AccountTarget {
  accountId: string;
  roleName: string;
}

/**
 * Refuses a name too long for a stack deploy makes: its schedule group is named after it.
 *
 * @throws InvalidInputError naming --stack-name.
 */
export function checkNewStackName(stackName: string): void {
  if (stackName.length > MAX_NEW_STACK_NAME)
    throw new InvalidInputError(
      '--stack-name',
      `A stack deploy makes has a name of at most ${MAX_NEW_STACK_NAME} characters (its schedule group is named after it).`,
    );
}

/**
 * Validates --stack-name, for every command that takes it, before any call.
 *
 * @throws InvalidInputError naming --stack-name.
 */
export function parseStackName(value: string): string {
  return parseFlag(stackNameSchema, value, '--stack-name');
}

/**
 * Validates --account (12 digits) and --role-name: where `respond`, `simulate` and `investigate`
 * act through the member's responder role; undefined without --account (the caller's own account).
 */
export function parseAccount(flags: AccountFlags): { account?: AccountTarget } {
  if (flags.account === undefined) {
    // Without --account nothing is assumed: a role named alone would be silently unused.
    if (flags.roleName !== undefined)
      throw new InvalidInputError(
        '--role-name',
        '--role-name applies to --account: add --account <member account id>.',
      );
    return {};
  }
  if (!/^\d{12}$/.test(flags.account))
    throw new InvalidInputError(
      '--account',
      `--account must be an account id (12 digits), not ${quoted(flags.account)}.`,
    );
  const roleName = parseFlag(roleNameSchema, flags.roleName ?? DEFAULT_RESPONDER_ROLE_NAME, '--role-name');
  return { account: { accountId: flags.account, roleName } };
}

/** The region to use: --region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export function resolveRegion(options: CommonOptions): string {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? STACK_REGION;
  if (!REGION_PATTERN.test(region))
    throw new InvalidInputError('--region', `${quoted(region)} is not an AWS region name (e.g. us-east-1).`);
  return region;
}

/**
 * Where and as whom to call AWS: the region given, the profile, and --timeout (seconds to wait for
 * each answer, 1 to 300; default 30) for networks where a hung call must fail fast. The SDK's own
 * messages go to the CLI's logger, since the CLI says itself which credentials it uses.
 */
export function awsContext(options: CommonOptions, region: string): AwsContext {
  const context = { region, profile: options.profile, logger: cliSdkLogger };
  if (options.timeout === undefined) return context;
  const seconds = /^\d+(\.\d+)?$/.test(options.timeout) ? Number(options.timeout) : Number.NaN;
  if (!(seconds >= 1 && seconds <= 300))
    throw new InvalidInputError('--timeout', '--timeout must be a number of seconds from 1 to 300.');
  return { ...context, requestTimeoutMs: seconds * 1000 };
}

/** The region for stack commands, refused before any call unless it is us-east-1. */
export function stackRegion(options: CommonOptions): string {
  const region = resolveRegion(options);
  if (region !== STACK_REGION) throw new WrongRegionError(region);
  return region;
}

/**
 * Anonymised data sets carry key ids outside AWS's alphabet (0, 1, 8, 9); reading them is harmless,
 * so `investigate` accepts any 20 upper-case letters and digits. Commands that change the account
 * take only real key ids.
 */
const READ_ONLY_KEY_PATTERN = /^(AKIA|ASIA)[A-Z0-9]{16}$/;

/** Validates --key; `readOnly` also accepts the anonymised ids of shared data sets. */
export function parseAccessKeyId(value: string | undefined, options: { readOnly?: boolean } = {}): string {
  if (value === undefined) throw new InvalidInputError('--key', 'The access key id is required: --key AKIA…');
  if (options.readOnly && READ_ONLY_KEY_PATTERN.test(value)) return value;
  const problem = accessKeyIdProblem(value);
  if (problem) throw new InvalidInputError('--key', `--key ${quoted(value)} ${problem}.`);
  return value;
}

/** Validates --user. */
export function parseUserName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = userNameProblem(value);
  if (problem) throw new InvalidInputError('--user', `--user ${quoted(value, 80)} ${problem}.`);
  return value;
}

/** Validates --mode (default delete). */
export function parseMode(value: string | undefined): ContainmentMode {
  return value === undefined ? 'delete' : parseFlag(containmentModeSchema, value, '--mode');
}

/** Validates --key and --user together: the key a command acts on, and its owner if given. */
export function parseKeyAndUser(flags: { key?: string; user?: string }): { accessKeyId: string; userName?: string } {
  return { accessKeyId: parseAccessKeyId(flags.key), userName: parseUserName(flags.user) };
}

/** Validates --delete-after-days (1 to 365), which only deactivate-then-delete takes. */
export function parseDeleteAfterDays(value: string | undefined, mode: ContainmentMode): number | undefined {
  if (value === undefined) return undefined;
  if (mode !== 'deactivate-then-delete')
    throw new InvalidInputError(
      '--delete-after-days',
      '--delete-after-days goes with --mode deactivate-then-delete only.',
    );
  return parseFlag(deleteAfterDaysSchema, value, '--delete-after-days');
}

/**
 * Validates `destroy --bucket`, which names the bucket `--delete-bucket` deletes; undefined without it.
 *
 * @throws InvalidInputError naming --bucket, when it is not a bucket name or comes without --delete-bucket.
 */
export function parseBucketToDelete(flags: { bucket?: string; deleteBucket?: boolean }): string | undefined {
  if (flags.bucket === undefined) return undefined;
  if (!flags.deleteBucket)
    throw new InvalidInputError('--bucket', '--bucket names the bucket to delete: use it with --delete-bucket.');
  return parseFlag(bucketNameSchema, flags.bucket, '--bucket');
}

/** Validates --regions (comma-separated region names). */
export function parseRegions(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : parseFlag(regionListSchema, value, '--regions');
}

/** Validates --topic. */
export function parseTopicArn(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseFlag(topicArnSchema, value, '--topic');
}

/** `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]` and a zone (`Z`, `+HH:MM`, `+HHMM`). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The flags that choose CloudTrail log files as the activity source (`investigate`). */
export interface LogFilesFlags {
  logs?: string;
  maxFileMb?: string;
}

/** Where the log files are, and the most text one may hold once inflated. */
export interface LogFilesRequest {
  location: string;
  maxFileBytes?: number;
}

/** The largest cap `--max-file-mb` takes: beyond 4 GiB one file would outgrow what a process can hold. */
const MAX_FILE_MB_LIMIT = 4096;

/**
 * Validates --logs (a folder or file, or `s3://bucket[/prefix]` with a bucket) and --max-file-mb,
 * which means something only with --logs; undefined when log files were not asked for.
 */
export function parseLogFiles(flags: LogFilesFlags): LogFilesRequest | undefined {
  const { logs: value, maxFileMb } = flags;
  if (value === undefined) {
    if (maxFileMb !== undefined)
      throw new InvalidInputError('--max-file-mb', '--max-file-mb is for log files: give --logs too.');
    return undefined;
  }
  if (value.trim() === '')
    throw new InvalidInputError('--logs', '--logs needs a folder, a file or an s3://bucket/prefix.');
  if (/^s3:\/\//i.test(value) && !/^s3:\/\/[^/]+/i.test(value))
    throw new InvalidInputError(
      '--logs',
      `--logs ${quoted(value)} names no bucket: give s3://bucket or s3://bucket/prefix.`,
    );
  if (maxFileMb === undefined) return { location: value };
  const megabytes = /^\d{1,4}$/.test(maxFileMb) ? Number(maxFileMb) : Number.NaN;
  if (!(megabytes >= 1 && megabytes <= MAX_FILE_MB_LIMIT))
    throw new InvalidInputError(
      '--max-file-mb',
      `--max-file-mb must be a whole number of MiB from 1 to ${MAX_FILE_MB_LIMIT} (got ${quoted(maxFileMb)}).`,
    );
  return { location: value, maxFileBytes: megabytes * 1024 * 1024 };
}

function parseDate(value: string, flag: string): Date {
  // ISO 8601 only: Date.parse also reads forms like "03/04/2026", whose meaning depends on locale.
  const match = ISO_8601.exec(value);
  if (!match)
    throw new InvalidInputError(flag, `${flag} must be an ISO 8601 date or time (e.g. 2026-11-26T10:00:00Z).`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  // Date.parse rolls 2026-02-30 over into March: a day or time that does not exist is refused instead.
  const calendar = new Date(Date.UTC(year as number, (month as number) - 1, day));
  const exists =
    calendar.getUTCMonth() === (month as number) - 1 &&
    calendar.getUTCDate() === day &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (second as number) <= 59;
  // CloudTrail's times are UTC: a time without a zone is too, not the zone of the machine that runs this.
  const zone = match[4] !== undefined && match[7] === undefined ? 'Z' : '';
  const millis = Date.parse(`${value.replace(' ', 'T')}${zone}`);
  if (!exists || Number.isNaN(millis))
    throw new InvalidInputError(flag, `${flag} ${quoted(value)} is not a date that exists.`);
  return new Date(millis);
}

/**
 * The window to investigate: --hours, or --start/--end (ISO 8601, in UTC unless they give a zone),
 * default the last 24 hours; an end past `now` is cut to `now`, a start past it refused.
 */
export function parseWindow(options: { hours?: string; start?: string; end?: string }, now: Date): TimeWindow {
  if (options.hours !== undefined && (options.start !== undefined || options.end !== undefined))
    throw new InvalidInputError('--hours', 'Give either --hours or --start/--end, not both.');
  if (options.hours !== undefined) {
    const hours = parseFlag(lookbackHoursSchema, options.hours, '--hours');
    return { start: new Date(now.getTime() - hours * 3_600_000), end: now };
  }
  const asked = options.end === undefined ? now : parseDate(options.end, '--end');
  // A window reaching past now is searched, and said, until now; the default start counts back from there.
  const end = asked.getTime() > now.getTime() ? now : asked;
  const start =
    options.start === undefined
      ? new Date(end.getTime() - DEFAULT_LOOKBACK_HOURS * 3_600_000)
      : parseDate(options.start, '--start');
  // A window that has not begun (a mistyped year) would be searched and found quiet: "no activity"
  // that shows nothing. It is refused.
  if (start.getTime() > now.getTime())
    throw new InvalidInputError(
      '--start',
      `--start ${quoted(options.start ?? '')} is in the future: nothing can have happened yet. Check the date (now is ${now.toISOString()}).`,
    );
  // Both ends are included: --start and --end may be the same instant.
  if (start.getTime() > asked.getTime()) throw new InvalidInputError('--start', '--start must not be after --end.');
  return { start, end };
}

/** The flags that choose Athena as the activity source (`investigate`, `respond`). */
export interface AthenaFlags {
  athenaTable?: string;
  athenaOutput?: string;
  workgroup?: string;
  accounts?: string;
}

/** Where and how Athena is asked, checked. */
export interface AthenaRequest {
  table: TableName;
  outputLocation?: string;
  workgroup?: string;
  /** The account partitions to read; the keys' own accounts (STS GetAccessKeyInfo) when absent. */
  accounts?: string[];
}

/**
 * Validates --athena-table and the flags that only mean something with it (--athena-output,
 * --workgroup, --accounts); undefined when Athena was not asked for.
 */
export function parseAthenaFlags(flags: AthenaFlags & { logs?: string }): AthenaRequest | undefined {
  if (flags.athenaTable === undefined) {
    const orphan = (['athenaOutput', 'workgroup', 'accounts'] as const).find((name) => flags[name] !== undefined);
    if (orphan) {
      const flag = `--${orphan.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
      throw new InvalidInputError(flag, `${flag} is for the Athena source: give --athena-table DATABASE.TABLE too.`);
    }
    return undefined;
  }
  if (flags.logs !== undefined)
    throw new InvalidInputError(
      '--athena-table',
      'Read either log files (--logs) or an Athena table (--athena-table), not both.',
    );
  return {
    table: parseFlag(athenaTableSchema, flags.athenaTable, '--athena-table'),
    ...(flags.athenaOutput === undefined
      ? {}
      : { outputLocation: parseFlag(s3OutputSchema, flags.athenaOutput, '--athena-output') }),
    ...(flags.workgroup === undefined ? {} : { workgroup: parseFlag(workgroupSchema, flags.workgroup, '--workgroup') }),
    ...(flags.accounts === undefined ? {} : { accounts: parseFlag(accountListSchema, flags.accounts, '--accounts') }),
  };
}

/** Validates where `investigate` reads: the regions LookupEvents or Athena searches, or log files. */
export function parseInvestigateSource(flags: AthenaFlags & LogFilesFlags & { regions?: string }): {
  regions: string[] | undefined;
  logs: LogFilesRequest | undefined;
  athena: AthenaRequest | undefined;
} {
  const regions = parseRegions(flags.regions);
  if (flags.logs !== undefined && regions !== undefined)
    throw new InvalidInputError(
      '--regions',
      '--regions chooses where LookupEvents or Athena searches; log files (--logs) hold their own regions.',
    );
  return { regions, logs: parseLogFiles(flags), athena: parseAthenaFlags(flags) };
}

/** Validates where to search: --regions, and the Athena flags. */
export function parseSearch(flags: AthenaFlags & { regions?: string }): {
  regions: string[] | undefined;
  athena: AthenaRequest | undefined;
} {
  return { regions: parseRegions(flags.regions), athena: parseAthenaFlags(flags) };
}
