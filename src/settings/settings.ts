import * as z from 'zod';
import { REGION_PATTERN, TOPIC_ARN_PATTERN } from '../aws/aws-names.js';
import {
  DEFAULT_DELETE_AFTER_DAYS,
  DEFAULT_LOOKBACK_HOURS,
  DEFAULT_RESPONDER_ROLE_NAME,
  DEFAULT_VERIFY_AFTER_MINUTES,
  MAX_DELETE_AFTER_DAYS,
  MAX_LOOKBACK_HOURS,
  MAX_VERIFY_AFTER_MINUTES,
} from '../constants.js';
import { CONTAINMENT_MODES } from '../steps/containment/containment-modes.js';

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

/** `delete`, `deactivate`, `deactivate-then-delete` or `notify-only`. */
export const containmentModeSchema = z.enum(CONTAINMENT_MODES, {
  message: `must be one of ${CONTAINMENT_MODES.join(', ')}`,
});

/** Hours of history to investigate: 1 to the 90 days LookupEvents keeps. */
export const lookbackHoursSchema = wholeNumber(
  1,
  MAX_LOOKBACK_HOURS,
  `must be a whole number from 1 to ${MAX_LOOKBACK_HOURS} (90 days)`,
);

/** Days a deactivated key waits before its scheduled deletion: 1 to 365. */
export const deleteAfterDaysSchema = wholeNumber(
  1,
  MAX_DELETE_AFTER_DAYS,
  `must be a whole number of days from 1 to ${MAX_DELETE_AFTER_DAYS}`,
);

/** Minutes after containment when the verification runs: 0 (none) to 7 days. */
export const verifyAfterMinutesSchema = wholeNumber(
  0,
  MAX_VERIFY_AFTER_MINUTES,
  `must be a whole number of minutes from 0 (no verification) to ${MAX_VERIFY_AFTER_MINUTES} (7 days)`,
);

/** `true` or `false`. */
export const booleanTextSchema = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .transform((value) => value === 'true');

const REGION_LIST_MESSAGE = 'must be region names separated by commas (e.g. us-east-1,eu-west-1)';

/** The entries of a comma-separated list, trimmed, empty ones and duplicates dropped. */
function listIn(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  ];
}

/** At least one entry, each matching `pattern`, separated by commas; duplicates dropped. */
function listOf(pattern: RegExp, message: string) {
  return z
    .string()
    .transform(listIn)
    .refine((entries) => entries.length > 0 && entries.every((entry) => pattern.test(entry)), message);
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
export const regionListSchema = z.string().transform(listIn).superRefine(checkRegions(false));

/** Like {@link regionListSchema}, but empty means every enabled region. */
export const optionalRegionListSchema = z.string().transform(listIn).superRefine(checkRegions(true));

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

/** An e-mail address, or empty for none; a control character in it SNS would refuse only mid-deploy. */
export const emailSchema = z
  .string()
  .regex(/^$|^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u, 'must be an e-mail address (or "" for none)');

/** One of the retention periods CloudWatch Logs accepts. */
export const logRetentionDaysSchema = z
  .string()
  .refine((text) => (RETENTION_DAYS as readonly number[]).includes(Number(text)) && /^\d+$/.test(text), {
    message: `must be one of ${RETENTION_DAYS.join(', ')}`,
  })
  .transform(Number);

/** A trail's S3 bucket for the Athena table, or empty for none (the investigation then uses LookupEvents). */
export const trailBucketSchema = z
  .string()
  .regex(
    /^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be the S3 bucket name of the CloudTrail trail (3 to 63 lower-case letters, digits, dots, hyphens), or "" for none',
  );

/** An AWS Organizations id (`o-…`), or empty for a trail of one account. */
export const organizationIdSchema = z
  .string()
  .regex(/^$|^o-[a-z0-9]{10,32}$/, 'must be an organization id (o- and 10 to 32 lower-case letters or digits), or ""');

/** The KMS key of a trail's log files (SSE-KMS), in any region, or empty for a trail S3 encrypts itself. */
export const trailKmsKeyArnSchema = z
  .string()
  .regex(
    /^$|^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    'must be the ARN of the KMS key that encrypts the trail\'s log files (arn:aws:kms:<region>:<account>:key/<id>), or "" for none',
  );

/** `database.table` of a Glue table, read in lower case as Glue keeps names. */
export const athenaTableSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_]{1,255}\.[A-Za-z0-9_]{1,255}$/,
    'must be DATABASE.TABLE, each of letters, digits and underscores',
  )
  .transform((text) => {
    const [database = '', table = ''] = text.toLowerCase().split('.');
    return { database, table };
  });

