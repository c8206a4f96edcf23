import { z } from 'zod';
import { REGION_PATTERN, TOPIC_ARN_PATTERN } from '../aws/aws-names.js';
import { DEFAULT_LOOKBACK_HOURS, DEFAULT_RESPONDER_ROLE_NAME, MAX_LOOKBACK_HOURS } from '../constants.js';
import { CONTAINMENT_MODES } from '../steps/contain.js';

/*
 * One schema per setting, written once. A setting reaches exposed-keys as text, from a CLI flag, a
 * stack parameter or a function's environment variable, and is checked by the same rule wherever it
 * comes from: the CLI turns a problem into an InvalidInputError naming the flag, a Lambda function
 * into a ConfigurationError naming the variable, at cold start.
 */

/** A decimal whole number from `min` to `max`: no sign, no exponent, no hexadecimal. */
function wholeNumber(min: number, max: number, message: string) {
  return z
    .string()
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .refine((value) => value >= min && value <= max, message);
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `delete`, `deactivate` or `notify-only`. */
export const containmentModeSchema = z.enum(CONTAINMENT_MODES, {
  message: `must be one of ${CONTAINMENT_MODES.join(', ')}`,
});

/** Hours of history to investigate: 1 to the 90 days LookupEvents keeps. */
export const lookbackHoursSchema = wholeNumber(
  1,
  MAX_LOOKBACK_HOURS,
  `must be a whole number from 1 to ${MAX_LOOKBACK_HOURS} (90 days)`,
);

/** `true` or `false`. */
export const booleanTextSchema = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .transform((value) => value === 'true');

const REGION_LIST_MESSAGE = 'must be region names separated by commas (e.g. us-east-1,eu-west-1)';

function regionsIn(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((region) => region.trim())
        .filter(Boolean),
    ),
  ];
}

function checkRegions(allowEmpty: boolean) {
  return (regions: string[], context: z.RefinementCtx) => {
    const bad = regions.filter((region) => !REGION_PATTERN.test(region));
    if (bad.length === 0 && (allowEmpty || regions.length > 0)) return;
    const named = bad.map((region) => JSON.stringify([...region].slice(0, 40).join(''))).join(', ');
    context.addIssue({
      code: 'custom',
      message: `${REGION_LIST_MESSAGE}${allowEmpty ? ', or empty for all' : ''}${bad.length ? `; not ${named}` : ''}`,
    });
  };
}

/** Region names separated by commas, at least one; duplicates dropped. */
export const regionListSchema = z.string().transform(regionsIn).superRefine(checkRegions(false));

/** Like {@link regionListSchema}, but empty means every enabled region. */
export const optionalRegionListSchema = z.string().transform(regionsIn).superRefine(checkRegions(true));

/** An SNS topic ARN. */
export const topicArnSchema = z
  .string()
  .regex(TOPIC_ARN_PATTERN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)');

/** An S3 bucket name (the artifact bucket). */
export const bucketNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be an S3 bucket name (3 to 63 lower-case letters, digits, dots, hyphens)',
  );

/** An e-mail address, or empty for none. */

export const emailSchema = z
  .string()
  .regex(/^$|^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address (or "" for none)');

/** One of the retention periods CloudWatch Logs accepts. */
export const logRetentionDaysSchema = z
  .string()
  .refine((text) => (RETENTION_DAYS as readonly number[]).includes(Number(text)) && /^\d+$/.test(text), {
    message: `must be one of ${RETENTION_DAYS.join(', ')}`,
  })
  .transform(Number);

/** An AWS Organizations id (`o-` and 10 to 32 letters or digits), or empty outside organisation mode. */
export const organizationIdSchema = z
  .string()
  .regex(/^$|^o-[a-z0-9]{10,32}$/, 'must be an organization id (o-xxxxxxxxxx), or empty');

/** An IAM role name: the responder role each member account holds. */
export const roleNameSchema = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1 to 64 letters, digits and +=,.@_-)');

/** A setting of the stack: its flag on `deploy`, its template parameter, and its function variable. */
export interface StackSetting<T = unknown> {
  flag: string;
  parameter: string;
  /** The environment variable of the function that reads it, if one does. */
  env?: string;
  schema: z.ZodType<T, string>;
  /** The template's default, as text. */
  default: string;
}

/** The settings a deployed stack takes, by name. The template declares each parameter; a test checks. */
export const STACK_SETTINGS = {
  email: { flag: '--email', parameter: 'NotificationEmail', schema: emailSchema, default: '' },
  mode: {
    flag: '--mode',
    parameter: 'ContainmentMode',
    env: 'CONTAINMENT_MODE',
    schema: containmentModeSchema,
    default: 'delete',
  },
  revokeSessions: {
    flag: '--revoke-sessions',
    parameter: 'RevokeSessions',
    env: 'REVOKE_SESSIONS',
    schema: booleanTextSchema,
    default: 'true',
  },
  lookbackHours: {
    flag: '--lookback-hours',
    parameter: 'LookbackHours',
    env: 'LOOKBACK_HOURS',
    schema: lookbackHoursSchema,
    default: String(DEFAULT_LOOKBACK_HOURS),
  },
  regions: {
    flag: '--regions',
    parameter: 'InvestigateRegions',
    env: 'INVESTIGATE_REGIONS',
    schema: optionalRegionListSchema,
    default: '',
  },
  // Organisation mode: `deploy --org` fills it in from Organizations; empty, the stack guards its own account only.
  organizationId: {
    flag: '--org',
    parameter: 'OrganizationId',
    env: 'ORGANIZATION_ID',
    schema: organizationIdSchema,
    default: '',
  },
  responderRoleName: {
    flag: '--role-name',
    parameter: 'ResponderRoleName',
    env: 'RESPONDER_ROLE_NAME',
    schema: roleNameSchema,
    default: DEFAULT_RESPONDER_ROLE_NAME,
  },
  logRetentionDays: {
    flag: '--log-retention-days',
    parameter: 'LogRetentionDays',
    schema: logRetentionDaysSchema,
    default: '30',
  },
} as const satisfies Record<string, StackSetting>;

/** The name of a stack setting. */
export type StackSettingName = keyof typeof STACK_SETTINGS;

/** The first problem zod found with a value, as a phrase ("must be …"). */
export function problemOf(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'is invalid';
}

/**
 * The environment a function would have with these stack parameters: each setting a function reads,
 * under its variable, from the parameter's value (absent: the template's default). `simulate
 * --local` runs the tasks with the deployed stack's settings through it.
 */
export function functionEnvironment(parameters: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of Object.values(STACK_SETTINGS) as StackSetting[])
    if (setting.env) env[setting.env] = parameters[setting.parameter] ?? setting.default;
  return env;
}
