import { DescribeAccountCommand, DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import { AwsClients } from '../../aws/clients.js';
import type { StsApi } from '../../aws/narrow-clients.js';
import { CredentialsError, describeError, InvalidInputError } from '../../errors.js';
import { AssumedRoles, roleArn, roleSessionName } from '../../organization/assumed-role.js';
import type { SqsIn } from '../../organization/deploy/organization-status.js';
import { type Membership, OrganizationMembers } from '../../organization/membership.js';
import {
  AccountAccessError,
  OutsideOrganizationError,
  outsideOrganization,
} from '../../organization/organization-errors.js';
import type { AccountTarget } from '../options.js';

/**
 * The CLI's clients acting in a member account (`--account`): the caller assumes the account's
 * responder role, in a session named for the key as the hub names its own (so that the account's
 * CloudTrail tells who acted for which incident), with the caller's region and time-outs. The
 * role is assumed on the first call.
 */
export function memberClients(clients: AwsClients, target: AccountTarget, accessKeyId: string): AwsClients {
  const { profile: _profile, ...context } = clients.context;
  const roles = new AssumedRoles({ send: async (command) => (await clients.sts()).send(command) });
  return new AwsClients({
    ...context,
    credentials: roles.provider(roleArn(target.accountId, target.roleName), roleSessionName(accessKeyId)),
  });
}

/** The session name of `status --org` in the members, so that their CloudTrail tells what it was. */
const STATUS_SESSION = 'exposed-keys-status';

/**
 * SQS in member accounts as `status --org` reads them: each through its responder role (one
 * AssumeRole an account, shared by the calls there), with the caller's region and time-outs.
 */
export function memberSqs(clients: AwsClients): SqsIn {
  const { profile: _profile, ...context } = clients.context;
  const roles = new AssumedRoles({ send: async (command) => (await clients.sts()).send(command) });
  return (accountId, roleName) =>
    new AwsClients({ ...context, credentials: roles.provider(roleArn(accountId, roleName), STATUS_SESSION) }).sqs();
}

/**
 * The account's name, as Organizations gives it to the caller (the management account, or a
 * delegated administrator); null, with the reason, when it does not.
 */
export async function accountName(
  clients: AwsClients,
  accountId: string,
): Promise<{ name: string | null; problem?: string }> {
  try {
    const answer = await (await clients.organizations()).send(new DescribeAccountCommand({ AccountId: accountId }));
    return { name: answer.Account?.Name || null };
  } catch (error) {
    return { name: null, problem: describeError(error) };
  }
}

/** Whether `accountId` is in the caller's organisation, as Organizations tells the caller. */
async function membershipOf(clients: AwsClients, accountId: string): Promise<Membership & { organizationId?: string }> {
  const organizations = await clients.organizations();
  let organizationId: string | undefined;
  try {
    organizationId = (await organizations.send(new DescribeOrganizationCommand({}))).Organization?.Id;
  } catch (error) {
    if (isAwsError(error, 'AWSOrganizationsNotInUse'))
      return { status: 'outside', reason: 'the caller’s account is in no organisation' };
    return {
      status: 'unknown',
      warning: `Could not ask Organizations whether account ${accountId} is in the caller's organisation: ${describeError(toAwsCallError('organizations:DescribeOrganization', error))}`,
    };
  }
  if (!organizationId) return { status: 'unknown', warning: 'Organizations named no organisation of the caller.' };
  return { ...(await new OrganizationMembers(organizations, organizationId).membership(accountId)), organizationId };
}

/** The account `sts` acts in; undefined, with a warning, when STS fails for any reason but the caller's credentials. */
async function identityOf(sts: StsApi, warnings: string[], whose: string): Promise<string | undefined> {
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    if (error instanceof AccountAccessError) throw error;
    const cause = toAwsCallError('sts:GetCallerIdentity', error);
    if (cause instanceof CredentialsError) throw cause;
    warnings.push(`Could not confirm the account of ${whose}: ${describeError(cause)}`);
    return undefined;
  }
}

/** The commands that act in the account of `--account`. */
export type ActingCommand = 'respond' | 'simulate' | 'investigate' | 'release';

const DONE_THERE: Record<ActingCommand, string> = {
  respond: 'Contain the key',
  simulate: 'Simulate it',
  investigate: 'Investigate the key',
  release: 'Release the key',
};

/**
 * The refusal of an account outside the caller's organisation, with the command run to run from
 * that account. A key respond or simulate left uncontained needs a human (exit 4); investigate
 * and release changed nothing, and were given an account they cannot reach (bad input).
 */
function outsideRefusal(
  accountId: string,
  membership: { reason: string; organizationId?: string },
  accessKeyId: string,
  command: ActingCommand,
): Error {
  const organizationId = membership.organizationId ?? null;
  // With no organisation at all, the message says so already; else the reason Organizations gave.
  const reason =
    organizationId === null ? '' : `${membership.reason.charAt(0).toUpperCase()}${membership.reason.slice(1)}. `;
  const hint = `${reason}${DONE_THERE[command]} from that account itself: exposed-keys ${command} --key ${accessKeyId} --profile <a profile of account ${accountId}>.`;
  if (command === 'respond' || command === 'simulate')
    return new OutsideOrganizationError(accountId, organizationId, { hint });
  return new InvalidInputError('--account', outsideOrganization(accountId, organizationId), { hint });
}

/**
 * The clients acting in the account of `--account`, checked before anything is planned, so that
 * a refusal changes nothing: the caller's own account is acted in with the caller's own clients;
 * an account outside the caller's organisation is refused (Organizations' answer, when it can be
 * had: else a warning, and the member role's trust is the guard); and the responder role is
 * assumed now, once, so that a role that cannot be assumed is said plainly. STS failing otherwise
 * (an error of its own) is a warning: IAM is what containment needs.
 *
 * @throws CredentialsError when the caller's credentials fail; for an account outside the
 * organisation, OutsideOrganizationError (respond, simulate) or InvalidInputError (investigate, release); AccountAccessError when the role cannot be assumed, or acts
 * in another account.
 */
export async function checkedMemberClients(
  clients: AwsClients,
  target: AccountTarget,
  accessKeyId: string,
  command: ActingCommand,
): Promise<{ acting: AwsClients; own: boolean; caller?: string; warnings: string[] }> {
  const warnings: string[] = [];
  const caller = await identityOf(await clients.sts(), warnings, 'the caller');
  if (caller === target.accountId) return { acting: clients, own: true, warnings };
  const membership = await membershipOf(clients, target.accountId);
  if (membership.status === 'outside') throw outsideRefusal(target.accountId, membership, accessKeyId, command);
  if (membership.status === 'unknown') warnings.push(membership.warning);
  const acting = memberClients(clients, target, accessKeyId);
  const arn = roleArn(target.accountId, target.roleName);
  const inactive = membership.status === 'member' ? membership.inactive : undefined;
  const actingIn = await identityOf(await acting.sts(), warnings, `the role ${arn}`).catch((error: unknown) => {
    throw inactive && error instanceof AccountAccessError ? error.inInactiveAccount(inactive) : error;
  });
  if (inactive) warnings.push(`Organizations says account ${target.accountId} is ${inactive}.`);
  if (actingIn !== undefined && actingIn !== target.accountId)
    throw new AccountAccessError(arn, `its credentials act in account ${actingIn}, not ${target.accountId}`);
  return { acting, own: false, ...(caller ? { caller } : {}), warnings };
}
