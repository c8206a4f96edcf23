import type { Logger } from '@aws-lambda-powertools/logger';
import { InvalidEventError } from '../../errors.js';
import type { AccountClients } from '../../organization/account-clients.js';
import type { OrganizationAccess } from '../../organization/organization-access.js';
import { type FollowUpKind, type FollowUpRequest, readFollowUp } from '../../steps/lifecycle/follow-up.js';
import { eventOf, type WorkflowState } from '../workflow-state.js';

/*
 * The three tasks of the state machine, as functions of their clients and settings (one module
 * each, so that each function loads only its own task's code). The Lambda handlers wrap them with
 * clients built from the environment; `simulate --local` wraps them with the CLI's clients.
 * Either way the same code runs. What they share is here.
 */

/** The part of the Lambda context the tasks read. */
export interface TaskContext {
  getRemainingTimeInMillis(): number;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: the account the function runs in. */
  invokedFunctionArn?: string;
}

/** Logging is optional, so that local runs stay quiet. */
export type TaskLogger = Pick<Logger, 'info' | 'appendKeys'>;

/**
 * Time each task keeps back from its function's timeout: every AWS call it makes is abandoned by
 * then, so that it returns (or throws its typed error) before Lambda stops it. The investigation
 * keeps more, to return what it read. A test checks these against the template's timeouts.
 */
export const TASK_MARGIN_MS = { contain: 10_000, investigate: 20_000, notify: 10_000 } as const;

/** The account in a function ARN. */
export function accountOf(functionArn: string | undefined): string | undefined {
  return /^arn:[\w-]+:lambda:[\w-]+:(\d{12}):function:/.exec(functionArn ?? '')?.[1];
}

/**
 * The account the function runs in: `accountId` when given, else its ARN's. In organisation mode
 * the hub is told it, so that a key of the hub's own account is acted on without asking STS.
 */
export function ownAccount(
  organization: OrganizationAccess | undefined,
  accountId: string | undefined,
  context: TaskContext | undefined,
): string | undefined {
  const own = accountId ?? accountOf(context?.invokedFunctionArn);
  if (organization && own) organization.access.knowHubAccount(own);
  return own;
}

/**
 * Organisation mode: clients acting in `accountId` for the key (or user) `name`. No membership
 * check: this is for reads and follow-ups of an incident whose containment checked it, and the
 * hub may assume roles only in accounts of its organisation. Undefined outside organisation mode.
 */
export async function clientsIn(
  organization: OrganizationAccess | undefined,
  accountId: string | null | undefined,
  name: string,
): Promise<AccountClients | undefined> {
  if (!organization || !accountId) return undefined;
  return organization.access.accountClients(accountId, name);
}

/**
 * The clients a follow-up (scheduled deletion, verification) acts with. In organisation mode, those
 * of the account its schedule names; one that names none is refused: the hub's own account is not
 * where a member's key lives, and acting there would delete or verify nothing, or the wrong key.
 * Outside it, the function's own (undefined); one naming another account than `own` is refused:
 * there IAM would not know the key (reported gone) and CloudTrail would show nothing (reported quiet).
 *
 * @throws InvalidEventError when, in organisation mode, the follow-up names no account; or when,
 * outside it, the follow-up names another account than the function's own (`own`, when known).
 */
export async function followUpClients(
  organization: OrganizationAccess | undefined,
  request: Pick<FollowUpRequest, 'accountId' | 'accessKeyId' | 'kind'>,
  own?: string,
): Promise<AccountClients | undefined> {
  if (organization && !request.accountId)
    throw new InvalidEventError(
      'account',
      `The follow-up of ${request.accessKeyId} names no account, so it was not done: in organisation mode a follow-up acts only in the key's own account.`,
      {
        hint: `Find the key's account (aws sts get-access-key-info --access-key-id ${request.accessKeyId}), then do the follow-up by hand there, or with exposed-keys release --key ${request.accessKeyId} --account <that account>.`,
      },
    );
  if (!organization && request.accountId && own !== undefined && request.accountId !== own)
    throw new InvalidEventError(
      'account',
      `${request.accountId} is not this stack's account (${own}), the only one it acts in outside organisation mode: the ${request.kind === 'verification' ? 'verification' : 'scheduled deletion'} of ${request.accessKeyId} was not done. Do it with a profile of account ${request.accountId} (--profile <a profile of account ${request.accountId}>).`,
    );
  return clientsIn(organization, request.accountId, request.accessKeyId);
}

/**
 * The follow-up a follow-up task must run, read from its event.
 *
 * @throws InvalidEventError when the event is not a follow-up of that kind.
 */
export function followUpRequest(state: WorkflowState, kind: FollowUpKind): FollowUpRequest {
  const read = readFollowUp(eventOf(state));
  if ('problem' in read) throw new InvalidEventError('detail', read.problem);
  if (read.request.kind !== kind) throw new InvalidEventError('detail.followUp', `is not ${kind}`);
  return read.request;
}
