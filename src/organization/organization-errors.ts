import { ExitCode, ExposedKeysError, type ExposedKeysErrorOptions } from '../errors.js';

/** Thrown when the hub (or `--account`) cannot assume the responder role of an account. */
export class AccountAccessError extends ExposedKeysError {
  readonly code = 'ACCOUNT_ACCESS_FAILED';
  readonly exitCode = ExitCode.awsFailed;
  constructor(
    /** The role that could not be assumed. */
    readonly roleArn: string,
    message: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(`Cannot act in the account through ${roleArn}: ${message}`, {
      hint: 'Check that the account has the member stack (exposed-keys deploy --org; exposed-keys status --org lists the accounts whose stack is not current) and that --role-name matches its responder role. By hand (--account), your role must be one the members trust: exposed-keys deploy --org --operator-role-arns <its ARN>.',
      ...options,
    });
  }
}

/** Thrown when an account is not a member of the hub's organisation: the hub never acts there. */
export class OutsideOrganizationError extends ExposedKeysError {
  readonly code = 'OUTSIDE_ORGANIZATION';
  readonly exitCode = ExitCode.needsHuman;
  constructor(
    readonly accountId: string,
    readonly organizationId: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(`Account ${accountId} is not a member of organization ${organizationId}; the hub does not act there.`, {
      hint: `Contain the key from that account itself: exposed-keys respond --key <key> --profile <a profile of account ${accountId}>.`,
      ...options,
    });
  }
}
