import type { CloudTrailRecord } from '../../cloudtrail-record.js';
import type { PackedRecords } from './protocol.js';

const INITIAL_BYTES = 256 * 1024;

/** Packs the text of records end to end into one buffer, for a worker to transfer at once. */
export class RecordPacker {
  #buffer = Buffer.allocUnsafeSlow(0);
  #length = 0;
  readonly #ends: number[] = [];

  /** How many records were packed. */
  get count(): number {
    return this.#ends.length;
  }

  /** How many bytes of text were packed. */
  get bytes(): number {
    return this.#length;
  }

  /** Packs the record `bytes[start, end)`. */
  add(bytes: Buffer, start: number, end: number): void {
    const needed = this.#length + end - start;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.#buffer.length, INITIAL_BYTES));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += bytes.copy(this.#buffer, this.#length, start, end);
    this.#ends.push(this.#length);
  }

  /** Lets go of the records packed after the first `count`. */
  truncate(count: number): void {
    this.#ends.length = count;
    this.#length = count === 0 ? 0 : (this.#ends[count - 1] as number);
  }

  /** The records packed; both buffers are the packer's own (allocated unpooled), safe to transfer. */
  packed(): PackedRecords {
    return { buffer: this.#buffer.buffer as ArrayBuffer, ends: Uint32Array.from(this.#ends) };
  }
}

/**
 * Parses `count` packed records from record `first` on; null when one of them is not valid JSON
 * (then the file must be parsed whole, as the scanner would have done).
 */
export function parsePackedRecords(packed: PackedRecords, first: number, count: number): CloudTrailRecord[] | null {
  const text = Buffer.from(packed.buffer);
  const records: CloudTrailRecord[] = [];
  for (let index = first; index < first + count; index += 1) {
    const start = index === 0 ? 0 : (packed.ends[index - 1] as number);
    try {
      records.push(JSON.parse(text.toString('utf8', start, packed.ends[index])) as CloudTrailRecord);
    } catch {
      return null;
    }
  }
  return records;
}
