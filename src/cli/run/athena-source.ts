import type { AthenaSource } from '../../activity/athena/athena-source.js';
import type { AwsClients } from '../../aws/clients.js';
import type { AthenaRequest } from '../options.js';

/**
 * The Athena source for `investigate` and `respond`: the clients it needs, loaded only now, and
 * the accounts to read (those given, else the keys' own accounts as STS knows them).
 */
export async function athenaSourceFor(
  clients: AwsClients,
  request: AthenaRequest,
  options: { regions?: readonly string[]; signal?: AbortSignal },
): Promise<AthenaSource> {
  const [{ athenaSource }, { keyAccounts }, athena, glue, sts] = await Promise.all([
    import('../../activity/athena/athena-source.js'),
    import('../../aws/key-accounts.js'),
    clients.athena(),
    clients.glue(),
    clients.sts(),
  ]);
  const given = request.accounts;
  return athenaSource(
    { athena, glue, accountsOf: given ? async () => given : keyAccounts(sts) },
    {
      table: request.table,
      workgroup: request.workgroup,
      outputLocation: request.outputLocation,
      regions: options.regions,
      signal: options.signal,
    },
  );
}
