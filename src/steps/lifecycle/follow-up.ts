import { ACCESS_KEY_ID_PATTERN } from '../../incident/access-key-id.js';
import { isRootUserName, userNameProblem } from '../../incident/user-name.js';

/*
 * What a schedule asks the state machine to do once containment is over: delete a key left
 * inactive (`deactivate-then-delete`), or check that it has gone quiet. The schedule's input is an
 * event of exposed-keys' own, which the state machine tells apart from AWS's and routes to its
 * follow-up path; nothing in it is trusted beyond its shape (the steps check IAM again).
 */

/** The follow-ups a schedule can start. */
export type FollowUpKind = 'scheduled-deletion' | 'verification';

/** The `source` of the events exposed-keys' schedules send to its state machine. */
export const FOLLOW_UP_SOURCE = 'exposed-keys';

/** The `detail-type` of each follow-up event, for people; the state machine routes on `detail.followUp`. */
export const FOLLOW_UP_DETAIL_TYPES: Readonly<Record<FollowUpKind, string>> = {
  'scheduled-deletion': 'Scheduled key deletion',
  verification: 'Containment verification',
};

/** One follow-up of one contained key. */
export interface FollowUpRequest {
  kind: FollowUpKind;
  accessKeyId: string;
  userName: string;
  accountId: string | null;
  /** When the key was contained, ISO 8601. */
  containedAt: string;
  /** When the key is due to be deleted (deactivate-then-delete), ISO 8601. */
  deleteAt: string | null;
}

/** The event a schedule sends to the state machine for `request`. */
export function followUpEvent(request: FollowUpRequest): Record<string, unknown> {
  return {
    source: FOLLOW_UP_SOURCE,
    'detail-type': FOLLOW_UP_DETAIL_TYPES[request.kind],
    account: request.accountId,
    detail: {
      followUp: request.kind,
      accessKeyId: request.accessKeyId,
      userName: request.userName,
      containedAt: request.containedAt,
      deleteAt: request.deleteAt,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ACCOUNT = /^\d{12}$/;

function isoTime(value: unknown): string | null {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null;
}

/**
 * True when an event claims to be a follow-up of exposed-keys, well formed or not: it comes from
 * exposed-keys, or names a follow-up (which the state machine routes on).
 */
export function isFollowUpEvent(event: unknown): boolean {
  return (
    isObject(event) && (event.source === FOLLOW_UP_SOURCE || (isObject(event.detail) && 'followUp' in event.detail))
  );
}

/**
 * The follow-up an event asks for, or why it cannot be read. Only its shape is checked here: the
 * step that acts asks IAM whether the key is the one exposed-keys contained.
 */
export function readFollowUp(event: unknown): { request: FollowUpRequest } | { problem: string } {
  if (!isObject(event) || event.source !== FOLLOW_UP_SOURCE)
    return { problem: `source is not ${FOLLOW_UP_SOURCE}: not a follow-up of exposed-keys` };
  const detail = isObject(event.detail) ? event.detail : {};
  const kind = (Object.keys(FOLLOW_UP_DETAIL_TYPES) as FollowUpKind[]).find(
    (candidate) => candidate === detail.followUp,
  );
  if (!kind) return { problem: 'detail.followUp is not a follow-up exposed-keys knows' };
  const { accessKeyId, userName } = detail;
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID_PATTERN.test(accessKeyId))
    return { problem: 'detail.accessKeyId is not an access key id' };
  if (typeof userName !== 'string' || userNameProblem(userName) !== null || isRootUserName(userName))
    return { problem: 'detail.userName is not an IAM user name' };
  const containedAt = isoTime(detail.containedAt);
  if (!containedAt) return { problem: 'detail.containedAt is not a time' };
  const account = typeof event.account === 'string' && ACCOUNT.test(event.account) ? event.account : null;
  return {
    request: { kind, accessKeyId, userName, accountId: account, containedAt, deleteAt: isoTime(detail.deleteAt) },
  };
}
