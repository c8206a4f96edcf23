import { DescribeAccountCommand } from '@aws-sdk/client-organizations';
import { AwsClients } from '../../aws/clients.js';
import { describeError } from '../../errors.js';
import { AssumedRoles, roleArn, roleSessionName } from '../../organization/assumed-role.js';
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
