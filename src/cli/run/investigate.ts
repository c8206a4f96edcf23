import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ActivityProgress, ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import type { LogFilesReport } from '../../activity/log-files/log-files-source.js';
import type { AwsClients } from '../../aws/clients.js';
import type { Inventory } from '../../steps/inventory/inventory-types.js';
import { investigateKey } from '../../steps/investigate.js';

/** What `investigate` was asked. */
export interface InvestigationRequest {
  accessKeyId: string;
  window: TimeWindow;
  regions?: string[];
  /** A folder or s3://bucket/prefix of CloudTrail log files; LookupEvents when absent. */
  logs?: string;
  followSessions: boolean;
  /** Also check, now, what the attacker left (read only). */
  inventory?: boolean;
  onProgress?: (progress: ActivityProgress) => void;
}

/** What `investigate` found. */
export interface InvestigationOutcome {
  activity: ActivitySummary;
  sessionActivity: ActivitySummary[];
  /** For log files: how many were read, skipped, outside the window, or unreadable. */
  files?: LogFilesReport;
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
  const account =
    accountId ??
    (await (
      await clients.sts()
    )
      .send(new GetCallerIdentityCommand({}))
      .then((answer) => answer.Account ?? null)
      .catch(() => null));
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

/** The source the request names: log files when `logs` is given, else LookupEvents. */
async function sourceOf(clients: AwsClients, request: InvestigationRequest) {
  if (request.logs !== undefined) {
    const { logFilesSource } = await import('../../activity/log-files/log-files-source.js');
    const s3 = request.logs.startsWith('s3://') ? await clients.s3() : undefined;
    return logFilesSource({ s3 }, { location: request.logs });
  }
  const { lookupEventsSource } = await import('../../activity/lookup-events/lookup-events-source.js');
  return lookupEventsSource(
    { cloudTrail: await clients.cloudTrail(), listRegions: () => clients.listRegions() },
    { regions: request.regions },
  );
}

/** Runs the investigation step over the chosen source. */
export async function runInvestigation(
  clients: AwsClients,
  request: InvestigationRequest,
): Promise<InvestigationOutcome> {
  const source: ActivitySource & { files?: LogFilesReport } = await sourceOf(clients, request);
  const investigation = await investigateKey(
    { source },
    {
      accessKeyId: request.accessKeyId,
      window: request.window,
      followSessionKeys: request.followSessions,
      onProgress: request.onProgress,
    },
  );
  const inventory = request.inventory
    ? await inventoryWith(
        clients,
        [investigation.activity, ...investigation.sessionActivity],
        investigation.activity.userName,
      )
    : undefined;
  return { ...investigation, ...(source.files ? { files: source.files } : {}), ...(inventory ? { inventory } : {}) };
}
