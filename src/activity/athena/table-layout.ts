import { GetTableCommand, type GetTableCommandOutput } from '@aws-sdk/client-glue';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { GlueApi } from '../../aws/narrow-clients.js';
import { STACK_REGION } from '../../constants.js';
import { InvalidInputError } from '../../errors.js';
import { GLUE_NAME, type TableLayout, type TableName, type TablePartitions } from './activity-sql.js';
import { projectionEnabled, tableLocation } from './table-location.js';

/**
 * The table is not in the catalog asked: each region has a catalog of its own, and Athena reads the
 * one of the region it runs in, so a table made in another region is not found here.
 */
function noSuchTable(name: TableName, flag: string, region: string | undefined): InvalidInputError {
  const where = region ?? 'the region asked';
  const stack = region === STACK_REGION ? '' : ` (the stack's table is in ${STACK_REGION}: --region ${STACK_REGION})`;
  return new InvalidInputError(
    flag,
    `The Glue catalog of ${where} has no table ${name.database}.${name.table}: Athena reads the catalog of the region it runs in, and each region has its own.`,
    {
      hint: `Run with --region set to the region the table was created in${stack}, name an existing table of CloudTrail logs, or create one with the stack (deploy --trail-bucket).`,
    },
  );
}

/** The names a CloudTrail table's partition columns go by (AWS's documented tables, and the stack's). */
const PARTITION_NAMES = {
  date: ['timestamp', 'date', 'dt', 'day'],
  region: ['region', 'awsregion'],
  account: ['account', 'accountid', 'account_id'],
} as const;

/** The date format of CloudTrail's folders, which a date partition must use for the query to prune on it. */
const FOLDER_DATE_FORMAT = 'yyyy/MM/dd';

/**
 * The table's partition columns that a query can prune on, from the Glue catalog: a date in
 * CloudTrail's `yyyy/MM/dd` form, a region and an account; when the regions or the accounts
 * are projected from a list, that list; the days the date projection holds; and where its files
 * are, which may fix its one account or region. A table partitioned otherwise (or not at all) is still read, only whole.
 * A date column is pruned on only when it is projected (`projection.enabled`) and its projection
 * says it holds `yyyy/MM/dd`: such columns are also written by hand as `2023-07-10` or as the day
 * of the month alone (AWS's manual partitions), and a range of CloudTrail's form over those would
 * match nothing, reading no event; without projection Athena ignores the projection's properties.
 *
 * @throws InvalidInputError when the table does not exist in `region`'s catalog; AwsCallError when Glue fails.
 */
export async function tableLayout(glue: GlueApi, name: TableName, flag: string, region?: string): Promise<TableLayout> {
  let answer: GetTableCommandOutput;
  try {
    answer = await glue.send(new GetTableCommand({ DatabaseName: name.database, Name: name.table }));
  } catch (error) {
    if (isAwsError(error, 'EntityNotFound')) throw noSuchTable(name, flag, region);
    throw toAwsCallError('glue:GetTable', error);
  }
  const parameters = answer.Table?.Parameters ?? {};
  const keys = (answer.Table?.PartitionKeys ?? [])
    .map((key) => key.Name?.toLowerCase() ?? '')
    .filter((key) => GLUE_NAME.test(key));
  const projected = projectionEnabled(parameters);
  const partitions: TablePartitions = {};
  for (const kind of ['date', 'region', 'account'] as const) {
    const found = keys.find((key) => (PARTITION_NAMES[kind] as readonly string[]).includes(key));
    if (!found) continue;
    // Without projection Athena ignores the projection's properties: the days are what was added by hand.
    if (kind === 'date' && !(projected && parameters[`projection.${found}.format`] === FOLDER_DATE_FORMAT)) continue;
    partitions[kind] = found;
  }
  const regionValues = partitions.region && projectedValues(parameters, partitions.region);
  const accountValues = partitions.account && projectedValues(parameters, partitions.account);
  const location = tableLocation(answer.Table);
  const dateRange = partitions.date ? parameters[`projection.${partitions.date}.range`] : undefined;
  return {
    name,
    partitions,
    ...(regionValues ? { regionValues } : {}),
    ...(accountValues ? { accountValues } : {}),
    ...(dateRange ? { dateRange } : {}),
    ...(location ? { location } : {}),
  };
}

/**
 * The values a partition column is projected from, when it is projected from a list, as Athena
 * reads them: the type with white space around it allowed, each value exactly as written (Athena
 * keeps white space as part of an enum value, so ` eu-west-1` holds no partition of eu-west-1).
 */
function projectedValues(parameters: Record<string, string>, column: string): string[] | undefined {
  const projected =
    projectionEnabled(parameters) && parameters[`projection.${column}.type`]?.trim().toLowerCase() === 'enum';
  const values = parameters[`projection.${column}.values`];
  return projected && values !== undefined ? values.split(',').filter((value) => value !== '') : undefined;
}
