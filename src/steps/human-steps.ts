import { shellWord } from '../common/shell-words.js';

/*
 * What a human must do when exposed-keys cannot contain a key itself. Shared by containment (which
 * reports it) and notification (which also needs it when containment threw before reporting).
 */

/** Steps to contain a root user's access key, which no role can delete. */
export function rootKeySteps(accessKeyId: string): string[] {
  return [
    `Sign in as the root user and delete access key ${accessKeyId} (account menu > Security credentials > Access keys). No IAM role can do this for you.`,
    'Change the root password and make sure MFA is enabled on the root user.',
    'Root keys should not exist: do not create a replacement; give workloads IAM roles instead.',
  ];
}

/** Steps for a temporary (`ASIA…`) key, which expires on its own and cannot be deleted. */
export function temporaryKeySteps(accessKeyId: string): string[] {
  return [
    `${accessKeyId} is a temporary (STS) key: it cannot be deleted, it expires on its own (at most 36 hours, or 12 for a role session).`,
    'Find the role or user that issued it: run `exposed-keys investigate` on the issuing key, or search CloudTrail for the AssumeRole / GetSessionToken call whose response holds this key.',
    'For a role session: IAM console > Roles > the role > "Revoke active sessions" (attaches AWSRevokeOlderSessions). For a user session: attach a policy denying all actions when aws:TokenIssueTime is before now, and contain the user\'s long-term key.',
  ];
}

/**
 * Steps to contain a key by hand when the tool did not (failure, refusal or notify-only mode);
 * `inAccount`: the key's account, when the commands must run with credentials of that account
 * rather than where the message was read (a member's key, from the hub).
 */
export function manualContainSteps(accessKeyId: string, userName: string | null, inAccount?: string): string[] {
  // One shell word, as every name in a command a responder copies is.
  const user = userName === null ? '<owner>' : shellWord(userName);
  const there = inAccount ? ` --profile <a profile of account ${inAccount}>` : '';
  const lookup =
    userName === null
      ? [`Find the owner: aws iam get-access-key-last-used --access-key-id ${accessKeyId}${there} (UserName).`]
      : [];
  return [
    ...lookup,
    `Deactivate the key now: aws iam update-access-key --user-name ${user} --access-key-id ${accessKeyId} --status Inactive${there}`,
    `Then delete it: aws iam delete-access-key --user-name ${user} --access-key-id ${accessKeyId}${there}`,
    revokeSessionsStep(user),
  ];
}

/** A failure to act through a member's responder role, as its message tells it (see AccountAccessError). */
export interface AccountAccessFailure {
  accountId: string;
  roleArn: string;
  /** The account's state when Organizations says it is not active (SUSPENDED, PENDING_CLOSURE, CLOSED). */
  inactive?: string;
  /** STS failed otherwise than by refusing the role (throttling, a timeout): trying again may do. */
  passing?: true;
}

/** What STS answers when the role is missing or does not trust the caller (see assumed-role). */
const REFUSAL = /sts:AssumeRole failed: (?:AccessDenied|AccessDeniedException|NoSuchEntity):/;

/** The account and role of a failure to act through a member's responder role, from its message (see AccountAccessError). */
export function accountAccessFailure(error: string): AccountAccessFailure | null {
  const match =
    /^(?:AccountAccessError: )?Cannot act in the account through (arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+): (.*)/s.exec(
      error,
    );
  if (!match) return null;
  const failure = { roleArn: match[1] as string, accountId: match[2] as string };
  const detail = match[3] as string;
  const inactive = /^account \d{12} is ([A-Z_]+) in Organizations, so its role could not be used/.exec(detail)?.[1];
  if (inactive) return { ...failure, inactive };
  const passing = /sts:AssumeRole failed:|STS returned no credentials/.test(detail) && !REFUSAL.test(detail);
  return passing ? { ...failure, passing: true } : failure;
}

