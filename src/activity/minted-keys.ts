import { compareText } from '../common/compare-text.js';
import type { SessionKeyMinted } from './activity-summary.js';

/**
 * What the record of a minting call says of the key it minted, each text as the summarizer and
 * the Athena query both read it: a non-empty JSON string, else null.
 */
export interface MintFacts {
  accessKeyId: string;
  eventName: string;
  timeMs: number;
  /** `responseElements.credentials.expiration`, as CloudTrail writes it. */
  expiration: string | null;
  /** `responseElements.assumedRoleUser.arn` (AssumeRole). */
  assumedRoleArn: string | null;
  /** `requestParameters.roleArn` (AssumeRole). */
  roleArn: string | null;
  /** `responseElements.federatedUser.arn` (GetFederationToken). */
  federatedUserArn: string | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** CloudTrail writes an expiration as `Jul 10, 2023, 12:09:47 PM` (UTC); older records without the second comma. */
const CLOUDTRAIL_TIME = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** An STS or IAM ARN, in any partition: the group is its account. */
const ARN_ACCOUNT = /^arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/;

/** A credentials' expiration as an ISO time, whether CloudTrail wrote it in its own form or in ISO 8601; null otherwise. */
export function expirationTime(text: string | null): string | null {
  if (text === null) return null;
  const cloudTrail = CLOUDTRAIL_TIME.exec(text);
  if (cloudTrail) {
    const [, month, day, year, hour, minute, second, half] = cloudTrail as unknown as string[];
    const monthIndex = MONTHS.indexOf(month as string);
    const hours = (Number(hour) % 12) + (half === 'PM' ? 12 : 0);
    if (monthIndex < 0 || Number(hour) > 12) return null;
    const time = Date.UTC(Number(year), monthIndex, Number(day), hours, Number(minute), Number(second));
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  }
  const time = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function accountOfArn(arn: string | null): string | null {
  return (arn && ARN_ACCOUNT.exec(arn)?.[1]) ?? null;
}

/**
 * How a session key was minted, from its record: the call, when, its expiration, and the account
 * the session belongs to when the record names one (the role's for AssumeRole, the federated
 * user's for GetFederationToken; a GetSessionToken session is the caller's own account's).
 */
export function sessionKeyMinted(facts: MintFacts): SessionKeyMinted {
  const accountId =
    facts.eventName === 'AssumeRole'
      ? (accountOfArn(facts.assumedRoleArn) ?? accountOfArn(facts.roleArn))
      : facts.eventName === 'GetFederationToken'
        ? accountOfArn(facts.federatedUserArn)
        : null;
  return {
    accessKeyId: facts.accessKeyId,
    eventName: facts.eventName,
    eventTime: new Date(facts.timeMs).toISOString(),
    expiration: expirationTime(facts.expiration),
    accountId,
  };
}

/**
 * The one of two records of the same minted key to keep (an organisation trail holds a copy of a
 * cross-account call in each account): the earlier, then the first by its fields, so that every
 * source keeps the same whatever order it read them in.
 */
export function firstMint(a: SessionKeyMinted, b: SessionKeyMinted): SessionKeyMinted {
  const order = compareText(a.eventTime, b.eventTime) || compareText(JSON.stringify(a), JSON.stringify(b));
  return order <= 0 ? a : b;
}
