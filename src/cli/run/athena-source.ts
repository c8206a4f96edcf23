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
  options: { regions?: readonly string[]; signal?: AbortSignal; onWarning?: (text: string) => void },
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
    {
      athena,
      glue,
      accountsOf: given ? withSessionAccounts(given, keyAccounts(sts)) : keyAccounts(sts),
      listRegions: () => clients.listRegions(),
    },
    {
      table: request.table,
      workgroup: request.workgroup,
      outputLocation: request.outputLocation,
      regions: options.regions,
      catalogRegion: clients.context.region,
      signal: options.signal,
      onWarning: options.onWarning,
    },
  );
}

/**
 * The accounts given, and for temporary keys (`ASIA…`, the session keys the investigation follows)
 * the accounts STS says they belong to: a role the key assumed may be in another account, whose
 * partitions the accounts given would leave unread. A lookup that fails leaves those keys
 * unsearched, reported as such.
 */
export function withSessionAccounts(
  given: readonly string[],
  lookUp: (accessKeyIds: readonly string[]) => Promise<string[]>,
): (accessKeyIds: readonly string[]) => Promise<string[]> {
  return async (accessKeyIds) => {
    const temporary = accessKeyIds.filter((id) => id.startsWith('ASIA'));
    const found = temporary.length > 0 ? await lookUp(temporary) : [];
    return [...new Set([...given, ...found])].sort();
  };
}
