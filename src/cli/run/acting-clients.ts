import type { AwsClients } from '../../aws/clients.js';
import type { AccountTarget } from '../options.js';
import type { ActingCommand } from './member-clients.js';

/**
 * The clients a command acts with: the caller's own, or with `--account` the member's, checked
 * before anything is planned (see checkedMemberClients, loaded only then); what the check could
 * not tell is given to `warn`; `command` is the one run, which a refusal says to run from there. `own`: acting in the caller's own account; `actedFrom`: the
 * caller's account when acting in another (the message's commands then name the key's account).
 *
 * @throws what checkedMemberClients throws: the account refused, or its role not assumable.
 */
export async function actingClients(
  clients: AwsClients,
  account: AccountTarget | undefined,
  accessKeyId: string,
  warn: (text: string) => void,
  command: ActingCommand,
): Promise<{ acting: AwsClients; own: boolean; actedFrom?: string }> {
  if (!account) return { acting: clients, own: true };
  const { checkedMemberClients } = await import('./member-clients.js');
  const checked = await checkedMemberClients(clients, account, accessKeyId, command);
  for (const warning of checked.warnings) warn(warning);
  return {
    acting: checked.acting,
    own: checked.own,
    ...(!checked.own && checked.caller ? { actedFrom: checked.caller } : {}),
  };
}