/**
 * Steps when the hub could not assume a member's responder role: contain by hand meanwhile; then
 * repair the member when STS refused the role, try again when it failed otherwise. An account that
 * is not active is said so: its role cannot be used until it is.
 */
export function accountAccessSteps(
  accessKeyId: string,
  userName: string | null,
  failure: AccountAccessFailure,
): string[] {
  const byHand = manualContainSteps(accessKeyId, userName, failure.accountId);
  if (failure.inactive)
    return [
      `The hub could not act in account ${failure.accountId}: Organizations says the account is ${failure.inactive}, so its role ${failure.roleArn} could not be used, and nothing can be done there through it until the account is active again. If the account can still be reached, contain the key there by hand:`,
      ...byHand,
    ];
  if (failure.passing)
    return [
      `The hub could not act in account ${failure.accountId} through ${failure.roleArn}, though the role was not refused (throttling or a timeout, say). Contain the key there by hand now:`,
      ...byHand,
      `Or try again from the hub: exposed-keys respond --account ${failure.accountId} --key ${accessKeyId}`,
    ];
  return [
    `The hub could not act in account ${failure.accountId} through ${failure.roleArn}. Contain the key there by hand now:`,
    ...byHand,
    `Then repair the account's member stack: exposed-keys status --org lists the accounts whose stack is not current (deploy --org updates them); the role must exist and trust the hub.`,
  ];
}

/** The step to revoke, by hand, the sessions minted from a user's key. */
export function revokeSessionsStep(userName: string): string {
  return `Revoke sessions it minted: attach to ${userName} an inline policy denying "*" when aws:TokenIssueTime is earlier than now.`;
}

/**
 * Steps when the key's owner is not the user the event named (or, by hand, `--user`): someone
 * must decide which is right.
 */
export function ownerMismatchSteps(accessKeyId: string, eventUser: string, owner: string, byHand = false): string[] {
  const where = byHand
    ? 'Confirm which user holds the key'
    : 'Confirm the owner in the Trusted Advisor or AWS Health console';
  return [
    `${byHand ? '--user' : 'The event'} names ${eventUser}, but IAM says ${accessKeyId} belongs to ${owner}. Nothing was changed.`,
    `${where}, then contain the key by hand or run \`exposed-keys respond --key ${accessKeyId} --user ${owner}\`.`,
  ];
}

/** Steps when IAM does not know the key and nothing shows it was contained here. */
export function notFoundSteps(accessKeyId: string, accountId: string): string[] {
  return [
    `IAM in account ${accountId} does not know ${accessKeyId}, and nothing shows it was deleted here. Check the key id and the account: the key may belong to another account, or the credentials used may be for the wrong account.`,
    `Find the owning account: aws sts get-access-key-info --access-key-id ${accessKeyId}`,
    `Then contain it there: exposed-keys respond --key ${accessKeyId} --profile <a profile of that account>`,
  ];
}

/** Steps when the event names a key of another account than the one exposed-keys runs in. */
export function otherAccountSteps(accessKeyId: string, accountId: string): string[] {
  return [
    `${accessKeyId} belongs to account ${accountId}: contain it there, now: exposed-keys respond --key ${accessKeyId} --profile <a profile of account ${accountId}>`,
    `Or deploy exposed-keys in account ${accountId} too, so that its own stack contains its keys.`,
  ];
}

/** Steps when, in organisation mode, the event names an account outside the hub's organisation. */
export function outsideOrganizationSteps(accessKeyId: string, accountId: string, organizationId: string): string[] {
  return [
    `Account ${accountId} is not a member of organization ${organizationId}, so the hub touched nothing there. Contain ${accessKeyId} from that account: exposed-keys respond --key ${accessKeyId} --profile <a profile of account ${accountId}>`,
    'Find out why an event about that account reached the hub: a member forwarding events it should not, or an account that left the organisation.',
  ];
}
