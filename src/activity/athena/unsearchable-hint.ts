import { AwsCallError, CredentialsError, isExposedKeysError } from '../../errors.js';

/**
 * Why the `athena` source searched nothing: the error it met (a query's, or STS's), or nothing
 * asked for being in the table (a region or an account it does not hold); undefined when unknown.
 */
export type Shortfall = { error: unknown } | 'nothing-held' | undefined;

/** The table, and the flag that named it, for the hints. */
export interface HintContext {
  /** `database.table`. */
  table: string;
  /** The flag or setting that named the table (`--athena-table`). */
  flag: string;
}

/** What Athena says of a query with no results location: neither the workgroup nor the call names one. */
const NO_OUTPUT_LOCATION = /No output location provided/i;
/** What Athena says of a workgroup it does not have (AWS: "WorkGroup … is not found"; moto: "does not exist"). */
const UNKNOWN_WORKGROUP = /WorkGroup\b.*\b(is not found|does not exist)/i;

/** `error` and the errors it wraps, outermost first. */
function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && chain.length < 10; link = (link as { cause?: unknown }).cause) {
    chain.push(link);
    if (typeof link !== 'object' || link === null) break;
  }
  return chain;
}

/**
 * What a person should do when the `athena` source could search nothing, from why: search
 * elsewhere when the table holds nothing asked for; log in again when the credentials were refused
 * (their own hint); the permission or the flag that fixes a known refusal; the command an Athena
 * error names (to read the results of a query whose answer was lost); else what to check in general.
 */
export function unsearchableHint(shortfall: Shortfall, context: HintContext): string {
  const general = `Check that the caller may query ${context.table} with Athena (athena:StartQueryExecution, glue:GetTable, s3:GetObject on the trail, s3:PutObject on the results), and that the workgroup's bytes-scanned limit allows the window; or investigate with LookupEvents (without ${context.flag}).`;
  if (shortfall === 'nothing-held')
    return `${context.table} holds nothing asked for (each place not searched says why): search another table, or with LookupEvents (without ${context.flag}).`;
  if (shortfall === undefined) return general;
  const chain = chainOf(shortfall.error);
  const credentials = chain.find((link) => link instanceof CredentialsError);
  if (credentials?.hint) return credentials.hint;
  if (chain.some((link) => link instanceof AwsCallError && link.operation === 'sts:GetAccessKeyInfo'))
    return `STS did not tell the keys' accounts, whose partitions the query reads: allow the caller sts:GetAccessKeyInfo, or name the accounts with --accounts a,b (session keys are still looked up, for the accounts that minted them).`;
  const message = chain.map((link) => (link instanceof Error ? link.message : String(link))).join(' ');
  if (NO_OUTPUT_LOCATION.test(message))
    return 'Athena needs a place for the results: give --athena-output s3://bucket/prefix/, or a --workgroup whose settings name a results location.';
  if (UNKNOWN_WORKGROUP.test(message))
    return 'Athena has no such workgroup in this region: check --workgroup (aws athena list-work-groups), or leave it out for the primary workgroup with --athena-output s3://bucket/prefix/.';
  const own = chain.find((link) => isExposedKeysError(link) && link.hint);
  return isExposedKeysError(own) && own.hint ? own.hint : general;
}
