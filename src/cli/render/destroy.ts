import { shownText } from '../../common/untrusted-text.js';
import type { DestroyResult } from '../../deploy/destroy.js';
import { cancelledADeletion, cancelledSentence, type PendingFollowUps } from '../../deploy/pending-follow-ups.js';
import type { DestroyReport } from '../../deploy/run-destroy.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { Palette } from '../output.js';

/**
 * The exit code of a removal: 4 when it cancelled a deactivated key's deletion (a human must delete
 * the key); 130 when Ctrl-C left the bucket; 3 when the bucket asked for is still there (it could
 * not be deleted, or was kept: it holds what is not exposed-keys', or another stack runs from it),
 * or the follow-ups it cancelled could not be listed; else 0.
 */
export function destroyExitCode(
  report: Pick<DestroyResult, 'bucket' | 'interrupted'> & { followUps?: PendingFollowUps },
): ExitCodeValue {
  if (cancelledADeletion(report)) return ExitCode.needsHuman;
  if (report.interrupted) return ExitCode.interrupted;
  const bucketLeft = report.bucket?.status === 'failed' || report.bucket?.status === 'kept';
  if (bucketLeft || (report.followUps && 'error' in report.followUps)) return ExitCode.awsFailed;
  return ExitCode.ok;
}

/** A removal as `destroy --json` prints it. */
export function destroyJson(report: Extract<DestroyReport, { outcome: 'destroyed' }>): Record<string, unknown> {
  const { outcome: _outcome, ...result } = report;
  // Null, not left out, where there is none (no stack, no bucket asked for): a reader finds every key.
  return { ...result, stackId: result.stackId ?? null, bucket: result.bucket ?? null };
}

/**
 * What the removal cancelled that a human must now do by hand: each follow-up a key was waiting
 * on (a deactivated key's deletion above all), or that they could not be listed.
 */
export function cancelledFollowUpWarnings(report: { followUps?: PendingFollowUps }): string[] {
  const pending = report.followUps;
  if (!pending) return [];
  if ('error' in pending) return [shownText(cancelledSentence(pending))];
  return pending.followUps.map((followUp) =>
    shownText(
      followUp.kind === 'scheduled-deletion'
        ? `Cancelled with the stack: the deletion of ${followUp.accessKeyId}${followUp.at ? `, due ${followUp.at}` : ''}. The key stays inactive until someone deletes it: aws iam delete-access-key --access-key-id ${followUp.accessKeyId} --user-name <its user>.`
        : `Cancelled with the stack: the verification of ${followUp.accessKeyId}${followUp.at ? `, due ${followUp.at}` : ''}. Check by hand that the key stayed contained: exposed-keys investigate --key ${followUp.accessKeyId}.`,
    ),
  );
}

/** A removal as a person reads it. */
export function renderDestroyReport(report: DestroyResult, region: string, palette: Palette): string {
  const lines = [
    report.status === 'nothing-to-delete'
      ? `Nothing to delete: there is no stack ${report.stackName} in ${region}.`
      : palette.green(`Deleted ${report.stackName} and its resources.`),
  ];
  const bucket = bucketLine(report, palette);
  if (bucket) lines.push(bucket);
  return lines.join('\n');
}

/** What became of the artifact bucket, when it was to be deleted: a line of its own. */
export function bucketLine(report: Pick<DestroyResult, 'bucket'>, palette: Palette): string | undefined {
  if (report.bucket?.status === 'failed')
    return palette.red(
      `Bucket ${report.bucket.bucket}: NOT deleted: ${shownText(report.bucket.reason ?? 'no reason given')}.`,
    );
  if (report.bucket)
    return `Bucket ${report.bucket.bucket}: ${report.bucket.status} (${report.bucket.objectsDeleted} objects deleted)${report.bucket.reason ? `: ${shownText(report.bucket.reason)}` : ''}.`;
  return undefined;
}
