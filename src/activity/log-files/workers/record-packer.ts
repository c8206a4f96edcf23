import type { CloudTrailRecord } from '../../cloudtrail-record.js';
import type { CountedEventId } from '../counted-event-ids.js';
import type { PackedRecords } from './protocol.js';

const INITIAL_BYTES = 256 * 1024;

/** Packs the text of records end to end into one buffer, for a worker to transfer at once. */
export class RecordPacker {
  #buffer = Buffer.allocUnsafeSlow(0);
  #length = 0;
  readonly #ends: number[] = [];
  /** By record: where its event id starts and ends in the buffer (0, 0 when unknown). */
  readonly #eventIds: number[] = [];

  /** How many records were packed. */
  get count(): number {
    return this.#ends.length;
  }

  /** How many bytes of text were packed. */
  get bytes(): number {
    return this.#length;
  }

  /** Packs the record `bytes[start, end)`, and its event id `bytes[idStart, idEnd)` (idStart -1: unknown). */
  add(bytes: Buffer, start: number, end: number, idStart: number, idEnd: number): void {
    const needed = this.#length + end - start;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.#buffer.length, INITIAL_BYTES));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    const offset = this.#length - start;
    this.#length += bytes.copy(this.#buffer, this.#length, start, end);
    this.#ends.push(this.#length);
    if (idStart === -1) this.#eventIds.push(0, 0);
    else this.#eventIds.push(idStart + offset, idEnd + offset);
  }

  /** Lets go of the records packed after the first `count`. */
  truncate(count: number): void {
    this.#ends.length = count;
    this.#eventIds.length = 2 * count;
    this.#length = count === 0 ? 0 : (this.#ends[count - 1] as number);
  }

  /** The records packed; both buffers are the packer's own (allocated unpooled), safe to transfer. */
  packed(): PackedRecords {
    return {
      buffer: this.#buffer.buffer as ArrayBuffer,
      ends: Uint32Array.from(this.#ends),
      eventIds: Uint32Array.from(this.#eventIds),
    };
  }
}

/**
 * Parses `count` packed records from record `first` on, but those whose event id was counted
 * already; null when one of them is not valid JSON (then the file
 * must be parsed whole, as the scanner would have done).
 */
export function parsePackedRecords(
  packed: PackedRecords,
  first: number,
  count: number,
  alreadyCounted?: CountedEventId,
): CloudTrailRecord[] | null {
  const text = Buffer.from(packed.buffer);
  const records: CloudTrailRecord[] = [];
  for (let index = first; index < first + count; index += 1) {
    const start = index === 0 ? 0 : (packed.ends[index - 1] as number);
    const idStart = packed.eventIds[2 * index] as number;
    const idEnd = packed.eventIds[2 * index + 1] as number;
    if (alreadyCounted && idEnd > idStart && alreadyCounted(text, idStart, idEnd)) continue;
    try {
      records.push(JSON.parse(text.toString('utf8', start, packed.ends[index])) as CloudTrailRecord);
    } catch {
      return null;
    }
  }
  return records;
}
