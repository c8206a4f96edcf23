import { ExitCode, ExposedKeysError, type ExposedKeysErrorOptions } from '../errors.js';

/**
 * Why a responder role could not be used: STS refused it (the role missing, or its trust not
 * admitting the caller); the account is not active (suspended, closing, closed), as Organizations
 * says; or anything else (throttling, a timeout), which may pass.
 */
export type AccountAccessReason = 'refused' | 'inactive' | 'other';

/** The account of a role ARN. */
function accountOfRole(roleArn: string): string {
  return roleArn.split(':')[4] || '<account id>';
}

/** What to do, by why the role could not be used. */
function accessHint(reason: AccountAccessReason, roleArn: string): string {
  const accountId = accountOfRole(roleArn);
  if (reason === 'inactive')
    return `The account is not active, so its role could not be used: nothing can be done there through the role until the account is active again (Organizations console). If you can still reach the account, contain the key there by hand: exposed-keys respond --key <key> --profile <a profile of account ${accountId}>.`;
  if (reason === 'other')
    return `The role was not refused: assuming it failed otherwise (throttling, a timeout). Try again, by hand if need be: exposed-keys respond --account ${accountId} --key <key>.`;
  return 'Check that the account has the member stack (exposed-keys deploy --org; exposed-keys status --org lists the accounts whose stack is not current) and that --role-name matches its responder role. By hand (--account), your role must be one the members trust: exposed-keys deploy --org --operator-role-arns <its ARN>.';
}

/** Thrown when the hub (or `--account`) cannot assume the responder role of an account. */
export class AccountAccessError extends ExposedKeysError {
  readonly code = 'ACCOUNT_ACCESS_FAILED';
  readonly exitCode = ExitCode.awsFailed;
  /** Why the role could not be used (a refusal unless said otherwise); the hint follows it. */
  readonly reason: AccountAccessReason;
  constructor(
    /** The role that could not be assumed. */
    readonly roleArn: string,
    /** What went wrong, as STS (or the check) said it. */
    readonly detail: string,
    options: ExposedKeysErrorOptions & { reason?: AccountAccessReason } = {},
  ) {
    const { reason = 'refused', ...rest } = options;
    super(`Cannot act in the account through ${roleArn}: ${detail}`, { hint: accessHint(reason, roleArn), ...rest });
    this.reason = reason;
  }

  /**
   * This failure in an account Organizations says is not active (`state`: SUSPENDED,
   * PENDING_CLOSURE, CLOSED): said as the reason its role could not be used.
   */
  inInactiveAccount(state: string): AccountAccessError {
    return new AccountAccessError(
      this.roleArn,
      `account ${accountOfRole(this.roleArn)} is ${state} in Organizations, so its role could not be used (${this.detail})`,
      { reason: 'inactive', cause: this },
    );
  }
}

/**
 * Why the hub does not act in `accountId`: not a member of its organisation, or (`null`) the
 * caller is in none at all.
 */
export function outsideOrganization(accountId: string, organizationId: string | null): string {
  return organizationId === null
    ? `Account ${accountId} is another account, and the caller's account is in no organization: no hub acts there.`
    : `Account ${accountId} is not a member of organization ${organizationId}; the hub does not act there.`;
}

/** Thrown when an account is not a member of the hub's organisation: the hub never acts there. */
export class OutsideOrganizationError extends ExposedKeysError {
  readonly code = 'OUTSIDE_ORGANIZATION';
  readonly exitCode = ExitCode.needsHuman;
  constructor(
    readonly accountId: string,
    readonly organizationId: string | null,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(outsideOrganization(accountId, organizationId), {
      hint: `Contain the key from that account itself: exposed-keys respond --key <key> --profile <a profile of account ${accountId}>.`,
      ...options,
    });
  }
}

/**
 * Thrown when `--account` names another account than the caller's while the stack the command
 * uses is not an organisation's hub: that stack acts only in its own account.
 */
export class NotAHubError extends ExposedKeysError {
  readonly code = 'NOT_A_HUB';
  readonly exitCode = ExitCode.awsFailed;
  readonly stackName: string;
  readonly accountId: string;
  constructor(acting: { stackName: string; accountId: string; accessKeyId: string; command: 'respond' | 'release' }) {
    const { stackName, accountId, accessKeyId, command } = acting;
    super(
      `Stack ${stackName} is not an organisation's hub (its OrganizationId is empty): it acts only in its own account, so the deletion and the verification it schedules would never reach account ${accountId}. Nothing was changed.`,
      {
        hint: `Give --stack-name of the hub (deployed with exposed-keys deploy --org), or run it from account ${accountId} itself: exposed-keys ${command} --key ${accessKeyId} --profile <a profile of account ${accountId}>.`,
      },
    );
    this.stackName = stackName;
    this.accountId = accountId;
  }
}
