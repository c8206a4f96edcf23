import type { ActivityProgress } from '../../activity/activity-source.js';

/** One line on how reading the activity goes, whichever source reads it. */
export function renderActivityProgress(progress: ActivityProgress): string {
  switch (progress.kind) {
    case 'pages':
      return `Investigating ${progress.accessKeyId}: ${progress.region} page ${progress.pages} (${progress.events} events)`;
    case 'files':
      return `Reading log files: ${progress.filesRead} read, ${progress.filesSkipped} skipped, ${(progress.bytes / 1_048_576).toFixed(1)} MB`;
  }
}
