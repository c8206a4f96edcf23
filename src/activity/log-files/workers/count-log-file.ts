import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { CloudTrailRecord } from '../../cloudtrail-record.js';
import { CompactDeliveryScanner } from '../compact-delivery-scanner.js';
import type { CountedEventId } from '../counted-event-ids.js';
import { decodedWhole } from '../decoded-chunks.js';
import { isWantedRecord, recordsOf } from '../delivery-parser.js';
import { tooLargeReason } from '../max-file-bytes.js';
import { reasonOf } from '../read-log-file.js';
import { recipientAccountOf } from '../recipient-account.js';
import { RecordFields } from '../record-fields/record-fields.js';
import type { WantedKeys } from '../wanted-keys.js';
import type { FileCount } from './protocol.js';

/** A file at most this large, as stored, is read whole at once; a larger one is left to streaming. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;
/**
 * The most text a file counted here may inflate to; one that would inflate to more (and is
 * allowed to) is left to the main thread, which streams it and takes turns with other large
 * files: so a thread holds at most this much text, and the objects of one file's records.
 */
const WHOLE_TEXT_BYTES = 8 * 1024 * 1024;

/*
 * A file's records are found by the WebAssembly module (see RecordFields) whenever it can run
 * and the file is a delivery it can read; otherwise in one of two ways whose costs cross: cutting
 * the text into records and parsing only those that mention a wanted key (and whose event id was
 * not counted already), or one JSON.parse of the whole text. Measured on the benchmark's data set (128 MB, 101,500 records),
 * cutting took 380 ms, parsing the records one by one 1.1 times parsing the whole text at once
 * (510 ms): the costs cross when about a quarter of the records are parsed. So a file is parsed
 * whole when, in the files before (each weighing half the one after it), more than
 * PARSE_WHOLE_SHARE of the records were counted; records whose ids were counted already, from
 * deliveries found again, are not, and a cut skips them unparsed. A file whose path names no
 * region is always cut (the cutter reads the regions its records name).
 */
const PARSE_WHOLE_SHARE = 0.25;

/** What counting a file takes, whichever thread counts it. */
export interface CountSettings {
  wanted: WantedKeys;
  /** The most text a file may hold, once inflated. */
  maxFileBytes: number;
  /** Whether a record's event id was counted already: then it is not parsed. */
  alreadyCounted?: CountedEventId;
  /** False to find records by cutting or parsing only, as where WebAssembly cannot run. */
  webAssembly?: boolean;
}

/** Counts a record: true when it was counted (made with a wanted key, in the window, not seen before). */
export type CountRecord = (record: CloudTrailRecord) => boolean;

/** A file left to the main thread. */
export const WHOLE: FileCount = { kind: 'whole' };

/**
 * The stored bytes of a file, read at once into `scratch` (or a larger buffer, returned as
 * `into`); null when it is too large, or its size is unknown.
 */
function readWhole(path: string, scratch: Buffer): { bytes: Buffer; into: Buffer } | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0 || size > WHOLE_FILE_BYTES) return null;
    const buffer = size <= scratch.length ? scratch : Buffer.allocUnsafeSlow(Math.max(size, 2 * scratch.length));
    let filled = 0;
    while (filled < size) {
      const bytesRead = readSync(fd, buffer, filled, size - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: buffer.subarray(0, filled), into: buffer };
  } finally {
    closeSync(fd);
  }
}

/** A file's records found, to count once the whole file was read; null when it must be read otherwise. */
interface Found {
  records: CloudTrailRecord[];
  regions: string[];
  /** The file's top-level records, counted or not. */
  seen: number;
}

/**
 * Counts local log files on one thread, each held whole (blocking costs nothing in a worker, and
 * a stream per file would cost more than the file): reads and inflates it at once, finds the
 * records that mention a wanted key (with WebAssembly, cut, or parsed whole: see above), and
 * counts them with `count`. A file too large to hold whole, or that a cut finds not to be a compact delivery, is
 * left to the main thread (`whole`), which reads it as it would without workers; so is a file one
 * of whose records does not parse, or whose text is not JSON: such a file counts nothing here.
 * Never throws for a file: one that cannot be read or inflated, or that holds more than
 * `maxFileBytes` of text, is `failed`, with the reason reading it on the main thread would give;
 * inflating stops as soon as it passes `maxFileBytes`.
 */
export class LogFileCounter {
  readonly #settings: CountSettings;
  readonly #count: CountRecord;
  #parseWhole = false;
  /** Finds the records of a delivery with WebAssembly; null where it cannot run (created on first use). */
  #fields: RecordFields | null | undefined;
  /*
   * Files are read into one buffer, again and again: a buffer per file would be memory outside
   * the heap, let go only when the heap is collected, which cutting files (allocating little)
   * makes rare: 60 MB more at the peak, measured, when the same deliveries are read four times.
   */
  #scratch: Buffer = Buffer.allocUnsafeSlow(256 * 1024);
  /** Records counted and seen in the files before, each file weighing half the one after it. */
  #counted = 0;
  #seen = 0;

  constructor(settings: CountSettings, count: CountRecord) {
    this.#settings = settings;
    this.#count = count;
  }

  /** Counts the file at `path`; `collectRegions`: list the regions its records name. */
  count(path: string, collectRegions: boolean): FileCount {
    const { maxFileBytes } = this.#settings;
    let stored: Buffer;
    try {
      const read = readWhole(path, this.#scratch);
      if (!read) return WHOLE;
      this.#scratch = read.into;
      stored = read.bytes;
    } catch (error) {
      return { kind: 'failed', reason: reasonOf(error), bytes: 0 };
    }
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
    const found =
      (collectRegions ? null : this.#found(text)) ??
      (this.#parseWhole && !collectRegions ? this.#parsed(text) : this.#cut(text, collectRegions));
    if (!found) return WHOLE;
    let counted = 0;
    for (const record of found.records) if (this.#count(record)) counted += 1;
    this.#counted = this.#counted / 2 + counted;
    this.#seen = this.#seen / 2 + found.seen;
    this.#parseWhole = this.#counted > PARSE_WHOLE_SHARE * this.#seen;
    return { kind: 'read', regions: found.regions, bytes: stored.length, recipient: recipientAccountOf(text) };
  }

  #found(text: Buffer): Found | null {
    if (this.#fields === undefined)
      this.#fields =
        this.#settings.webAssembly === false
          ? null
          : RecordFields.create(this.#settings.wanted, this.#settings.alreadyCounted);
    const found = this.#fields?.find(text);
    return found ? { records: found.records, regions: [], seen: found.seen } : null;
  }

  #cut(text: Buffer, collectRegions: boolean): Found | null {
    const scanner = new CompactDeliveryScanner(this.#settings.wanted, collectRegions, {
      alreadyCounted: this.#settings.alreadyCounted,
    });
    const content = scanner.push(text) ? scanner.end() : null;
    return content && { ...content, seen: scanner.recordsCut };
  }

  #parsed(text: Buffer): Found | null {
    let all: unknown[] | null;
    try {
      all = recordsOf(text);
    } catch {
      return null;
    }
    if (!all) return null;
    const { wanted } = this.#settings;
    return { records: all.filter((record) => isWantedRecord(record, wanted)), regions: [], seen: all.length };
  }
}
