import { z } from 'zod';
import { InvalidEventError } from '../errors.js';
import {
  optionalLocation,
  requireAccessKeyId,
  requireDate,
  requireEpochMillis,
  toInvalidEventError,
} from './event-fields.js';
import type { FraudType, Incident } from './incident.js';
import { userNameProblem } from './user-name.js';

/** The EventBridge `source` of Trusted Advisor events. */
export const TRUSTED_ADVISOR_SOURCE = 'aws.trustedadvisor';
/** The EventBridge `detail-type` of a Trusted Advisor check item refresh. */
export const TRUSTED_ADVISOR_DETAIL_TYPE = 'Trusted Advisor Check Item Refresh Notification';
/** The Trusted Advisor check that reports leaked keys. */
export const EXPOSED_KEYS_CHECK_NAME = 'Exposed Access Keys';

const optionalText = z.string().nullish();

const trustedAdvisorEvent = z.object({
  id: z.string().min(1),
  source: z.literal(TRUSTED_ADVISOR_SOURCE),
  'detail-type': z.literal(TRUSTED_ADVISOR_DETAIL_TYPE),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  time: z.string(),
  detail: z.object({
    'check-name': z.literal(EXPOSED_KEYS_CHECK_NAME),
    status: z.literal('ERROR', { message: 'must be ERROR (other statuses do not report an exposed key)' }),
    'check-item-detail': z.object({
      'Access Key ID': z.string(),
      'User Name (IAM or Root)': optionalText,
      Location: optionalText,
      'Fraud Type': optionalText,
      'Case ID': optionalText,
      'Time Updated': optionalText,
    }),
  }),
});

const FRAUD_TYPES: readonly FraudType[] = ['Exposed', 'Potentially compromised', 'Suspected'];

/**
 * Reads a Trusted Advisor fraud type. An unknown value becomes null rather than an error: the key
 * is still leaked, and a new wording from AWS must not stop its containment.
 */
function fraudTypeOf(value: string | null | undefined): FraudType | null {
  if (!value) return null;
  return FRAUD_TYPES.find((known) => known.toLowerCase() === value.trim().toLowerCase()) ?? null;
}

/** Parses a Trusted Advisor "Exposed Access Keys" check item refresh into an {@link Incident}. */
export function parseTrustedAdvisorEvent(event: unknown): Incident {
  // reportInput: an issue then tells a field of the wrong type from a missing one.
  const parsed = trustedAdvisorEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw toInvalidEventError(parsed.error);
  const { detail } = parsed.data;
  const item = detail['check-item-detail'];
  const base = 'detail.check-item-detail';

  const accessKeyId = requireAccessKeyId(item['Access Key ID'], `${base}.Access Key ID`);
  const rawUser = item['User Name (IAM or Root)']?.trim() || null;
  if (rawUser !== null) {
    const problem = userNameProblem(rawUser);
    if (problem) throw new InvalidEventError(`${base}.User Name (IAM or Root)`, problem);
  }
  const caseId = item['Case ID']?.trim() || null;
  if (caseId !== null && !/^[\w:/.-]{1,128}$/.test(caseId))
    throw new InvalidEventError(`${base}.Case ID`, 'is not a case id (letters, digits and -_:/. only)');

  const time = requireDate(parsed.data.time, 'time');
  const updated = item['Time Updated']?.trim();
  return {
    source: 'trusted-advisor',
    accountId: parsed.data.account,
    accessKeyId,
    userName: rawUser,
    location: optionalLocation(item.Location, `${base}.Location`),
    fraudType: fraudTypeOf(item['Fraud Type']),
    caseId,
    detectedAt: updated ? requireEpochMillis(updated, `${base}.Time Updated`) : time,
    eventId: parsed.data.id,
  };
}
