import * as z from 'zod';
import { shownValue } from '../common/untrusted-text.js';
import { QUARANTINE_POLICIES } from '../constants.js';
import { InvalidEventError } from '../errors.js';
import { isAccessKeyId } from './access-key-id.js';
import { eventDate, eventId, requireAccount, toInvalidEventError } from './event-fields.js';
import { userNameProblem } from './user-name.js';

/** The EventBridge `source` of IAM's CloudTrail events. */
export const IAM_SOURCE = 'aws.iam';
/** The EventBridge `detail-type` of an API call recorded by CloudTrail. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * AWS quarantined an IAM user: it attached one of {@link QUARANTINE_POLICIES} because it found one
 * of the user's keys exposed. The event names the user, never the key: it is a reason to look, not
 * evidence about any key.
 */
export interface QuarantineSignal {
  source: 'quarantine-policy';
  /** The 12-digit account of the user. */
  accountId: string;
  userName: string;
  /** The policy AWS put on the user, by name. */
  policy: string;
  /** `attached` for a managed policy (`AttachUserPolicy`), `inline` for `PutUserPolicy`. */
  how: 'attached' | 'inline';
  /** When CloudTrail recorded the call, ISO 8601. */
  detectedAt: string;
  /** The EventBridge event id. */
  eventId: string;
  /**
   * The access key the call was signed with, when the caller was the quarantined user itself (as
   * in records of the oldest mechanism). Public detections read it as the exposed key; AWS does not
   * say so, so it is a lead for a human, never a reason to touch the key.
   */
  callerKey: string | null;
  /**
   * Who made the call, as CloudTrail recorded it (`userIdentity.arn`, made inert), whether
   * CloudTrail names an AWS service as the caller (`userIdentity.type` `AWSService`), and the
   * service the caller made it through (`invokedBy`), when it did. Anyone allowed
   * `iam:PutUserPolicy` can put a policy of that name: otherwise the message names the caller, and
   * does not say AWS did it.
   */
  putBy?: { arn: string | null; aws: boolean; invokedBy?: string };
  notes?: string[];
}

const MANAGED: readonly string[] = QUARANTINE_POLICIES.managed;
const ALL_NAMES: readonly string[] = [...QUARANTINE_POLICIES.managed, ...QUARANTINE_POLICIES.inline];

const quarantineEvent = z.object({
  id: z.string().min(1),
  source: z.literal(IAM_SOURCE),
  'detail-type': z.literal(CLOUDTRAIL_API_CALL),
  account: z.string().optional(),
  time: z.unknown().optional(),
  detail: z.looseObject({
    eventSource: z.literal('iam.amazonaws.com'),
    eventName: z.enum(['AttachUserPolicy', 'PutUserPolicy']),
    eventTime: z.unknown().optional(),
    errorCode: z.unknown().optional(),
    recipientAccountId: z.unknown().optional(),
    userIdentity: z.record(z.string(), z.unknown()).optional(),
    requestParameters: z.looseObject({
      userName: z.string(),
      policyArn: z.string().optional(),
      policyName: z.string().optional(),
    }),
  }),
});

type QuarantineEvent = z.infer<typeof quarantineEvent>;

/** The managed policy's name when `arn` is one of AWS's quarantine policies (any partition). */
function managedPolicyName(arn: string | undefined): string | null {
  const name = /^arn:aws[\w-]*:iam::aws:policy\/([\w+=,.@-]+)$/.exec(arn ?? '')?.[1];
  return name !== undefined && MANAGED.includes(name) ? name : null;
}

function quarantinePolicy(detail: QuarantineEvent['detail']): { policy: string; how: 'attached' | 'inline' } {
  const parameters = detail.requestParameters;
  if (detail.eventName === 'AttachUserPolicy') {
    const policy = managedPolicyName(parameters.policyArn);
    if (policy === null)
      throw new InvalidEventError('detail.requestParameters.policyArn', `is not one of AWS's quarantine policies`);
    return { policy, how: 'attached' };
  }
  // Records edited by others put a managed name in PutUserPolicy: accepted, since either says quarantine.
  const name = parameters.policyName ?? '';
  if (!ALL_NAMES.includes(name))
    throw new InvalidEventError('detail.requestParameters.policyName', `is not one of AWS's quarantine policies`);
  return { policy: name, how: 'inline' };
}

function accountOf(event: QuarantineEvent): string {
  if (event.account !== undefined) return requireAccount(event.account, 'account');
  const recipient = event.detail.recipientAccountId;
  return requireAccount(typeof recipient === 'string' ? recipient : '', 'detail.recipientAccountId');
}

/** The caller's key, when the caller is the quarantined user itself and the key is a real key id. */
function callerKeyOf(identity: Record<string, unknown> | undefined, userName: string): string | null {
  const key = identity?.accessKeyId;
  const name = identity?.userName;
  if (identity?.type !== 'IAMUser' || typeof key !== 'string' || !isAccessKeyId(key)) return null;
  return typeof name === 'string' && name.toLowerCase() === userName.toLowerCase() ? key : null;
}

/**
 * Who put the policy, as CloudTrail recorded it; `aws` only when CloudTrail names an AWS service as
 * the caller (`userIdentity.type` `AWSService`). A call a service made for a caller
 * (`invokedBy`, such as CloudFormation acting for an IAM user who runs a stack) is the caller's: its
 * ARN is what is shown, with the service it went through. The user agent is the caller's to set,
 * and the console records its own as AWS's: it proves nothing.
 */
function putByOf(detail: QuarantineEvent['detail']): NonNullable<QuarantineSignal['putBy']> {
  const identity = detail.userIdentity ?? {};
  const by = typeof identity.invokedBy === 'string' ? identity.invokedBy : '';
  const arn = typeof identity.arn === 'string' && identity.arn !== '' ? identity.arn : by;
  return {
    arn: arn === '' ? null : shownValue(arn, 200),
    aws: identity.type === 'AWSService',
    ...(by !== '' && arn !== by ? { invokedBy: shownValue(by, 100) } : {}),
  };
}

/**
 * Reads the CloudTrail event of AWS quarantining a user (`AttachUserPolicy` of an
 * `AWSCompromisedKeyQuarantine*` policy, or `PutUserPolicy` of `AWSExposedCredentialPolicy_DO_NOT_REMOVE`),
 * as EventBridge delivers it, into a {@link QuarantineSignal}.
 *
 * @throws InvalidEventError naming the field, when the event is not such a call, the call failed, or
 * the user or account is not valid.
 */
export function parseQuarantineEvent(event: unknown): QuarantineSignal {
  const parsed = quarantineEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw toInvalidEventError(parsed.error);
  const { detail } = parsed.data;
  if (detail.errorCode !== undefined && detail.errorCode !== null)
    throw new InvalidEventError('detail.errorCode', 'is set: the call failed, so no policy was put on the user');
  const userName = detail.requestParameters.userName.trim();
  const problem = userNameProblem(userName);
  if (problem !== null) throw new InvalidEventError('detail.requestParameters.userName', problem);
  const notes: string[] = [];
  const detectedAt =
    eventDate(detail.eventTime, 'detail.eventTime', notes) ??
    eventDate(parsed.data.time, 'time', notes) ??
    new Date().toISOString();
  return {
    source: 'quarantine-policy',
    accountId: accountOf(parsed.data),
    userName,
    ...quarantinePolicy(detail),
    detectedAt,
    eventId: eventId(parsed.data.id),
    callerKey: callerKeyOf(detail.userIdentity, userName),
    putBy: putByOf(detail),
    ...(notes.length > 0 ? { notes } : {}),
  };
}
