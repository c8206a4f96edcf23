import type { ActivityProgress, ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import type { LogFilesReport } from '../../activity/log-files/log-files-source.js';
import type { AwsClients } from '../../aws/clients.js';
import { investigateKey } from '../../steps/investigate.js';
import type { AccountTarget } from '../options.js';

/** What `investigate` was asked. */
export interface InvestigationRequest {
  accessKeyId: string;
  window: TimeWindow;
  regions?: string[];
  /** A folder or s3://bucket/prefix of CloudTrail log files; LookupEvents when absent. */
  logs?: string;
  followSessions: boolean;
  /** Read the activity in this member account, through its responder role (`--account`). */
  account?: AccountTarget;
  onProgress?: (progress: ActivityProgress) => void;
}

/** What `investigate` found. */
export interface InvestigationOutcome {
  activity: ActivitySummary;
  sessionActivity: ActivitySummary[];
  /** For log files: how many were read, skipped, outside the window, or unreadable. */
  files?: LogFilesReport;
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
  const acting = request.account
    ? (await import('./member-clients.js')).memberClients(clients, request.account, request.accessKeyId)
    : clients;
  const source: ActivitySource & { files?: LogFilesReport } = await sourceOf(acting, request);
  const investigation = await investigateKey(
    { source },
    {
      accessKeyId: request.accessKeyId,
      window: request.window,
      followSessionKeys: request.followSessions,
      onProgress: request.onProgress,
    },
  );
  return { ...investigation, ...(source.files ? { files: source.files } : {}) };
}
