import type { GlueApi } from '../../aws/narrow-clients.js';
import { compareText } from '../../common/compare-text.js';
import { ATHENA_PRICE } from '../../constants.js';
import { describeError, InvestigationError, isExposedKeysError } from '../../errors.js';
import type { ActivitySource } from '../activity-source.js';
import type { ActivitySummary, FailedRegion } from '../activity-summary.js';
import { withGlobalEventsRegion } from '../global-events-region.js';
import { type FacetRow, type RowsContext, summariesOfRows } from './activity-rows.js';
import { activitySql, type TableLayout, type TableName } from './activity-sql.js';
import { type AthenaQueryDeps, type QueryStatistics, runAthenaQuery } from './athena-query.js';
import { heldWindow } from './held-days.js';
import { accountScope, regionScope, type Unsearched } from './read-scope.js';
import { tableLayout } from './table-layout.js';
import { type Shortfall, unsearchableHint } from './unsearchable-hint.js';

/** What the `athena` source needs. */
export interface AthenaSourceDeps extends AthenaQueryDeps {
  glue: GlueApi;
  /**
   * The accounts whose partitions hold the keys' activity (for a table partitioned by account, or
   * whose location holds one account): the accounts the keys belong to (STS GetAccessKeyInfo), or
   * those the responder named.
   */
  accountsOf?: (accessKeyIds: readonly string[]) => Promise<readonly string[]>;
  /**
   * The regions enabled in the account (ec2:DescribeRegions), asked only when every region is read
   * from a table whose regions are projected from a list: those the list lacks are not searched.
   */
  listRegions?: () => Promise<readonly string[]>;
}

/** Where and how the `athena` source reads. */
export interface AthenaSourceOptions {
  table: TableName;
  /** The flag or setting that named the table, for errors. */
  tableFlag?: string;
  workgroup?: string;
  outputLocation?: string;
  /** Regions to read, us-east-1 always among them (see withGlobalEventsRegion); every region the table holds when absent or empty. */
  regions?: readonly string[];
  /** When it aborts, the running query is stopped. */
  signal?: AbortSignal;
  pollMs?: number;
  /** The time now, for a date projection's range relative to it (`NOW`); default: the clock. */
  clock?: () => Date;
  /** The region whose catalog holds the table (each region has its own), named when it is not found. */
  catalogRegion?: string;
  /** Told, before the first query, what a person should know of its cost: a table read whole. */
  onWarning?: (text: string) => void;
}

/** The `athena` source, and the queries it ran (bytes scanned, estimated cost). */
export interface AthenaSource extends ActivitySource {
  readonly queries: readonly QueryStatistics[];
}

function where(options: AthenaSourceOptions): string {
  return `athena:${options.table.database}.${options.table.table}`;
}

/**
 * Why each query reads the whole table, when it can prune on no day: partitions added by hand
 * (`year`/`month`/`day`, or days in another form) hold values whose form is unknown, so a range of
 * days might match none of them and find nothing; the table is read whole, which Athena bills.
 */
function wholeTableWarning(options: AthenaSourceOptions): string {
  return `The table ${options.table.database}.${options.table.table} has no day partition the query can prune on (a partition column projected as CloudTrail's yyyy/MM/dd days, with projection.enabled true): each query reads every day the table holds, not the window's alone, and Athena bills every byte scanned (USD ${ATHENA_PRICE.usdPerTerabyte} per TB). Partitions added by hand are not pruned on; a table with partition projection, such as the stack's (deploy --trail-bucket), is read over the window's days only.`;
}

/** The regions enabled in the account, or why they could not be listed. */
type AccountRegions = { regions: readonly string[]; error?: undefined } | { regions?: undefined; error: unknown };

function settled(listed: Promise<readonly string[]>): Promise<AccountRegions> {
  return listed.then(
    (regions): AccountRegions => ({ regions }),
    (error: unknown): AccountRegions => ({ error }),
  );
}

/** The regions a projected list lacks, unknown when the account's regions could not be listed. */
function unlisted(layout: TableLayout, table: string, error: unknown): Unsearched {
  const column = layout.partitions.region;
  return {
    region: `(regions outside projection.${column}.values) ${table}`,
    why: () =>
      `the regions enabled in the account could not be listed (${describeError(error)}), so which of them the table's list lacks, and were not searched, is not known: allow ec2:DescribeRegions, name the regions with --regions, or search them with LookupEvents`,
  };
}

/**
 * The summaries of `rows`, each key's listing what was not searched, and why, in its own words;
 * `truncated` when the table held only part of the window. `context.regionsFailed` holds the
 * failures common to every key (a query that failed).
 */
