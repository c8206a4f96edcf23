import { isRegionName } from '../../aws/aws-names.js';
import { isKnownRegion } from '../../aws/known-regions.js';
import { compareText } from '../../common/compare-text.js';
import { shownValue } from '../../common/untrusted-text.js';
import { windowFlags } from '../activity-summary.js';
import type { TableLayout } from './activity-sql.js';

/**
 * A place a read leaves unsearched, and why: the reason is written for each key, since the command
 * that searches it elsewhere names the key.
 */
export interface Unsearched {
  /** A region, or what stands for one (`(every region) of account …`), as `regions.failed` names it. */
  region: string;
  /** Why, for a key over the window its summary covers: a command that searches it elsewhere names both. */
  why: (accessKeyId: string, window: { start: string; end: string }) => string;
}

/** Which regions a query reads, what the summary says it searched, and the regions asked for that it cannot. */
export interface RegionScope {
  /** The region partitions to read; every one when undefined. */
  regions: readonly string[] | undefined;
  searched: string[];
  unsearched: Unsearched[];
}

/** Why a region asked for is not searched when the AWS SDK does not know it (a typo, most often). */
const UNKNOWN_REGION =
  'not a region AWS has, as this version knows them: not searched (check its spelling; a region AWS opened since needs a newer exposed-keys)';

/**
 * The value of a projected list that is `value` with white space around it: Athena keeps the white
 * space as part of the value, so that partition's folder is not `value`'s, and nothing is read of it.
 */
function padded(listed: readonly string[], value: string): string | undefined {
  return listed.find((held) => held !== value && held.trim() === value);
}

/** Why nothing of `what` is read when the projected list holds it with white space around it. */
function paddedWhy(table: string, column: string | undefined, value: string, what: string): string {
  return `projection.${column}.values of the table ${table} holds "${shownValue(value, 80)}", with white space that Athena keeps as part of the value, so no partition of ${what} is read: remove the white space from the table property`;
}

/** The table's location as it may be shown: inert, and cut to a line. */
function shownLocation(layout: TableLayout): string {
  return shownValue(layout.location?.uri ?? '', 200);
}

/**
 * The regions a query of `layout` reads, for the regions `asked` (every one when none). A table
 * whose location names one region's folder holds that region only: it is searched under its name,
 * and any other asked for is reported as not searched, with where to search it. A table whose
 * regions are projected from a list holds no other region (partition projection makes no
 * partition for it): a region asked for outside the list is reported as not searched, and "every
 * region" is the list's regions, named, since a region AWS opened after the table was made is not
 * among them: each region `enabled` (the account's) that the list lacks is reported as not
 * searched, with what to do. Otherwise a region asked for that AWS does not have, as the SDK knows them, is
 * reported as not searched (as a partition value it would match nothing, and read as a region
 * where the key did nothing), and "every region" is what the table holds, said so.
 */
export function regionScope(
  layout: TableLayout,
  asked: readonly string[] = [],
  table: string,
  enabled?: readonly string[],
): RegionScope {
  const only = layout.location?.region;
  if (only)
    return {
      regions: undefined,
      searched: asked.length === 0 || asked.includes(only) ? [only] : [],
      unsearched: asked
        .filter((region) => region !== only)
        .map((region) => ({
          region,
          why: (key, window) =>
            `the table ${table} holds only ${only} (its location is ${shownLocation(layout)}): search ${region} with another table, or with LookupEvents: exposed-keys investigate --key ${key} --regions ${region}${windowFlags(window)}`,
        })),
    };
  const listed = layout.regionValues;
  if (listed) {
    const column = layout.partitions.region;
    const held = new Set(listed);
    const elsewhere = (key: string, region: string, window: { start: string; end: string }) =>
      `or search it with LookupEvents: exposed-keys investigate --key ${key} --regions ${region}${windowFlags(window)}`;
    const notHeld = (region: string): Unsearched => {
      const value = padded(listed, region);
      return {
        region,
        why: (key, window) =>
          value
            ? `${paddedWhy(table, column, value, region)}, ${elsewhere(key, region, window)}`
            : `the table ${table} holds no partition for this region (it is not in projection.${column}.values): add it there, ${elsewhere(key, region, window)}`,
      };
    };
    if (asked.length > 0) {
      const regions = asked.filter((region) => held.has(region));
      return { regions, searched: [...regions], unsearched: asked.filter((region) => !held.has(region)).map(notHeld) };
    }
    // Every region: those the list holds as written; a region written with white space holds nothing,
    // nor does one enabled in the account that the list lacks (one AWS opened since the table was made).
    const spaced = listed.map((value) => value.trim()).filter(isRegionName);
    const missing = new Set([...spaced, ...(enabled ?? [])].filter((region) => !held.has(region)));
    return {
      regions: undefined,
      searched: listed.filter((value) => value === value.trim()),
      unsearched: [...missing].sort(compareText).map(notHeld),
    };
  }
  const unsearched = asked
    .filter((region) => !isKnownRegion(region))
    .map((region) => ({ region, why: () => UNKNOWN_REGION }));
  // Not partitioned by region, the table is read whole, whatever regions it holds.
  if (!layout.partitions.region || asked.length === 0)
    return { regions: undefined, searched: [`(every region the table holds) ${table}`], unsearched };
  const known = asked.filter(isKnownRegion);
  return { regions: known, searched: [...known], unsearched };
}

/**
 * The accounts a query of `layout` reads, of those `asked` (the keys' accounts): those the table
 * holds. A table whose location names one account's folder holds that account only; a table whose
 * accounts are projected from a list holds no other (partition projection makes no partition for
 * it). An account it does not hold is reported as not searched, never read as an account that did
 * nothing. No account asked (none known): the query reads every account the table holds.
 */
export function accountScope(
  layout: TableLayout,
  asked: readonly string[] | undefined,
  table: string,
): { accounts: readonly string[] | undefined; unsearched: Unsearched[] } {
  if (!asked?.length) return { accounts: asked, unsearched: [] };
  const only = layout.location?.account;
  if (only)
    return {
      accounts: asked.filter((account) => account === only),
      unsearched: asked
        .filter((account) => account !== only)
        .map((account) => ({
          region: `(every region) of account ${account}`,
          why: (key, window) =>
            `the table ${table} holds only account ${only}'s trail (its location is ${shownLocation(layout)}): search account ${account}'s with another table, or with LookupEvents in that account: exposed-keys investigate --key ${key} --account ${account}${windowFlags(window)}`,
        })),
    };
  const listed = layout.accountValues;
  if (!listed) return { accounts: asked, unsearched: [] };
  const column = layout.partitions.account;
  const held = new Set(listed);
  return {
    accounts: asked.filter((account) => held.has(account)),
    unsearched: asked
      .filter((account) => !held.has(account))
      .map((account) => {
        const value = padded(listed, account);
        return {
          region: `(every region) of account ${account}`,
          why: () =>
            value
              ? `${paddedWhy(table, column, value, `account ${account}`)}, or search the key with LookupEvents in that account`
              : `the table ${table} holds no partition for account ${account} (it is not in projection.${column}.values): add it there, or search the key with LookupEvents in that account`,
        };
      }),
  };
}
