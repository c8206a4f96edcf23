import { shownText } from '../../common/untrusted-text.js';
import type { DestroyResult } from '../../deploy/destroy.js';
import type { DestroyReport } from '../../deploy/run-destroy.js';
import type { Palette } from '../output.js';

/** A removal as `destroy --json` prints it. */
export function destroyJson(report: Extract<DestroyReport, { outcome: 'destroyed' }>): DestroyResult {
  const { outcome: _outcome, ...result } = report;
  return result;
}

/** A removal as a person reads it. */
export function renderDestroyReport(report: DestroyResult, region: string, palette: Palette): string {
  const lines = [
    report.status === 'nothing-to-delete'
      ? `Nothing to delete: there is no stack ${report.stackName} in ${region}.`
      : palette.green(`Deleted ${report.stackName} and its resources.`),
  ];
  if (report.bucket)
    lines.push(
      `Bucket ${report.bucket.bucket}: ${report.bucket.status} (${report.bucket.objectsDeleted} objects deleted)${report.bucket.reason ? `: ${shownText(report.bucket.reason)}` : ''}.`,
    );
  return lines.join('\n');
}
