import type { DeployReport } from '../../deploy/run-deploy.js';
import type { Palette } from '../output.js';
import { renderDeployResult } from './stack.js';

/** A deployment as `deploy --json` prints it. */
export function deployJson(report: DeployReport): Record<string, unknown> {
  const summary = {
    stackName: report.stackName,
    artifact: report.artifact && {
      bucket: report.artifact.bucket,
      key: report.artifact.key,
      // Null, not left out, in a bucket without versions: a reader of the JSON finds every key.
      versionId: report.artifact.versionId ?? null,
      upload: report.artifact.upload,
      signing: report.artifact.signing,
      source: report.artifact.source,
    },
  };
  if (report.outcome === 'review' || report.outcome === 'aborted')
    return {
      ...summary,
      status: report.status,
      noChanges: false,
      changeSet: report.changeSetId ?? null,
      changes: report.changes,
    };
  return {
    ...summary,
    status: report.status,
    noChanges: report.outcome === 'no-changes',
    changes: report.changes,
    resources: report.resources,
    outputs: report.outputs,
  };
}

/** A deployment as a person reads it at the end. */
export function renderDeployReport(report: DeployReport, palette: Palette): string {
  if (report.outcome === 'review') return `Change set left for review: ${report.changeSetId}`;
  if (report.outcome === 'aborted' && !report.artifact) return 'Nothing was changed.';
  if (report.outcome === 'aborted')
    return report.deletedFailedStack
      ? `Change set discarded. The stack ${report.stackName} a failed first deploy left was deleted; nothing else was changed (the artifact stays in its bucket, for the next deploy).`
      : 'Nothing was changed: no change set was executed (the artifact stays in its bucket, for the next deploy).';
  return renderDeployResult(
    {
      stackName: report.stackName,
      stackId: report.stackId,
      status: report.status,
      state: report.state ?? 'succeeded',
      noChanges: report.outcome === 'no-changes',
      resources: report.resources,
      outputs: report.outputs,
      events: report.events,
    },
    palette,
  );
}
