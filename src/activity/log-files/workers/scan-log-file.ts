import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CompactDeliveryScanner } from '../compact-delivery-scanner.js';
import type { CountedEventId } from '../counted-event-ids.js';
import { decodedWhole } from '../decoded-chunks.js';
import { tooLargeReason } from '../max-file-bytes.js';
import { reasonOf } from '../read-log-file.js';
import type { WantedKeys } from '../wanted-keys.js';
import type { FileScan } from './protocol.js';
import type { RecordPacker } from './record-packer.js';

/** A file at most this large, as stored, is read whole at once; a larger one is left to streaming. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;
/**
 * The most text a file read whole may inflate to; one that would inflate to more (and is allowed
 * to) is left to streaming.
 */
const WHOLE_TEXT_BYTES = 64 * 1024 * 1024;

/**
 * The most record text one file may pack; a file whose records that mention a key take more is
 * left to the main thread, which holds one record at a time: answers stay small.
 */
const PACKED_FILE_BYTES = 8 * 1024 * 1024;

/** What scanning a file takes, whichever thread scans it. */
export interface ScanSettings {
  wanted: WantedKeys;
  /** The most text a file may hold, once inflated. */
  maxFileBytes: number;
  /** Whether a record's event id was counted already: then it is not packed. */
  alreadyCounted?: CountedEventId;
}

/** A file left to the main thread. */
export const WHOLE: FileScan = { kind: 'whole' };

/** The stored bytes of a file, read at once; null when it is too large, or its size is unknown. */
function readWhole(path: string): Buffer | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0 || size > WHOLE_FILE_BYTES) return null;
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const bytesRead = readSync(fd, buffer, filled, size - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? buffer : buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * Scans a local log file in a worker thread: reads it whole and inflates it at once (blocking
 * costs nothing here, and a stream per file would cost more than the file), then finds the
 * records of a compact delivery that mention a wanted key, and packs their text for the main
 * thread to parse. A file that is not a compact delivery, or too large to hold whole, is left to
 * the main thread (`whole`), which reads it as it would without workers; so is a file whose
 * packed records turn out not to parse. Never throws: a file that cannot be read or inflated, or
 * that holds more than `maxFileBytes` of text, is `failed`, with the reason reading it on the main
 * thread would give; inflating stops as soon as it passes `maxFileBytes`. A record whose event id
 * was counted already is not packed.
 */
export function scanLogFile(
  path: string,
  collectRegions: boolean,
  settings: ScanSettings,
  packer: RecordPacker,
): FileScan {
  const { wanted, maxFileBytes, alreadyCounted } = settings;
  let stored: Buffer | null;
  try {
    stored = readWhole(path);
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error), bytes: 0 };
  }
  if (!stored) return WHOLE;
  let text: Buffer | null;
  try {
    text = decodedWhole(stored, Math.min(WHOLE_TEXT_BYTES, maxFileBytes));
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error), bytes: stored.length };
  }
  // Only a gzipped file comes back null: it would inflate to more than it was let.
  if (!text && maxFileBytes > WHOLE_TEXT_BYTES) return WHOLE;
  if (!text || text.length > maxFileBytes)
    return { kind: 'failed', reason: tooLargeReason(maxFileBytes, text === null), bytes: stored.length };
  const first = packer.count;
  const firstByte = packer.bytes;
  const scanner = new CompactDeliveryScanner(wanted, collectRegions, {
    sink: (bytes, start, end, idStart, idEnd) => packer.add(bytes, start, end, idStart, idEnd),
    alreadyCounted,
  });
  const content = scanner.push(text) ? scanner.end() : null;
  if (!content || packer.bytes - firstByte > PACKED_FILE_BYTES) {
    packer.truncate(first);
    return WHOLE;
  }
  return { kind: 'compact', records: packer.count - first, regions: content.regions, bytes: stored.length };
}