/** An Athena workgroup name. */
export const workgroupSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a workgroup name (1 to 128 letters, digits, dots, hyphens, underscores)');

/** Where Athena writes query results: `s3://bucket/prefix/`. */
export const s3OutputSchema = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be an S3 location, s3://bucket/prefix/');

/** Account ids separated by commas, at least one; duplicates dropped. */
export const accountListSchema = listOf(/^\d{12}$/, 'must be 12-digit account ids separated by commas');
/** A Secrets Manager secret ARN, or empty for none: where an incoming webhook's URL is kept. */
export const secretArnSchema = z
  .string()
  .regex(
    /^$|^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/,
    'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), or "" for none',
  );

/** An id checked by `pattern`, or empty for none (the chat channel ids). */
function optionalId(pattern: RegExp, what: string) {
  return z.string().refine((text) => text === '' || pattern.test(text), { message: `must be ${what}, or "" for none` });
}

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/**
 * A customer-managed KMS key for the topic and the log groups: empty for the AWS-managed keys,
 * `create` for a key of the stack's own, or a key ARN in us-east-1 (where the stack lives).
 */
export const kmsKeySchema = z
  .string()
  .regex(
    /^$|^create$|^arn:aws:kms:us-east-1:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    'must be "create", the ARN of a KMS key in us-east-1, or "" for the AWS-managed keys',
  );

/** An AWS Signer profile ARN (with or without its version) in us-east-1, or empty for no code signing. */
export const signingProfileArnSchema = z
  .string()
  .regex(
    /^$|^arn:aws:signer:us-east-1:\d{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,64}(\/[a-zA-Z0-9]{10})?$/,
    'must be the ARN of an AWS Signer profile in us-east-1 (arn:aws:signer:us-east-1:<account>:/signing-profiles/<name>), or "" for none',
  );

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/*-]+$/;

/** A role's path and name, a `*` allowed only at the end of a name that has a start of its own. */
const NAMED_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+\*?$/;

/**
 * Role ARNs separated by commas; duplicates dropped. A name may end in `*` (as IAM's ArnLike
 * reads it), for the role of an IAM Identity Center permission set, whose name ends in a suffix
 * of its own; a `*` anywhere else (`role/*`, `role/<path>/*`) would let every role of the account,
 * or of a path, act in every member as the responder.
 */
export const operatorRoleArnsSchema = z
  .string()
  .transform(listIn)
  .superRefine((arns, context) => {
    if (arns.length === 0 || !arns.every((arn) => ROLE_ARN.test(arn))) {
      context.addIssue({
        code: 'custom',
        message: 'must be IAM role ARNs (arn:aws:iam::<account>:role/<path and name>) separated by commas',
      });
      return;
    }
    const wide = arns.filter((arn) => !NAMED_ROLE_ARN.test(arn));
    if (wide.length === 0) return;
    context.addIssue({
      code: 'custom',
      message: `may hold a * only at the end of a role's name, after its start (arn:aws:iam::<hub>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*), since a wider one lets any role it matches act in every member; not ${wide.map((arn) => JSON.stringify(arn)).join(', ')}: give each role's ARN, or the start of its name followed by *`,
    });
  });

/** An IAM role name: the responder role each member account holds. */
export const roleNameSchema = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1 to 64 letters, digits and +=,.@_-)');

/** A stack name CloudFormation takes: a letter, then letters, digits and hyphens, 128 characters at most. */
export const stackNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a stack name starts with a letter and holds only letters, digits and hyphens')
  .max(128, 'a stack name is at most 128 characters');

