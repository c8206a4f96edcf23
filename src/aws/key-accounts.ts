import { GetAccessKeyInfoCommand } from '@aws-sdk/client-sts';
import { toAwsCallError } from './aws-errors.js';
import type { StsApi } from './narrow-clients.js';

/**
 * The accounts that own `accessKeyIds`, each asked of STS once (GetAccessKeyInfo answers for any
 * key, long-term or temporary, from any account): where an organisation trail files their activity.
 *
 * @throws AwsCallError when STS does not answer for a key.
 */
export function keyAccounts(sts: StsApi): (accessKeyIds: readonly string[]) => Promise<string[]> {
  const known = new Map<string, Promise<string | undefined>>();
  const accountOf = (accessKeyId: string) => {
    let account = known.get(accessKeyId);
    if (!account) {
      account = sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId })).then(
        (answer) => answer.Account,
        (error: unknown) => {
          throw toAwsCallError('sts:GetAccessKeyInfo', error);
        },
      );
      known.set(accessKeyId, account);
    }
    return account;
  };
  return async (accessKeyIds) => {
    const accounts = await Promise.all(accessKeyIds.map(accountOf));
    return [...new Set(accounts.filter((account): account is string => Boolean(account)))].sort();
  };
}
