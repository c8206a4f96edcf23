import type { Table } from '@aws-sdk/client-glue';
import { isRegionName } from '../../aws/aws-names.js';

/** Where a table's files are, and the one account and region that place holds, when it names them. */
export interface TableLocation {
  /** Where Athena reads the files (from the catalog: untrusted text, to be made inert before it is shown). */
  uri: string;
  /** The only account the table holds, when its location names that account's folder. */
  account?: string;
  /** The only region the table holds, when its location names that region's folder. */
  region?: string;
}

/** True when the table's partitions are projected (`projection.enabled`), not added by hand. */
export function projectionEnabled(parameters: Record<string, string>): boolean {
  return parameters['projection.enabled']?.trim().toLowerCase() === 'true';
}

const ACCOUNT = /^\d{12}$/;
/** An organisation trail files each account under the organisation's id. */
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;

/**
 * Where `table` reads, and what that place fixes, from CloudTrail's layout
 * (`…/AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`): AWS's documented table
 * with partition projection reads `s3://…/AWSLogs/<account>/CloudTrail/<region>/${timestamp}`,
 * one account's region. A folder written as a projected value (`${region}`) fixes nothing.
 * Undefined when the location does not say where the files are: partitions added by hand each
 * have a location of their own, anywhere; only with partition projection (the location template,
 * else the table's location) or no partitions at all does Athena read under the table's.
 */
export function tableLocation(
  table: Pick<Table, 'Parameters' | 'PartitionKeys' | 'StorageDescriptor'> | undefined,
): TableLocation | undefined {
  const parameters = table?.Parameters ?? {};
  const projected = projectionEnabled(parameters);
  if (!projected && (table?.PartitionKeys ?? []).length > 0) return undefined;
  const uri = (projected ? parameters['storage.location.template'] : undefined) ?? table?.StorageDescriptor?.Location;
  if (!uri) return undefined;
  const folders = uri.split('/');
  const logs = folders.indexOf('AWSLogs');
  if (logs < 0) return { uri };
  const at = ORGANIZATION.test(folders[logs + 1] ?? '') ? logs + 2 : logs + 1;
  const account = folders[at] ?? '';
  const region = folders[at + 1] === 'CloudTrail' ? (folders[at + 2] ?? '') : '';
  return {
    uri,
    ...(ACCOUNT.test(account) ? { account } : {}),
    ...(isRegionName(region) ? { region } : {}),
  };
}
