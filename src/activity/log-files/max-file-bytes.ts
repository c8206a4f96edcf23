const MIB = 1024 * 1024;

/**
 * The most text one log file may hold by default, once inflated: 128 MiB. A CloudTrail delivery
 * holds a few minutes of one region's events and is far smaller (the attack data set's 55
 * deliveries hold 2 KB to 0.5 MB of text each), so no real delivery comes near it; yet it bounds
 * what a single file can cost, where a 2.6 MB `.json.gz` of whitespace inflates to gigabytes.
 */
export const DEFAULT_MAX_FILE_BYTES = 128 * MIB;

function sizeInWords(bytes: number): string {
  if (bytes >= MIB) return `${Number((bytes / MIB).toFixed(1))} MiB`;
  return `${bytes} bytes`;
}

/**
 * Why a file was not read because its text passes `maxBytes`, as the failed-files list says it;
 * `gzipped` tells whether the text is what the file inflates to.
 */
export function tooLargeReason(maxBytes: number, gzipped: boolean): string {
  return `${gzipped ? 'inflates to' : 'holds'} more than ${sizeInWords(maxBytes)} (--max-file-mb)`;
}