/** The longest name of a stack deploy makes: its schedule group is named after it, and Scheduler's names stop at 64. */
export const MAX_NEW_STACK_NAME = 64;

/** A setting of the stack: its flag on `deploy`, its template parameter, and its function variable. */
export interface StackSetting<T = unknown> {
  flag: string;
  /** The flag's value, as `--help` names it (`<address>`). */
  value: string;
  /** What the flag does, for `--help`. */
  help: string;
  parameter: string;
  /** The environment variable of the function that reads it, if one does. */
  env?: string;
  schema: z.ZodType<T, string>;
  /** The template's default, as text. */
  default: string;
  /** Set by `deploy --org` itself, from its own flags and Organizations, rather than by a flag of its own. */
  setByDeploy?: true;
}

/** The settings a deployed stack takes, by name. The template declares each parameter; a test checks. */
export const STACK_SETTINGS = {
  email: {
    flag: '--email',
    value: '<address>',
    help: 'subscribe this e-mail address to the notifications ("" for none)',
    parameter: 'NotificationEmail',
    schema: emailSchema,
    default: '',
  },
  mode: {
    flag: '--mode',
    value: '<mode>',
    help: 'containment mode: delete | deactivate | deactivate-then-delete | notify-only',
    parameter: 'ContainmentMode',
    env: 'CONTAINMENT_MODE',
    schema: containmentModeSchema,
    default: 'delete',
  },
  deleteAfterDays: {
    flag: '--delete-after-days',
    value: '<n>',
    help: 'with deactivate-then-delete: days before the deletion (1-365)',
    parameter: 'DeleteAfterDays',
    env: 'DELETE_AFTER_DAYS',
    schema: deleteAfterDaysSchema,
    default: String(DEFAULT_DELETE_AFTER_DAYS),
  },
  verifyAfterMinutes: {
    flag: '--verify-after-minutes',
    value: '<n>',
    help: 'minutes after containment to check the key went quiet (0: never)',
    parameter: 'VerifyAfterMinutes',
    env: 'VERIFY_AFTER_MINUTES',
    schema: verifyAfterMinutesSchema,
    default: String(DEFAULT_VERIFY_AFTER_MINUTES),
  },
  lookbackHours: {
    flag: '--lookback-hours',
    value: '<n>',
    help: 'hours of CloudTrail activity to investigate (1-2160)',
    parameter: 'LookbackHours',
    env: 'LOOKBACK_HOURS',
    schema: lookbackHoursSchema,
    default: String(DEFAULT_LOOKBACK_HOURS),
  },
  regions: {
    flag: '--regions',
    value: '<list>',
    help: 'regions to investigate, comma-separated (us-east-1, where IAM and STS calls are recorded, is searched too), or "all" for every enabled region',
    parameter: 'InvestigateRegions',
    env: 'INVESTIGATE_REGIONS',
    schema: optionalRegionListSchema,
    default: '',
  },
  revokeSessions: {
    flag: '--revoke-sessions',
    value: '<bool>',
    help: 'deny sessions minted before containment: true | false',
    parameter: 'RevokeSessions',
    env: 'REVOKE_SESSIONS',
    schema: booleanTextSchema,
    default: 'true',
  },
  // Organisation mode: `deploy --org` fills both in itself (the id from Organizations, the role from
  // its --role-name); empty, the stack guards its own account only.
  organizationId: {
    flag: '--org',
    value: '',
    help: 'the organisation this stack is the hub of (set by deploy --org)',
    parameter: 'OrganizationId',
    env: 'ORGANIZATION_ID',
    schema: organizationIdSchema,
    default: '',
    setByDeploy: true,
  },
  responderRoleName: {
    flag: '--role-name',
    value: '<name>',
    help: 'the responder role in each member account (set by deploy --org)',
    parameter: 'ResponderRoleName',
    env: 'RESPONDER_ROLE_NAME',
    schema: roleNameSchema,
    default: DEFAULT_RESPONDER_ROLE_NAME,
    setByDeploy: true,
  },
  logRetentionDays: {
    flag: '--log-retention-days',
    value: '<n>',
    help: 'days to keep the logs of the functions and the state machine',
    parameter: 'LogRetentionDays',
    schema: logRetentionDaysSchema,
    default: '30',
  },
  trailBucket: {
    flag: '--trail-bucket',
    value: '<name>',
    help: 'the CloudTrail bucket to investigate with Athena ("" for none: LookupEvents)',
    parameter: 'TrailBucket',
    schema: trailBucketSchema,
    default: '',
  },
  trailOrgId: {
    flag: '--trail-org-id',
    value: '<id>',
    help: 'the organisation id of an organisation trail (logs under AWSLogs/<org-id>/); deploy --org --trail-bucket fills it in',
    parameter: 'TrailOrganizationId',
    schema: organizationIdSchema,
    default: '',
  },
  trailKmsKey: {
    flag: '--trail-kms-key',
    value: '<arn>',
    help: "with --trail-bucket: the KMS key that encrypts the trail's log files, which the investigation may then decrypt",
    parameter: 'TrailKmsKeyArn',
    schema: trailKmsKeyArnSchema,
    default: '',
  },
  securityHubFindings: {
    flag: '--security-hub-findings',
    value: '<bool>',
    help: 'import a Security Hub finding per exposed key: true | false',
    parameter: 'SecurityHubFindings',
    env: 'SECURITY_HUB_FINDINGS',
    schema: booleanTextSchema,
    default: 'true',
  },
  webhookSecretArn: {
    flag: '--webhook-secret-arn',
    value: '<arn>',
    help: 'Secrets Manager secret holding an incoming webhook URL to post to ("" for none)',
    parameter: 'WebhookSecretArn',
    env: 'WEBHOOK_SECRET_ARN',
    schema: secretArnSchema,
    default: '',
  },
  slackWorkspaceId: {
    flag: '--slack-workspace-id',
    value: '<id>',
    help: 'Slack workspace id (authorised once in the Amazon Q Developer console) for a chat channel',
    parameter: 'SlackWorkspaceId',
    schema: optionalId(/^[0-9A-Z]{1,255}$/, 'a Slack workspace id (upper-case letters and digits)'),
    default: '',
  },
  slackChannelId: {
    flag: '--slack-channel-id',
    value: '<id>',
    help: 'Slack channel id (e.g. C0123ABCD) that receives the chat notifications',
    parameter: 'SlackChannelId',
    schema: optionalId(/^[A-Za-z0-9]{1,255}$/, 'a Slack channel id (letters and digits)'),
    default: '',
  },
  teamsTeamId: {
    flag: '--teams-team-id',
    value: '<guid>',
    help: 'Microsoft Teams team id (a GUID) for a chat channel',
    parameter: 'TeamsTeamId',
    schema: optionalId(GUID, 'a Microsoft Teams team id (a GUID)'),
    default: '',
  },
  teamsTenantId: {
    flag: '--teams-tenant-id',
    value: '<guid>',
    help: 'Microsoft Teams tenant id (a GUID)',
    parameter: 'TeamsTenantId',
    schema: optionalId(GUID, 'a Microsoft Teams tenant id (a GUID)'),
    default: '',
  },
  teamsChannelId: {
    flag: '--teams-channel-id',
    value: '<id>',
    help: 'Microsoft Teams channel id, URL-encoded (19%3A…%40thread.tacv2)',
    parameter: 'TeamsChannelId',
    schema: optionalId(/^[\w=+/.,-]*%3[aA][\w=+/.,-]*%40[\w=+/.,-]*$/, 'a URL-encoded Microsoft Teams channel id'),
    default: '',
  },
  kmsKey: {
    flag: '--kms-key',
    value: '<arn|create>',
    help: 'customer-managed KMS key for the topic and the logs: a key ARN, "create", or "" for AWS-managed keys',
    parameter: 'KmsKey',
    schema: kmsKeySchema,
    default: '',
  },
  codeSigningProfile: {
    flag: '--code-signing-profile',
    value: '<arn>',
    help: 'AWS Signer profile whose signature Lambda requires on the code ("" for none)',
    parameter: 'CodeSigningProfileArn',
    schema: signingProfileArnSchema,
    default: '',
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