function summariesOf(
  accessKeyIds: readonly string[],
  rows: readonly FacetRow[],
  context: RowsContext,
  unsearched: readonly Unsearched[],
  truncated = false,
): ActivitySummary[] {
  return summariesOfRows(accessKeyIds, rows, context).map((summary) => {
    const own = unsearched.map((place) => ({
      region: place.region,
      error: place.why(summary.accessKeyId, summary.window),
    }));
    const failed: FailedRegion[] = [...summary.regions.failed, ...own].sort((a, b) => compareText(a.region, b.region));
    return { ...summary, regions: { ...summary.regions, failed }, truncated: summary.truncated || truncated };
  });
}

/**
 * CloudTrail in S3, queried with Athena through a Glue table: one query per read, for all the keys
 * asked, that counts in the engine and returns only aggregates and risky events, pruned to the
 * window's days and to the regions (those asked, with us-east-1, where IAM and STS calls are
 * recorded) and accounts where the table is partitioned by them (a table
 * with no day to prune on is read whole, and `onWarning` says so before the first query). What the
 * table cannot hold (a region or an account its location or its projection leaves out, days
 * outside its date projection's range) is reported as not searched, with where to search it,
 * never as searched; a window the table holds only part of is read over that part (the summary's
 * `window`), and the summary is truncated. A query that fails (or does not finish in time) is
 * reported in each summary's `regions.failed`, never dropped; a stop asked for (Ctrl-C) stops the
 * query and ends the investigation.
 */
export function athenaSource(deps: AthenaSourceDeps, options: AthenaSourceOptions): AthenaSource {
  const queries: QueryStatistics[] = [];
  const flag = options.tableFlag ?? '--athena-table';
  const table = where(options);
  let layout: Promise<TableLayout> | undefined;
  let enabled: Promise<AccountRegions> | undefined;
  // Why the last read searched nothing, for the hint of the investigation's failure.
  let shortfall: Shortfall;
  return {
    name: 'athena',
    unsearchable: (message) =>
      new InvestigationError(message, {
        hint: unsearchableHint(shortfall, { table: `${options.table.database}.${options.table.table}`, flag }),
      }),
    get queries() {
      return queries;
    },
    // Each read asks STS for its keys' accounts and reads their partitions, or says which it cannot.
    readsAccount: async () => true,

    async summarize(query) {
      layout ??= tableLayout(deps.glue, options.table, flag, options.catalogRegion).then((found) => {
        if (!found.partitions.date) options.onWarning?.(wholeTableWarning(options));
        return found;
      });
      const resolved = await layout;
      // Every region of a projected list: the account's regions tell those the list lacks.
      const everyListed = resolved.regionValues && !resolved.location?.region && !options.regions?.length;
      if (everyListed && deps.listRegions) enabled ??= settled(deps.listRegions());
      const account = everyListed ? await enabled : undefined;
      const asked = options.regions?.length ? withGlobalEventsRegion(options.regions) : options.regions;
      const regions = regionScope(resolved, asked, table, account?.regions);
      if (account && !account.regions) regions.unsearched.push(unlisted(resolved, table, account.error));
      const held = heldWindow(resolved, query.window, options.clock?.() ?? new Date(), table);
      const nothingHeld = (unsearched: Unsearched[]) => {
        shortfall = 'nothing-held';
        const context = { window: query.window, userName: query.userName, regionsSearched: [] };
        return summariesOf(query.accessKeyIds, [], context, unsearched);
      };
      shortfall = undefined;
      if (regions.searched.length === 0) return nothingHeld(regions.unsearched);
      // Outside the days the table holds, every region it would have read is not searched.
      if (!held.window)
        return nothingHeld([...regions.unsearched, ...regions.searched.map((region) => ({ region, why: held.why }))]);
      const context = { window: held.window, userName: query.userName, regionsSearched: [] };
      let rows: FacetRow[];
      let unsearched = regions.unsearched;
      try {
        // Inside: a lookup that fails leaves these keys unsearched, as a failed query does.
        const byAccount = resolved.partitions.account || resolved.location?.account;
        const asked = byAccount && deps.accountsOf ? await deps.accountsOf(query.accessKeyIds) : undefined;
        const { accounts, unsearched: outside } = accountScope(resolved, asked, table);
        unsearched = [...unsearched, ...outside];
        if (outside.length > 0 && accounts?.length === 0) return nothingHeld(unsearched);
        const sql = activitySql(resolved, {
          accessKeyIds: query.accessKeyIds,
          window: held.window,
          regions: regions.regions,
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
        const failed = [{ region: table, error: error.message }];
        return summariesOf(query.accessKeyIds, [], { ...context, regionsFailed: failed }, [
          ...unsearched,
          ...held.unsearched,
        ]);
      }
      return summariesOf(
        query.accessKeyIds,
        rows,
        { ...context, regionsSearched: regions.searched },
        [...unsearched, ...held.unsearched],
        held.cut,
      );
    },
  };
}
