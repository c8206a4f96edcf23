import { readLogFiles } from '../../activity/log-files/log-files.js';
import type { AwsClients } from '../../aws/clients.js';
import { InvalidInputError } from '../../errors.js';
import { MAX_SESSION_KEYS_FOLLOWED, sortBusiestFirst } from '../../steps/investigate.js';
import type { InvestigationOutcome, InvestigationRequest } from './investigate.js';

/**
 * Investigates from CloudTrail log files in a folder or under an S3 prefix: one pass for the key,
 * and, when asked, one more for the session keys it minted.
 */
export async function investigateLogFiles(
  clients: AwsClients,
  request: InvestigationRequest,
): Promise<InvestigationOutcome> {
  const location = request.logs as string;
  const s3 = location.startsWith('s3://') ? await clients.s3() : undefined;
  const onProgress = (progress: { filesRead: number; filesSkipped: number; bytes: number }) =>
    request.onProgress?.(
      `Reading log files: ${progress.filesRead} read, ${progress.filesSkipped} skipped, ${(progress.bytes / 1_048_576).toFixed(1)} MB`,
    );
  const first = await readLogFiles(
    { s3 },
    { location, accessKeyIds: [request.accessKeyId], window: request.window, onProgress },
  );
  const activity = first.summaries[0];
  if (!activity) throw new Error('the log-file source returned no summary');
  if (first.files.read === 0 && first.files.failed.length === 0 && first.files.outsideWindow === 0)
    throw new InvalidInputError(
      '--logs',
      `No CloudTrail log files were found under ${location} (${first.files.skipped} other files skipped).`,
      {
        hint: 'Point --logs at the folder or prefix that holds AWSLogs/<account>/CloudTrail/…, or at the .json(.gz) files themselves.',
      },
    );
  const files = {
    read: first.files.read,
    skipped: first.files.skipped,
    outsideWindow: first.files.outsideWindow,
    failed: first.files.failed.length,
  };
  if (!request.followSessions || activity.sessionKeys.length === 0) return { activity, sessionActivity: [], files };
  const second = await readLogFiles(
    { s3 },
    {
      location,
      accessKeyIds: activity.sessionKeys.slice(0, MAX_SESSION_KEYS_FOLLOWED),
      window: request.window,
      onProgress,
    },
  );
  return { activity, sessionActivity: sortBusiestFirst(second.summaries), files };
}
