import * as z from 'zod';
import {
  displayText,
  eventDate,
  eventEpochMillis,
  eventId,
  eventUserName,
  requireAccessKeyId,
  requireAccount,
  toInvalidEventError,
} from './event-fields.js';
import type { FraudType, Incident } from './incident.js';

/** The EventBridge `source` of Trusted Advisor events. */
export const TRUSTED_ADVISOR_SOURCE = 'aws.trustedadvisor';
/** The EventBridge `detail-type` of a Trusted Advisor check item refresh. */
export const TRUSTED_ADVISOR_DETAIL_TYPE = 'Trusted Advisor Check Item Refresh Notification';
/** The Trusted Advisor check that reports leaked keys. */
export const EXPOSED_KEYS_CHECK_NAME = 'Exposed Access Keys';

/** Only what is needed to act is checked strictly; the rest of the item is read leniently below. */
const trustedAdvisorEvent = z.object({
  id: z.string().min(1),
  source: z.literal(TRUSTED_ADVISOR_SOURCE),
  'detail-type': z.literal(TRUSTED_ADVISOR_DETAIL_TYPE),
  account: z.string(),
  time: z.unknown().optional(),
  detail: z.object({
    'check-name': z.literal(EXPOSED_KEYS_CHECK_NAME),
    // Red (ERROR): exposed or potentially compromised; yellow (WARN): suspected from irregular EC2
    // usage, not found exposed. Both name a key to contain; OK reports none.
    status: z.enum(['ERROR', 'WARN'], { message: 'must be ERROR or WARN (other statuses do not report a key)' }),
    'check-item-detail': z.looseObject({ 'Access Key ID': z.string() }),
  }),
});

const FRAUD_TYPES: readonly FraudType[] = ['Exposed', 'Potentially compromised', 'Suspected'];

/**
 * Reads a Trusted Advisor fraud type. An unknown value becomes null rather than an error: the key
 * is still leaked, and a new wording from AWS must not stop its containment.
 */
function fraudTypeOf(value: unknown): FraudType | null {
  if (typeof value !== 'string' || !value) return null;
  return FRAUD_TYPES.find((known) => known.toLowerCase() === value.trim().toLowerCase()) ?? null;
}

/**
 * Parses a Trusted Advisor "Exposed Access Keys" check item refresh into an {@link Incident}. The
 * key id and the account must be valid; a user name that is not one is left to IAM to tell, and
 * the location, case id and times are made inert and cut, with a note for what could not be read.
 *
 * @throws InvalidEventError naming the field, when the event is not such an item or its key id or
 * account is invalid.
 */
export function parseTrustedAdvisorEvent(event: unknown): Incident {
  // reportInput: an issue then tells a field of the wrong type from a missing one.
  const parsed = trustedAdvisorEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw toInvalidEventError(parsed.error);
  const item = parsed.data.detail['check-item-detail'];
  const base = 'detail.check-item-detail';
  const notes: string[] = [];

  const accessKeyId = requireAccessKeyId(item['Access Key ID'], `${base}.Access Key ID`);
  const accountId = requireAccount(parsed.data.account, 'account');
  const time = eventDate(parsed.data.time, 'time', notes);
  return {
    source: 'trusted-advisor',
    accountId,
    accessKeyId,
    userName: eventUserName(item['User Name (IAM or Root)'], `${base}.User Name (IAM or Root)`, notes),
    location: displayText(item.Location),
    fraudType: fraudTypeOf(item['Fraud Type']),
    caseId: displayText(item['Case ID'], 128),
    detectedAt:
      eventEpochMillis(item['Time Updated'], `${base}.Time Updated`, notes) ?? time ?? new Date().toISOString(),
    eventId: eventId(parsed.data.id),
    ...(notes.length > 0 ? { notes } : {}),
  };
}
