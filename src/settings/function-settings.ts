import * as z from 'zod';
import { ConfigurationError } from '../errors.js';
import type { ContainmentMode } from '../steps/containment/containment-modes.js';
import {
  athenaTableSchema,
  problemOf,
  STACK_SETTINGS,
  type StackSetting,
  topicArnSchema,
  workgroupSchema,
} from './settings.js';

/*
 * Each handler reads its environment once, at cold start, through these functions: a function
 * with a bad setting fails at once with an error that names the variable, rather than on the
 * first incident. A variable that is not set takes the template's default.
 */

type Env = Readonly<Record<string, string | undefined>>;

function read<T>(env: Env, functionName: string, variable: string, schema: z.ZodType<T, string>, fallback?: string): T {
  const value = env[variable] ?? fallback;
  const parsed = schema.safeParse(value ?? '');
  if (value !== undefined && parsed.success) return parsed.data;
  const problem = value === undefined ? 'is required' : parsed.success ? 'is invalid' : problemOf(parsed.error);
  throw new ConfigurationError(
    `The ${functionName} function is misconfigured: ${variable}=${JSON.stringify(env[variable] ?? null)}: ${problem}`,
    { hint: 'Fix the stack parameter behind it and deploy again (`exposed-keys deploy`).' },
  );
}

function setting<T>(env: Env, functionName: string, stackSetting: StackSetting<T>): T {
  return read(env, functionName, stackSetting.env as string, stackSetting.schema, stackSetting.default);
}

/** The stack's schedule group and the role its schedules run as. */
export interface ScheduleConfig {
  groupName: string;
  roleArn: string;
  /** The stack's dead-letter queue, for what a schedule could not start. */
  deadLetterArn?: string;
}

/** Settings of the containment function. */
export interface ContainConfig {
  mode: ContainmentMode;
  revokeSessions: boolean;
  /** The DynamoDB table of incident records (one incident per key); absent: every signal is a first. */
  incidentTable?: string;
  deleteAfterDays: number;
  verifyAfterMinutes: number;
  /** Null when the stack schedules nothing (no deactivate-then-delete, no verification). */
  schedule: ScheduleConfig | null;
}

/** A DynamoDB table name. */
const tableNameSchema = z.string().regex(/^[\w.-]{3,255}$/, 'must be a DynamoDB table name');

const scheduleGroupSchema = z.string().regex(/^[0-9a-zA-Z\-_.]{1,64}$/, 'must be a schedule group name');
const roleArnSchema = z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN');

const queueArnSchema = z
  .string()
  .regex(/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/, 'must be an SQS queue ARN');

/**
 * Reads `SCHEDULE_GROUP` and `SCHEDULER_ROLE_ARN`: both set, or both empty (nothing is scheduled);
 * and `UNDELIVERED_QUEUE_ARN` (optional), where a schedule sends what it could not start.
 */
function readScheduleConfig(env: Env): ScheduleConfig | null {
  if (!env.SCHEDULE_GROUP && !env.SCHEDULER_ROLE_ARN) return null;
  return {
    groupName: read(env, 'containment', 'SCHEDULE_GROUP', scheduleGroupSchema),
    roleArn: read(env, 'containment', 'SCHEDULER_ROLE_ARN', roleArnSchema),
    ...(env.UNDELIVERED_QUEUE_ARN
      ? { deadLetterArn: read(env, 'containment', 'UNDELIVERED_QUEUE_ARN', queueArnSchema) }
      : {}),
  };
}

/**
 * Reads `CONTAINMENT_MODE` (default delete), `REVOKE_SESSIONS` (default true), `DELETE_AFTER_DAYS`
 * (default 7), `VERIFY_AFTER_MINUTES` (default 30), the schedule group and role, and `INCIDENT_TABLE`
 * (optional). Without a
 * group (a local run), deactivate-then-delete still deactivates, and says the deletion is not
 * scheduled.
 */
export function readContainConfig(env: Env): ContainConfig {
  return {
    mode: setting(env, 'containment', STACK_SETTINGS.mode),
    revokeSessions: setting(env, 'containment', STACK_SETTINGS.revokeSessions),
    ...(env.INCIDENT_TABLE ? { incidentTable: read(env, 'containment', 'INCIDENT_TABLE', tableNameSchema) } : {}),
    deleteAfterDays: setting(env, 'containment', STACK_SETTINGS.deleteAfterDays),
    verifyAfterMinutes: setting(env, 'containment', STACK_SETTINGS.verifyAfterMinutes),
    schedule: readScheduleConfig(env),
  };
}

