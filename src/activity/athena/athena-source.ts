import { isKnownRegion } from '../../aws/known-regions.js';
import type { GlueApi } from '../../aws/narrow-clients.js';
import { InvestigationError, isExposedKeysError } from '../../errors.js';
import type { ActivitySource } from '../activity-source.js';
import type { FailedRegion } from '../activity-summary.js';
import { type FacetRow, summariesOfRows } from './activity-rows.js';
import { activitySql, type TableLayout, type TableName } from './activity-sql.js';
import { type AthenaQueryDeps, type QueryStatistics, runAthenaQuery } from './athena-query.js';
import { tableLayout } from './table-layout.js';
import { type Shortfall, unsearchableHint } from './unsearchable-hint.js';

/** What the `athena` source needs. */
export interface AthenaSourceDeps extends AthenaQueryDeps {
  glue: GlueApi;
  /**
   * The accounts whose partitions hold the keys' activity (for a table partitioned by account):
   * the accounts the keys belong to (STS GetAccessKeyInfo), or those the responder named.
   */
  accountsOf?: (accessKeyIds: readonly string[]) => Promise<readonly string[]>;
}

/** Where and how the `athena` source reads. */
export interface AthenaSourceOptions {
  table: TableName;
  /** The flag or setting that named the table, for errors. */
  tableFlag?: string;
  workgroup?: string;
  outputLocation?: string;
  /** Region partitions to read; every region when absent or empty. */
  regions?: readonly string[];
  /** When it aborts, the running query is stopped. */
  signal?: AbortSignal;
  pollMs?: number;
}

/** The `athena` source, and the queries it ran (bytes scanned, estimated cost). */
export interface AthenaSource extends ActivitySource {
  readonly queries: readonly QueryStatistics[];
}

function where(options: AthenaSourceOptions): string {
  return `athena:${options.table.database}.${options.table.table}`;
}

/**
 * CloudTrail in S3, queried with Athena through a Glue table: one query per read, for all the keys
 * asked, that counts in the engine and returns only aggregates and risky events, pruned to the
 * window's days and to the regions and accounts where the table is partitioned by them. A query
 * that fails (or does not finish in time) is reported in each summary's `regions.failed`, never
 * dropped; a stop asked for (Ctrl-C) stops the query and ends the investigation.
 */
export function athenaSource(deps: AthenaSourceDeps, options: AthenaSourceOptions): AthenaSource {
  const queries: QueryStatistics[] = [];
  const flag = options.tableFlag ?? '--athena-table';
  let layout: Promise<TableLayout> | undefined;
  // Why the last read searched nothing, for the hint of the investigation's failure.
  let shortfall: Shortfall;
  return {
    name: 'athena',
    unsearchable: (message) =>
      new InvestigationError(message, {
        hint: unsearchableHint(shortfall, {
          table: `${options.table.database}.${options.table.table}`,
          flag,
        }),
      }),
    get queries() {
      return queries;
    },

    async summarize(query) {
      layout ??= tableLayout(deps.glue, options.table, flag);
      const resolved = await layout;
      const scope = regionScope(resolved, options);
      const context = { window: query.window, userName: query.userName };
      shortfall = undefined;
      if (scope.searched.length === 0) {
        shortfall = 'nothing-held';
        return summariesOfRows(query.accessKeyIds, [], {
          ...context,
          regionsSearched: [],
          regionsFailed: scope.failed,
        });
      }
      let rows: FacetRow[];
      let accountsFailed: FailedRegion[] = [];
      try {
        // Inside: a lookup that fails leaves these keys unsearched, as a failed query does.
        const asked =
          resolved.partitions.account && deps.accountsOf ? await deps.accountsOf(query.accessKeyIds) : undefined;
        const { accounts, failed } = accountScope(resolved, asked, options);
        accountsFailed = failed;
        if (failed.length > 0 && accounts?.length === 0) {
          shortfall = 'nothing-held';
          return summariesOfRows(query.accessKeyIds, [], {
            ...context,
            regionsSearched: [],
            regionsFailed: [...scope.failed, ...failed],
          });
        }
        const sql = activitySql(resolved, {
          accessKeyIds: query.accessKeyIds,
          window: query.window,
          regions: scope.regions,
          accounts,
        });
        const answer = await runAthenaQuery(deps, sql, {
          workgroup: options.workgroup,
          outputLocation: options.outputLocation,
          deadline: query.deadline,
          signal: options.signal,
          pollMs: options.pollMs,
          onProgress: query.onProgress,
          onEnded: (statistics) => queries.push(statistics),
        });
        rows = answer.rows as unknown as FacetRow[];
      } catch (error) {
        if (!isExposedKeysError(error) || error.code === 'INTERRUPTED') throw error;
        shortfall = { error };
        const failed = [...scope.failed, ...accountsFailed, { region: where(options), error: error.message }];
        return summariesOfRows(query.accessKeyIds, [], { ...context, regionsSearched: [], regionsFailed: failed });
      }
      return summariesOfRows(query.accessKeyIds, rows, {
        ...context,
        regionsSearched: scope.searched,
        regionsFailed: [...scope.failed, ...accountsFailed],
      });
    },
  };
}

