import type { TimeWindow } from '../activity/activity-summary.js';
import { REGION_PATTERN, TOPIC_ARN_PATTERN } from '../aws/aws-names.js';
import type { AwsContext } from '../aws/client-config.js';
import { InvalidInputError, WrongRegionError } from '../errors.js';
import { accessKeyIdProblem } from '../incident/access-key-id.js';
import { userNameProblem } from '../incident/user-name.js';
import type { ContainmentMode } from '../steps/contain.js';

/** The flags every command takes. */
export interface CommonOptions {
  region?: string;
  profile?: string;
  json?: boolean;
  verbose?: boolean;
  timeout?: string;
}

/** The stack, and the events it reacts to, live in this region only. */
export const STACK_REGION = 'us-east-1';
/** The stack name when --stack-name is not given. */
export const DEFAULT_STACK_NAME = 'exposed-keys';

const MODES: readonly ContainmentMode[] = ['delete', 'deactivate', 'notify-only'];

/** The region to use: --region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export function resolveRegion(options: CommonOptions): string {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? STACK_REGION;
  if (!REGION_PATTERN.test(region))
    throw new InvalidInputError('--region', `${JSON.stringify(region)} is not an AWS region name (e.g. us-east-1).`);
  return region;
}

/**
 * Where and as whom to call AWS: the region given, the profile, and --timeout (seconds to wait for
 * each answer, 1 to 300; default 30) for networks where a hung call must fail fast.
 */
export function awsContext(options: CommonOptions, region: string): AwsContext {
  if (options.timeout === undefined) return { region, profile: options.profile };
  const seconds = Number(options.timeout);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 300)
    throw new InvalidInputError('--timeout', '--timeout must be a number of seconds from 1 to 300.');
  return { region, profile: options.profile, requestTimeoutMs: seconds * 1000 };
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
  if (problem) throw new InvalidInputError('--key', `--key ${JSON.stringify(value.slice(0, 40))} ${problem}.`);
  return value;
}

/** Validates --user. */
export function parseUserName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = userNameProblem(value);
  if (problem) throw new InvalidInputError('--user', `--user ${JSON.stringify(value.slice(0, 80))} ${problem}.`);
  return value;
}

/** Validates --mode. */
export function parseMode(value: string | undefined): ContainmentMode {
  if (value === undefined) return 'delete';
  if ((MODES as readonly string[]).includes(value)) return value as ContainmentMode;
  throw new InvalidInputError('--mode', `--mode must be one of ${MODES.join(', ')}, not ${JSON.stringify(value)}.`);
}

/** Validates --regions (comma-separated region names). */
export function parseRegions(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const regions = [
    ...new Set(
      value
        .split(',')
        .map((region) => region.trim())
        .filter(Boolean),
    ),
  ];
  const bad = regions.filter((region) => !REGION_PATTERN.test(region));
  if (regions.length === 0 || bad.length > 0)
    throw new InvalidInputError(
      '--regions',
      `--regions must be region names separated by commas (e.g. us-east-1,eu-west-1)${bad.length ? `; not ${bad.map((region) => JSON.stringify(region.slice(0, 40))).join(', ')}` : ''}.`,
    );
  return regions;
}

/** Validates --topic. */
export function parseTopicArn(value: string | undefined): { arn: string; region: string } | undefined {
  if (value === undefined) return undefined;
  const match = TOPIC_ARN_PATTERN.exec(value);
  if (!match)
    throw new InvalidInputError('--topic', `--topic must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>).`);
  return { arn: value, region: match[1] as string };
}

function parseDate(value: string, flag: string): Date {
  // ISO 8601 only: Date.parse also reads forms like "03/04/2026", whose meaning depends on locale.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value))
    throw new InvalidInputError(flag, `${flag} must be an ISO 8601 date or time (e.g. 2026-11-26T10:00:00Z).`);
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw new InvalidInputError(flag, `${flag} ${JSON.stringify(value)} is not a valid date.`);
  return new Date(millis);
}

/** The window to investigate: --hours, or --start/--end (ISO 8601), default the last `defaultHours`. */
export function parseWindow(
  options: { hours?: string; start?: string; end?: string },
  now: Date,
  defaultHours = 24,
): TimeWindow {
  if (options.hours !== undefined && (options.start !== undefined || options.end !== undefined))
    throw new InvalidInputError('--hours', 'Give either --hours or --start/--end, not both.');
  if (options.hours !== undefined) {
    const hours = Number(options.hours);
    if (!Number.isInteger(hours) || hours < 1 || hours > 2160)
      throw new InvalidInputError('--hours', '--hours must be a whole number from 1 to 2160 (90 days).');
    return { start: new Date(now.getTime() - hours * 3_600_000), end: now };
  }
  const end = options.end === undefined ? now : parseDate(options.end, '--end');
  const start =
    options.start === undefined
      ? new Date(end.getTime() - defaultHours * 3_600_000)
      : parseDate(options.start, '--start');
  if (start.getTime() >= end.getTime()) throw new InvalidInputError('--start', '--start must be before --end.');
  return { start, end };
}
