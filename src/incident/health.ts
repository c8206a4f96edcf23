import { z } from 'zod';
import { InvalidEventError } from '../errors.js';
import { optionalLocation, requireAccessKeyId, requireDate, toInvalidEventError } from './event-fields.js';
import type { FraudType, Incident } from './incident.js';
import { userNameProblem } from './user-name.js';

/** The EventBridge `source` of AWS Health events. */
export const HEALTH_SOURCE = 'aws.health';
/** The EventBridge `detail-type` of AWS Health events. */
export const HEALTH_DETAIL_TYPE = 'AWS Health Event';

/** The AWS Health event codes that report a leaked or quarantined key, with how sure AWS is. */
export const HEALTH_RISK_CODES = {
  AWS_RISK_CREDENTIALS_EXPOSED: 'Exposed',
  AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED: 'Suspected',
  AWS_RISK_CREDENTIALS_COMPROMISED: 'Potentially compromised',
  AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED: 'Suspected',
  AWS_RISK_IAM_QUARANTINE: 'Exposed',
} as const satisfies Record<string, FraudType>;

/** One of the AWS Health codes in {@link HEALTH_RISK_CODES}. */
export type HealthRiskCode = keyof typeof HEALTH_RISK_CODES;

const riskCodes = Object.keys(HEALTH_RISK_CODES) as [HealthRiskCode, ...HealthRiskCode[]];

const healthEvent = z.object({
  id: z.string().min(1),
  source: z.literal(HEALTH_SOURCE),
  'detail-type': z.literal(HEALTH_DETAIL_TYPE),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  time: z.string(),
  resources: z.array(z.string()).optional(),
  detail: z.object({
    service: z.literal('RISK'),
    eventTypeCode: z.enum(riskCodes),
    eventArn: z.string().max(512).optional(),
    startTime: z.string().optional(),
    affectedEntities: z.array(z.object({ entityValue: z.string() })).optional(),
    eventMetadata: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** Values that are meant to be access key ids, whether or not they are valid ones. */
const KEY_LIKE = /^\s*(AKIA|ASIA)/i;

/** Each place a Health event may carry the key id, with the field name used in errors. */
function keyCandidates(event: z.infer<typeof healthEvent>): { value: string; field: string }[] {
  const candidates: { value: string; field: string }[] = [];
  event.detail.affectedEntities?.forEach((entity, index) => {
    candidates.push({ value: entity.entityValue, field: `detail.affectedEntities.${index}.entityValue` });
  });
  const publicKey = event.detail.eventMetadata?.publicKey;
  if (typeof publicKey === 'string') candidates.push({ value: publicKey, field: 'detail.eventMetadata.publicKey' });
  event.resources?.forEach((value, index) => {
    candidates.push({ value, field: `resources.${index}` });
  });
  return candidates.filter((candidate) => KEY_LIKE.test(candidate.value));
}

function singleAccessKeyId(event: z.infer<typeof healthEvent>): string {
  const keys = new Set(keyCandidates(event).map(({ value, field }) => requireAccessKeyId(value, field)));
  if (keys.size === 0)
    throw new InvalidEventError('detail.affectedEntities', 'names no access key id (AKIA… or ASIA…)');
  if (keys.size > 1)
    throw new InvalidEventError(
      'detail.affectedEntities',
      `names ${keys.size} different access keys (${[...keys].join(', ')}); respond to each with \`exposed-keys respond --key\``,
    );
  return [...keys][0] as string;
}

function optionalMetadataString(metadata: Record<string, unknown> | undefined, name: string): string | null {
  const value = metadata?.[name];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new InvalidEventError(`detail.eventMetadata.${name}`, 'must be a string');
  return value;
}

/** Parses an AWS Health `RISK` event (any of {@link HEALTH_RISK_CODES}) into an {@link Incident}. */
export function parseHealthEvent(event: unknown): Incident {
  // reportInput: an issue then tells a field of the wrong type from a missing one.
  const parsed = healthEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw toInvalidEventError(parsed.error);
  const { detail } = parsed.data;
  const accessKeyId = singleAccessKeyId(parsed.data);

  const userName = optionalMetadataString(detail.eventMetadata, 'userName')?.trim() || null;
  if (userName !== null) {
    const problem = userNameProblem(userName);
    if (problem) throw new InvalidEventError('detail.eventMetadata.userName', problem);
  }
  const time = requireDate(parsed.data.time, 'time');
  return {
    source: 'health',
    accountId: parsed.data.account,
    accessKeyId,
    userName,
    location: optionalLocation(
      optionalMetadataString(detail.eventMetadata, 'location'),
      'detail.eventMetadata.location',
    ),
    fraudType: HEALTH_RISK_CODES[detail.eventTypeCode],
    caseId: detail.eventArn?.trim() || null,
    detectedAt: detail.startTime ? requireDate(detail.startTime, 'detail.startTime') : time,
    eventId: parsed.data.id,
  };
}