/**
 * The accounts a query reads: those asked that the table holds. A table whose accounts are
 * projected from a list holds no other (partition projection makes no partition for it): an
 * account outside the list is not searched, and said, never read as an account that did nothing.
 */
function accountScope(
  layout: TableLayout,
  asked: readonly string[] | undefined,
  options: AthenaSourceOptions,
): { accounts: readonly string[] | undefined; failed: FailedRegion[] } {
  const listed = layout.accountValues;
  // No account known (asked is empty): the query reads every account, as the table holds them.
  if (!asked?.length || !listed) return { accounts: asked, failed: [] };
  const held = new Set(listed);
  return {
    accounts: asked.filter((account) => held.has(account)),
    failed: asked
      .filter((account) => !held.has(account))
      .map((account) => ({
        region: `(every region) of account ${account}`,
        error: `the table ${where(options)} holds no partition for account ${account} (it is not in projection.${layout.partitions.account}.values): add it there, or search the key with LookupEvents in that account`,
      })),
  };
}

/** Which regions a query reads, what the summary says it searched, and the regions the table cannot hold. */
interface RegionScope {
  /** The region partitions to read; every one when undefined. */
  regions: readonly string[] | undefined;
  searched: string[];
  failed: FailedRegion[];
}

/** Why a region asked for is not searched when the AWS SDK does not know it (a typo, most often). */
const UNKNOWN_REGION =
  'not a region AWS has, as this version knows them: not searched (check its spelling; a region AWS opened since needs a newer exposed-keys)';

/**
 * The regions a query of `layout` reads. A table whose regions are projected from a list holds
 * no other region (partition projection makes no partition for it): a region asked for outside
 * the list is reported as not searched, and "every region" is the list's regions, named, since
 * a region AWS opened after the table was made is not among them. Otherwise a region asked for
 * that AWS does not have, as the SDK knows them, is reported as not searched: as a partition
 * value it would match nothing, and read as a region where the key did nothing.
 */
function regionScope(layout: TableLayout, options: AthenaSourceOptions): RegionScope {
  const listed = layout.regionValues;
  if (!listed) {
    const asked = options.regions ?? [];
    const failed = asked
      .filter((region) => !isKnownRegion(region))
      .map((region) => ({ region, error: UNKNOWN_REGION }));
    if (!layout.partitions.region || asked.length === 0)
      return { regions: undefined, searched: [`(every region) ${where(options)}`], failed };
    const known = asked.filter(isKnownRegion);
    return { regions: known, searched: [...known], failed };
  }
  const asked = options.regions?.length ? options.regions : undefined;
  const held = new Set(listed);
  const regions = asked ? asked.filter((region) => held.has(region)) : listed;
  const failed = (asked ?? [])
    .filter((region) => !held.has(region))
    .map((region) => ({
      region,
      error: `the table ${where(options)} holds no partition for this region (it is not in projection.${layout.partitions.region}.values): add it there, or search it with LookupEvents`,
    }));
  return { regions: asked ? regions : undefined, searched: [...regions], failed };
}
