import * as z from 'zod';
import { shownValue } from '../common/untrusted-text.js';
import { InvalidEventError, SeveralKeysError } from '../errors.js';
import { isAccessKeyId } from './access-key-id.js';
import {
  displayText,
  eventDate,
  eventId,
  eventUserName,
  requireAccessKeyId,
  requireAccount,
  toInvalidEventError,
} from './event-fields.js';
import type { FraudType, Incident } from './incident.js';

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

/**
 * Only what is needed to act is checked strictly; the places that may hold the key, and the
 * metadata, are read leniently below: one that is null or of another type holds nothing.
 */
const healthEvent = z.object({
  id: z.string().min(1),
  source: z.literal(HEALTH_SOURCE),
  'detail-type': z.literal(HEALTH_DETAIL_TYPE),
  account: z.string(),
  time: z.unknown().optional(),
  resources: z.unknown().optional(),
  detail: z.looseObject({
    service: z.literal('RISK'),
    eventTypeCode: z.enum(riskCodes),
    eventArn: z.unknown().optional(),
    startTime: z.unknown().optional(),
    affectedAccount: z.unknown().optional(),
    affectedEntities: z.unknown().optional(),
    eventMetadata: z.unknown().optional(),
  }),
});

type HealthEvent = z.infer<typeof healthEvent>;

/** Values that are meant to be access key ids, whether or not they are valid ones. */
const KEY_LIKE = /^\s*(AKIA|ASIA)/i;

/** A list the event gives, or none when it is absent, null or of another type. */
function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The event's metadata, or none when it is absent, null or of another type. */
function metadataOf(event: HealthEvent): Record<string, unknown> {
  return isRecord(event.detail.eventMetadata) ? event.detail.eventMetadata : {};
}

/** Notes for the places that may hold the key, or the metadata, given but of another type (read as holding nothing). */
function oddContainers(event: HealthEvent, notes: string[]): void {
  const given = (value: unknown) => value !== undefined && value !== null;
  const odd: [string, boolean][] = [
    ['resources', given(event.resources) && !Array.isArray(event.resources)],
    ['detail.affectedEntities', given(event.detail.affectedEntities) && !Array.isArray(event.detail.affectedEntities)],
    ['detail.eventMetadata', given(event.detail.eventMetadata) && !isRecord(event.detail.eventMetadata)],
  ];
  for (const [field, isOdd] of odd)
    if (isOdd) notes.push(`${field} is of another type than AWS gives, and was left out.`);
}

/** Each place a Health event may carry the key id, with the field name used in errors. */
function keyCandidates(event: HealthEvent): { value: string; field: string }[] {
  const candidates: { value: unknown; field: string }[] = [];
  candidates.push({ value: metadataOf(event).publicKey, field: 'detail.eventMetadata.publicKey' });
  listOf(event.detail.affectedEntities).forEach((entity, index) => {
    const value =
      typeof entity === 'object' && entity !== null ? (entity as { entityValue?: unknown }).entityValue : entity;
    candidates.push({ value, field: `detail.affectedEntities.${index}.entityValue` });
  });
  listOf(event.resources).forEach((value, index) => {
    candidates.push({ value, field: `resources.${index}` });
  });
  return candidates.filter(
    (candidate): candidate is { value: string; field: string } =>
      typeof candidate.value === 'string' && KEY_LIKE.test(candidate.value),
  );
}

/**
 * The one key the event names. A value that looks like a key but is not a valid id (masked,
 * `Asia-ops`) is left out with a note when a valid key is named elsewhere in the event; when none
 * is, the event is refused with why the first such value is not a key id.
 */
function singleAccessKeyId(event: HealthEvent, notes: string[]): string {
  const keys = new Set<string>();
  const invalid: { value: string; field: string; error: unknown }[] = [];
  for (const { value, field } of keyCandidates(event)) {
    try {
      keys.add(requireAccessKeyId(value, field));
    } catch (error) {
      invalid.push({ value, field, error });
    }
  }
  if (keys.size === 0 && invalid[0]) throw invalid[0].error;
  if (keys.size === 0)
    throw new InvalidEventError('detail.affectedEntities', 'names no access key id (AKIA… or ASIA…)');
  // A value that is another key but for its case names a second key, not a masked copy of the first.
  for (const { value } of invalid) {
    const upper = value.trim().toUpperCase();
    if (isAccessKeyId(upper) && !keys.has(upper)) keys.add(upper);
  }
  if (keys.size > 1) throw new SeveralKeysError('detail.affectedEntities', [...keys].sort());
  for (const { value, field } of invalid)
    notes.push(
      `${field} (${shownValue(value, 40)}) is not an access key id and was left out; the event's key is the one named elsewhere.`,
    );
  return [...keys][0] as string;
}

