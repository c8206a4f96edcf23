import type { ActivityProgress, ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import type { QueryStatistics } from '../../activity/athena/athena-query.js';
import type { LogFilesReport } from '../../activity/log-files/log-files-source.js';
import type { AwsClients } from '../../aws/clients.js';
import { shellWord } from '../../common/shell-words.js';
import { DEFAULT_RESPONDER_ROLE_NAME } from '../../constants.js';
import { describeError, ExitCode, type ExitCodeValue, InterruptedError } from '../../errors.js';
import { grantsAccess, type Inventory, inventoryIncomplete } from '../../steps/inventory/inventory-types.js';
import { investigateKey, type SessionKeysNotSearched } from '../../steps/investigate.js';
import type { AccountTarget, AthenaRequest, LogFilesRequest } from '../options.js';
import { renderQueriesReport } from '../render/queries.js';
import { actingClients } from './acting-clients.js';

/** What `investigate` was asked. */
export interface InvestigationRequest {
  accessKeyId: string;
  window: TimeWindow;
  regions?: string[];
  /** A folder or s3://bucket/prefix of CloudTrail log files (and their cap); LookupEvents when absent. */
  logs?: LogFilesRequest;
  /** An Athena table (and where the results go); LookupEvents when absent. */
  athena?: AthenaRequest;
  followSessions: boolean;
  /** Also check, now, what the attacker left (read only). */
  inventory?: boolean;
  /** Read the activity in this member account, through its responder role (`--account`). */
  account?: AccountTarget;
  onProgress?: (progress: ActivityProgress) => void;
  /** Told what went wrong without stopping the investigation (Organizations not answering, say). */
  onWarning?: (text: string) => void;
  /**
   * Aborts on Ctrl-C: a running Athena query is stopped (and thrown); LookupEvents stops reading
   * and the outcome holds what was read, truncated; nor is the inventory taken. Log files are read
   * without one: they do not stop midway, so there Ctrl-C ends the process as usual.
   */
  signal?: AbortSignal;
}

/** What `investigate` found. */
export interface InvestigationOutcome {
  activity: ActivitySummary;
  sessionActivity: ActivitySummary[];
  /** The session keys minted that were not searched (past the limit, or out of time); absent when none. */
  sessionKeysNotSearched?: SessionKeysNotSearched;
  /** For log files: how many were read, skipped, outside the window, or unreadable. */
  files?: LogFilesReport;
  /** For Athena: each query run, with the bytes it scanned and its estimated cost. */
  queries?: readonly QueryStatistics[];
  /** What the attacker left, when asked for. */
  inventory?: Inventory;
}

/**
 * What the attacker left, checked with the caller's credentials: IAM, EC2 and Lambda of the regions
 * used, and Organizations when it answers (else trust is judged against this account alone).
 */
export async function inventoryWith(
  clients: AwsClients,
  summaries: readonly ActivitySummary[],
  keyOwner: string | null,
  accountId?: string | null,
): Promise<Inventory> {
  const { inventoryOrError } = await import('../../steps/inventory/take-inventory.js');
  const { callerAccount } = await import('../../aws/caller-account.js');
  const account = accountId ?? (await callerAccount(await clients.sts()).catch(() => null));
  return inventoryOrError(
    {
      iam: await clients.iam(),
      ec2: (region) => clients.inRegion(region).ec2(),
      lambda: (region) => clients.inRegion(region).lambda(),
      organizations: await clients.organizations(),
      accountId: account,
    },
    summaries,
    keyOwner,
  );
}

/**
 * The source the request names (`investigate`, and `respond`, which takes no log files): log files
 * when `logs` is given, Athena with `athena` (both read with the caller's credentials, where the
 * trail is), else LookupEvents in the account the key acts in (`acting`), which knows that account
 * (`--account`, else STS) when a session key of another is to be told apart.
 */
export async function sourceOf(
  clients: AwsClients,
  acting: AwsClients,
  request: Pick<InvestigationRequest, 'athena' | 'logs' | 'regions' | 'signal' | 'onWarning' | 'account'>,
): Promise<Source> {
  if (request.athena !== undefined) {
    const { athenaSourceFor } = await import('./athena-source.js');
    const { regions, signal, onWarning } = request;
    return athenaSourceFor(clients, request.athena, { regions, signal, onWarning });
  }
  if (request.logs !== undefined) {
    const { logFilesSource } = await import('../../activity/log-files/log-files-source.js');
    const { location, maxFileBytes } = request.logs;
    const s3 = /^s3:\/\//i.test(location) ? await clients.logsS3() : undefined;
    return logFilesSource({ s3 }, { location, ...(maxFileBytes === undefined ? {} : { maxFileBytes }) });
  }
  const { lookupEventsSource } = await import('../../activity/lookup-events/lookup-events-source.js');
  // Asked only when a session key of a named account was minted: its calls are recorded in that account.
  const account = async () =>
    request.account?.accountId ??
    (await (await import('../../aws/caller-account.js')).callerAccount(await acting.sts()));
  return lookupEventsSource(
    { cloudTrail: await acting.cloudTrail(), listRegions: () => acting.listRegions() },
    { regions: request.regions, signal: request.signal, account },
  );
}

/**
 * The inventory refused, when the key is another account's than the one it would be taken in: log
 * files and Athena read an organisation's trail, but IAM answers for one account, where all the
 * attacker made would be "gone". Null when it may be taken: LookupEvents read the account it is
 * taken in; the accounts match; `--account` named the account (a key of another account that
 * assumed a role there made things there: a warning says what is left unchecked); or STS cannot
 * say whose the key is (a warning says where it is taken).
 */
async function inventoryElsewhere(
  clients: AwsClients,
  acting: AwsClients,
  request: Pick<InvestigationRequest, 'accessKeyId' | 'account' | 'onWarning' | 'logs' | 'athena'>,
): Promise<Inventory | null> {
  if (!request.logs && !request.athena) return null;
  const [{ keyAccounts }, { callerAccount }] = await Promise.all([
    import('../../aws/key-accounts.js'),
    import('../../aws/caller-account.js'),
  ]);
  let here: string;
  let owner: string | undefined;
  try {
    here = request.account?.accountId ?? (await callerAccount(await acting.sts()));
    [owner] = await keyAccounts(await clients.sts())([request.accessKeyId]);
  } catch (error) {
    request.onWarning?.(
      `Could not tell whose key ${request.accessKeyId} is (${describeError(error)}): the inventory is taken in the account acted in, where what another account's key made would be listed as gone.`,
    );
    return null;
  }
  if (!owner || owner === here) return null;
  if (request.account) {
    request.onWarning?.(
      `Key ${request.accessKeyId} is account ${owner}'s: the inventory is taken in account ${here}, as --account asks, and what the key made in account ${owner} is not checked (add --account ${owner} for that).`,
    );
    return null;
  }
  return {
    items: [],
    trustedAccounts: 'this-account',
    truncated: false,
    error: `key ${request.accessKeyId} is account ${owner}'s, and the inventory would look in account ${here}, where everything the key made would seem gone. Take it there: add --account ${owner} (through its responder role), or run with a profile of that account; or, for what its session keys made here, add --account ${here}.`,
  };
}

/**
 * The flags that name where `investigate` read, each a shell word: the log files, the Athena table
 * (with its workgroup and results location), the member account (with its role when not the
 * default); for the command a caveat gives to search again there.
 */
export function searchedWith(request: Pick<InvestigationRequest, 'logs' | 'athena' | 'account'>): string {
  const { logs, athena, account } = request;
  const flags = [
    ...(logs ? ['--logs', logs.location] : []),
    ...(athena ? ['--athena-table', `${athena.table.database}.${athena.table.table}`] : []),
    ...(athena?.workgroup ? ['--workgroup', athena.workgroup] : []),
    ...(athena?.outputLocation ? ['--athena-output', athena.outputLocation] : []),
    ...(account ? ['--account', account.accountId] : []),
    ...(account && account.roleName !== DEFAULT_RESPONDER_ROLE_NAME ? ['--role-name', account.roleName] : []),
  ];
  return flags.map((flag) => ` ${shellWord(flag)}`).join('');
}

/** A source, with what it read (log files) or ran (Athena queries). */
export type Source = ActivitySource & { files?: LogFilesReport; queries?: readonly QueryStatistics[] };

/** Runs the investigation step over the chosen source. */
export async function runInvestigation(
  clients: AwsClients,
  request: InvestigationRequest,
): Promise<InvestigationOutcome> {
  // --account: checked first when the member's clients are used (LookupEvents there, or the
  // inventory); log files and Athena are read with the caller's credentials, where the trail is.
  const usesMember = request.inventory || (request.athena === undefined && request.logs === undefined);
  const { acting } = await actingClients(
    clients,
    usesMember ? request.account : undefined,
    request.accessKeyId,
    (text) => request.onWarning?.(text),
    'investigate',
  );
  const source = await sourceOf(clients, acting, request);
  const investigation = await investigateKey(
    { source },
    {
      accessKeyId: request.accessKeyId,
      window: request.window,
      followSessionKeys: request.followSessions,
      signal: request.signal,
      onProgress: request.onProgress,
      searchedWith: searchedWith(request),
    },
  ).catch((error: unknown) => {
    // Stopped during the key's own Athena query: what was scanned, and billed, is still said.
    if (!(error instanceof InterruptedError) || !source.queries?.length) throw error;
    throw error.saying(`${renderQueriesReport(source.queries)}.`);
  });
  const inventory =
    request.inventory && !request.signal?.aborted
      ? ((await inventoryElsewhere(clients, acting, request)) ??
        (await inventoryWith(
          acting,
          [investigation.activity, ...investigation.sessionActivity],
          investigation.activity.userName,
          request.account?.accountId,
        )))
      : undefined;
  return {
    ...investigation,
    ...(source.files ? { files: source.files } : {}),
    ...(source.queries ? { queries: source.queries } : {}),
    ...(inventory ? { inventory } : {}),
  };
}

/**
 * Whether `investigate` follows the session keys the key minted (the second hop): as asked, else
 * by default, except with `--json` alone, whose default output stays the summary contract (the
 * hop costs as much again); never skipped by default for an inventory, which would miss what the
 * session keys made.
 */
export function followsSessions(flags: { followSessions?: boolean; json?: boolean; inventory?: boolean }): boolean {
  return flags.followSessions ?? (!flags.json || flags.inventory === true);
}

/**
 * The exit code of an investigation: 130 when stopped with Ctrl-C; 4 when the inventory found a
 * way in the attacker made that outlives the key (a human must act); 3 when a region was not searched
 * to its end, for the key or for a session key it minted (what was read is shown), as for respond, or a
 * session key minted was not searched (past the ones followed, or out of time), or a log
 * file could not be read (`filesNotRead`: a file that exists and holds the window's events was
 * missed, which a reader of the summary alone would not see), or the inventory asked for could not
 * be taken, or the check of an item failed (an AWS call refused or in error), or it was taken from
 * a search that left a region, a log file or a session key out, or was cut short; else 0.
 */
export function investigationExitCode(
  result: {
    activity?: Pick<ActivitySummary, 'regions' | 'filesNotRead'>;
    sessionActivity?: Pick<ActivitySummary, 'regions' | 'filesNotRead'>[];
    sessionKeysNotSearched?: SessionKeysNotSearched;
    inventory?: Inventory;
  },
  interrupted: boolean,
): ExitCodeValue {
  if (interrupted) return ExitCode.interrupted;
  if (result.inventory?.items.some(grantsAccess)) return ExitCode.needsHuman;
  if (result.sessionKeysNotSearched) return ExitCode.awsFailed;
  // A region left out may hold the very calls looked for: a script reading --json must not take the search as complete.
  const unsearched = [result.activity, ...(result.sessionActivity ?? [])].some(
    (summary) => summary && (summary.regions.failed.length > 0 || (summary.filesNotRead?.count ?? 0) > 0),
  );
  if (unsearched) return ExitCode.awsFailed;
  return inventoryIncomplete(result.inventory) ? ExitCode.awsFailed : ExitCode.ok;
}