/** Settings of the investigation function. */
export interface InvestigateConfig {
  lookbackHours: number;
  /** Empty: every enabled region. */
  regions: string[];
  /** The Athena table and workgroup the stack created, when it did (`ATHENA_TABLE`, `ATHENA_WORKGROUP`). */
  athena?: { table: { database: string; table: string }; workgroup: string };
}

/**
 * Reads `LOOKBACK_HOURS` (1 to 2160, default 24), `INVESTIGATE_REGIONS` (comma-separated, empty
 * for all), and `ATHENA_TABLE` with `ATHENA_WORKGROUP` (both set, or both empty: LookupEvents).
 */
export function readInvestigateConfig(env: Env): InvestigateConfig {
  const config: InvestigateConfig = {
    lookbackHours: setting(env, 'investigation', STACK_SETTINGS.lookbackHours),
    regions: setting(env, 'investigation', STACK_SETTINGS.regions),
  };
  if (!env.ATHENA_TABLE && !env.ATHENA_WORKGROUP) return config;
  return {
    ...config,
    athena: {
      table: read(env, 'investigation', 'ATHENA_TABLE', athenaTableSchema),
      workgroup: read(env, 'investigation', 'ATHENA_WORKGROUP', workgroupSchema),
    },
  };
}

/** Settings of the notification function. */
export interface NotifyConfig {
  topicArn: string;
  /** The topic chat channel configurations subscribe to. */
  chatTopicArn?: string;
  /** Import a Security Hub finding per incident (default off when not configured, as for a local run). */
  findings?: boolean;
  /** The secret holding an incoming webhook's URL. */
  webhookSecretArn?: string;
}

/** Reads `TOPIC_ARN`, `CHAT_TOPIC_ARN` (optional), `SECURITY_HUB_FINDINGS` (default true) and `WEBHOOK_SECRET_ARN` (optional). */
export function readNotifyConfig(env: Env): NotifyConfig {
  const webhookSecretArn = setting(env, 'notification', STACK_SETTINGS.webhookSecretArn);
  return {
    topicArn: read(env, 'notification', 'TOPIC_ARN', topicArnSchema),
    ...(env.CHAT_TOPIC_ARN ? { chatTopicArn: read(env, 'notification', 'CHAT_TOPIC_ARN', topicArnSchema) } : {}),
    findings: setting(env, 'notification', STACK_SETTINGS.securityHubFindings),
    ...(webhookSecretArn ? { webhookSecretArn } : {}),
  };
}

/** Settings of the function that starts again, and alerts on, what the state machine never received. */
export interface UndeliveredConfig {
  topicArn: string;
  chatTopicArn?: string;
  stateMachineArn: string;
  /** The stack's dead-letter queue, which the function reads. */
  queueUrl: string;
  queueArn: string;
}

const stateMachineArnSchema = z
  .string()
  .regex(/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/, 'must be a state machine ARN');

const queueUrlSchema = z.string().regex(/^https?:\/\/[\w.-]+(:\d+)?\/\d{12}\/[\w-]{1,80}$/, 'must be an SQS queue URL');

/**
 * Reads `TOPIC_ARN` (the e-mail topic), `CHAT_TOPIC_ARN` (optional), `STATE_MACHINE_ARN`, and the
 * dead-letter queue's `QUEUE_URL` and `QUEUE_ARN` (the stack's).
 */
export function readUndeliveredConfig(env: Env): UndeliveredConfig {
  const name = 'dead-letter alert';
  return {
    topicArn: read(env, name, 'TOPIC_ARN', topicArnSchema),
    ...(env.CHAT_TOPIC_ARN ? { chatTopicArn: read(env, name, 'CHAT_TOPIC_ARN', topicArnSchema) } : {}),
    stateMachineArn: read(env, name, 'STATE_MACHINE_ARN', stateMachineArnSchema),
    queueUrl: read(env, name, 'QUEUE_URL', queueUrlSchema),
    queueArn: read(env, name, 'QUEUE_ARN', queueArnSchema),
  };
}

/** Organisation mode, for the containment and investigation functions. */
export interface OrganizationConfig {
  organizationId: string;
  responderRoleName: string;
}

/**
 * Reads `ORGANIZATION_ID` (empty: the stack guards its own account only, and this is null) and
 * `RESPONDER_ROLE_NAME` (default exposed-keys-responder).
 */
export function readOrganizationConfig(env: Env, functionName: string): OrganizationConfig | null {
  const organizationId = setting(env, functionName, STACK_SETTINGS.organizationId);
  if (organizationId === '') return null;
  return { organizationId, responderRoleName: setting(env, functionName, STACK_SETTINGS.responderRoleName) };
}
