import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import type { AwsClients } from '../../aws/clients.js';
import { investigateKey } from '../../steps/investigate.js';

/** What `investigate` was asked. */
export interface InvestigationRequest {
  accessKeyId: string;
  window: TimeWindow;
  regions?: string[];
  /** A folder or s3://bucket/prefix of CloudTrail log files; LookupEvents when absent. */
  logs?: string;
  followSessions: boolean;
  onProgress?: (text: string) => void;
}

/** What `investigate` found. */
export interface InvestigationOutcome {
  activity: ActivitySummary;
  sessionActivity: ActivitySummary[];
  /** For log files: how many were read, skipped, outside the window, or unreadable. */
  files?: { read: number; skipped: number; outsideWindow: number; failed: number };
}

/** Runs the investigation from the chosen source. */
export async function runInvestigation(
  clients: AwsClients,
  request: InvestigationRequest,
): Promise<InvestigationOutcome> {
  if (request.logs !== undefined) {
    const { investigateLogFiles } = await import('./investigate-logs.js');
    return investigateLogFiles(clients, request);
  }
  return investigateKey(
    { cloudTrail: await clients.cloudTrail(), listRegions: () => clients.listRegions() },
    {
      accessKeyId: request.accessKeyId,
      window: request.window,
      regions: request.regions,
      followSessionKeys: request.followSessions,
      onProgress: (step) =>
        request.onProgress?.(
          `Investigating ${step.accessKeyId}: ${step.region} page ${step.pages} (${step.events} events)`,
        ),
    },
  );
}
