import type { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import type { ContainmentMode } from '../steps/contain.js';
import { problemOf, STACK_SETTINGS, type StackSetting, topicArnSchema } from './settings.js';

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

/** Settings of the containment function. */
export interface ContainConfig {
  mode: ContainmentMode;
  revokeSessions: boolean;
}

/** Reads `CONTAINMENT_MODE` (default delete) and `REVOKE_SESSIONS` (default true). */
export function readContainConfig(env: Env): ContainConfig {
  return {
    mode: setting(env, 'containment', STACK_SETTINGS.mode),
    revokeSessions: setting(env, 'containment', STACK_SETTINGS.revokeSessions),
  };
}

/** Settings of the investigation function. */
export interface InvestigateConfig {
  lookbackHours: number;
  /** Empty: every enabled region. */
  regions: string[];
}

/** Reads `LOOKBACK_HOURS` (1 to 2160, default 24) and `INVESTIGATE_REGIONS` (comma-separated, empty for all). */
export function readInvestigateConfig(env: Env): InvestigateConfig {
  return {
    lookbackHours: setting(env, 'investigation', STACK_SETTINGS.lookbackHours),
    regions: setting(env, 'investigation', STACK_SETTINGS.regions),
  };
}

/** Settings of the notification function. */
export interface NotifyConfig {
  topicArn: string;
}

/** Reads `TOPIC_ARN`. */
export function readNotifyConfig(env: Env): NotifyConfig {
  return { topicArn: read(env, 'notification', 'TOPIC_ARN', topicArnSchema) };
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