/**
 * The account the key belongs to. An event of the organisational view is delivered to the
 * management (or delegated administrator) account and names the key's account in
 * `detail.affectedAccount`; the top-level `account` is then only the receiver. A value there that
 * is not an account id (published samples hold the key id) is not used.
 */
function keyAccount(event: HealthEvent, notes: string[]): { accountId: string; receivedBy?: string } {
  const given = event.detail.affectedAccount;
  // AWS sends a string; an account id given as a JSON number has lost its leading zeros, which come back.
  const asNumber = typeof given === 'number' && Number.isSafeInteger(given) && given >= 0 && given < 1e12;
  const affected = typeof given === 'string' ? given.trim() : asNumber ? String(given).padStart(12, '0') : given;
  if (typeof affected === 'string' && /^\d{12}$/.test(affected)) {
    if (affected === event.account) return { accountId: affected };
    // The receiver is only shown: a value there that is not an account id is left out.
    if (!/^\d{12}$/.test(event.account)) {
      notes.push(
        `account (the receiver) is not an account id (${shownValue(event.account, 40)}); the key's account is detail.affectedAccount.`,
      );
      return { accountId: affected };
    }
    return { accountId: affected, receivedBy: event.account };
  }
  const accountId = requireAccount(event.account, 'account');
  if (affected !== undefined && affected !== null && affected !== accountId)
    notes.push(
      `detail.affectedAccount is not an account id (${shownValue(JSON.stringify(affected) ?? '', 40)}): the key is taken to be of the receiving account ${accountId}; check it.`,
    );
  return { accountId };
}

/**
 * Parses an AWS Health `RISK` event (any of {@link HEALTH_RISK_CODES}) into an {@link Incident}:
 * the key from `eventMetadata.publicKey`, the affected entities or the resources; the user and
 * where the key was found from `eventMetadata` (`userName`, `exposedUrl`); the account from
 * `detail.affectedAccount` when the organisational view delivered it.
 *
 * @throws SeveralKeysError when the event names more than one key (each is named).
 * @throws InvalidEventError naming the field, when the key id or the account is missing or invalid.
 */
export function parseHealthEvent(event: unknown): Incident {
  // reportInput: an issue then tells a field of the wrong type from a missing one.
  const parsed = healthEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw toInvalidEventError(parsed.error);
  const { detail } = parsed.data;
  const metadata = metadataOf(parsed.data);
  const notes: string[] = [];
  oddContainers(parsed.data, notes);
  const accessKeyId = singleAccessKeyId(parsed.data, notes);
  const account = keyAccount(parsed.data, notes);
  const time = eventDate(parsed.data.time, 'time', notes);
  return {
    source: 'health',
    ...account,
    accessKeyId,
    userName: eventUserName(metadata.userName, 'detail.eventMetadata.userName', notes),
    location: displayText(metadata.exposedUrl) ?? displayText(metadata.location),
    fraudType: HEALTH_RISK_CODES[detail.eventTypeCode],
    caseId: displayText(detail.eventArn, 512),
    detectedAt: eventDate(detail.startTime, 'detail.startTime', notes) ?? time ?? new Date().toISOString(),
    eventId: eventId(parsed.data.id),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The account of the keys of an event that could not be read whole, as its fields say, unchecked:
 * `detail.affectedAccount` when the organisational view of AWS Health names an account there that
 * is not the receiver's (`receivedBy`, the top-level `account`), else the top-level `account`.
 */
export function unreadKeyAccount(event: unknown): { account: unknown; receivedBy?: unknown } {
  const fields = isRecord(event) ? event : {};
  const detail = isRecord(fields.detail) ? fields.detail : {};
  const affected = detail.affectedAccount;
  const trimmed = typeof affected === 'string' ? affected.trim() : affected;
  if (typeof trimmed !== 'string' || !/^\d{12}$/.test(trimmed) || trimmed === fields.account)
    return { account: fields.account };
  return { account: trimmed, receivedBy: fields.account };
}
