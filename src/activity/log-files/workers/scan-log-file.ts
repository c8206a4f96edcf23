import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CompactDeliveryScanner } from '../compact-delivery-scanner.js';
import { decodedWhole } from '../decoded-chunks.js';
import { reasonOf } from '../read-log-file.js';
import type { WantedKeys } from '../wanted-keys.js';
import type { FileScan } from './protocol.js';
import type { RecordPacker } from './record-packer.js';

/** A file at most this large, as stored, is read whole at once; a larger one is left to streaming. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;
/** The most text a file read whole may inflate to; one that would inflate to more is left to streaming. */
const WHOLE_TEXT_BYTES = 64 * 1024 * 1024;

const WHOLE: FileScan = { kind: 'whole' };

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
 * packed records turn out not to parse. Never throws: a file that cannot be read or inflated is
 * `failed`, with the reason reading it on the main thread would give.
 */
export function scanLogFile(path: string, wanted: WantedKeys, collectRegions: boolean, packer: RecordPacker): FileScan {
  let stored: Buffer | null;
  try {
    stored = readWhole(path);
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error), bytes: 0 };
  }
  if (!stored) return WHOLE;
  let text: Buffer | null;
  try {
    text = decodedWhole(stored, WHOLE_TEXT_BYTES);
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error), bytes: stored.length };
  }
  if (!text) return WHOLE;
  const first = packer.count;
  const scanner = new CompactDeliveryScanner(wanted, collectRegions, (bytes, start, end) =>
    packer.add(bytes, start, end),
  );
  const content = scanner.push(text) ? scanner.end() : null;
  if (!content) {
    packer.truncate(first);
    return WHOLE;
  }
  return { kind: 'compact', records: packer.count - first, regions: content.regions, bytes: stored.length };
}
