import type { ActivityProgress } from '../../activity/activity-source.js';
import { shownValue } from '../../common/untrusted-text.js';

/** One line on how reading the activity goes, whichever source reads it. */
export function renderActivityProgress(progress: ActivityProgress): string {
  switch (progress.kind) {
    case 'pages':
      // The key may be a session key CloudTrail named, the region one it gave: shown inert.
      return `Investigating ${shownValue(progress.accessKeyId, 40)}: ${shownValue(progress.region, 40)} page ${progress.pages} (${progress.events} events)`;
    case 'files':
      return `Reading log files: ${progress.filesRead} read, ${progress.filesSkipped} skipped, ${(progress.bytes / 1_048_576).toFixed(1)} MB`;
    case 'query':
      return `Athena query ${progress.state.toLowerCase()}: ${formatBytes(progress.bytesScanned)} scanned, ${Math.round(progress.elapsedMs / 1000)} s (Ctrl-C stops it)`;
  }
}

/** Bytes in the largest decimal unit that keeps the number at least 1, as Athena's console shows them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
