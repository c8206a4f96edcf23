import { z } from 'zod';
import { REGION_PATTERN, TOPIC_ARN_PATTERN } from '../aws/aws-names.js';
import { ConfigurationError } from '../errors.js';
import { CONTAINMENT_MODES, type ContainmentMode } from '../steps/contain.js';

/*
 * Each handler reads its environment once, at cold start, through these functions: a function
 * with a bad setting fails at once with an error that names the variable, rather than on the
 * first incident.
 */

type Env = Record<string, string | undefined>;

function parse<T>(schema: z.ZodType<T>, env: Env, functionName: string): T {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = issue?.path.join('.') ?? '(environment)';
  throw new ConfigurationError(
    `The ${functionName} function is misconfigured: ${variable}=${JSON.stringify(env[variable] ?? null)}: ${issue?.message ?? 'invalid'}`,
    { hint: 'Fix the stack parameter behind it and deploy again (`exposed-keys deploy`).' },
  );
}

const booleanText = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .default('true')
  .transform((value) => value === 'true');

/** Settings of the containment function. */
export interface ContainConfig {
  mode: ContainmentMode;
  revokeSessions: boolean;
}

/** Reads `CONTAINMENT_MODE` (default delete) and `REVOKE_SESSIONS` (default true). */
export function readContainConfig(env: Env): ContainConfig {
  const schema = z.object({
    CONTAINMENT_MODE: z
      .enum(CONTAINMENT_MODES as [ContainmentMode, ...ContainmentMode[]], {
        message: `must be one of ${CONTAINMENT_MODES.join(', ')}`,
      })
      .default('delete'),
    REVOKE_SESSIONS: booleanText,
  });
  const parsed = parse(schema, env, 'containment');
  return { mode: parsed.CONTAINMENT_MODE, revokeSessions: parsed.REVOKE_SESSIONS };
}

/** Settings of the investigation function. */
export interface InvestigateConfig {
  lookbackHours: number;
  /** Empty: every enabled region. */
  regions: string[];
}

/** Reads `LOOKBACK_HOURS` (1 to 2160, default 24) and `INVESTIGATE_REGIONS` (comma-separated, empty for all). */
export function readInvestigateConfig(env: Env): InvestigateConfig {
  const schema = z.object({
    LOOKBACK_HOURS: z.coerce
      .number({ message: 'must be a number of hours' })
      .int('must be a whole number of hours')
      .min(1, 'must be at least 1')
      .max(2160, 'must be at most 2160 (the 90 days LookupEvents covers)')
      .default(24),
    INVESTIGATE_REGIONS: z
      .string()
      .default('')
      .transform((text) =>
        text
          .split(',')
          .map((region) => region.trim())
          .filter(Boolean),
      )
      .refine((regions) => regions.every((region) => REGION_PATTERN.test(region)), {
        message: 'must be region names separated by commas (e.g. us-east-1,eu-west-1), or empty for all',
      }),
  });
  const parsed = parse(schema, env, 'investigation');
  return { lookbackHours: parsed.LOOKBACK_HOURS, regions: parsed.INVESTIGATE_REGIONS };
}

/** Settings of the notification function. */
export interface NotifyConfig {
  topicArn: string;
}

/** Reads `TOPIC_ARN`. */
export function readNotifyConfig(env: Env): NotifyConfig {
  const schema = z.object({
    TOPIC_ARN: z.string({ message: 'is required' }).regex(TOPIC_ARN_PATTERN, 'must be an SNS topic ARN'),
  });
  return { topicArn: parse(schema, env, 'notification').TOPIC_ARN };
}
