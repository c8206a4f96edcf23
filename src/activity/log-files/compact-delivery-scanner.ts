import type { CloudTrailRecord } from '../cloudtrail-record.js';
import type { CountedEventId } from './counted-event-ids.js';
import { CLOSE_BRACKET, COLON, isSpace, OPEN_BRACE, OPEN_BRACKET } from './json-bytes.js';
import { searchedRegionOf } from './searched-region.js';
import { TopLevelRecords } from './top-level-records.js';
import type { WantedKeys } from './wanted-keys.js';

/** What a log delivery holds for the wanted keys. */
export interface DeliveryContent {
  /** The records that may have been made with a wanted key (the summarizer filters exactly). */
  records: CloudTrailRecord[];
  /** The regions the file's records show searched (see {@link searchedRegionOf}), when asked for. */
  regions: string[];
}

/*
 * CloudTrail writes each delivery as compact JSON, `{"Records":[{"eventVersion":…},{"eventVersion":…}]}`.
 * Its head (`{"Records":[`, then `]` or a first record starting `{"eventVersion":`) tells such a
 * delivery; past it, the top-level records are cut exactly (see TopLevelRecords: an
 * object nested in a record is part of it, however it starts), and only those whose bytes contain
 * a wanted key are JSON.parsed: most of a file is never parsed. On anything the scanner does not
 * expect, it gives up, so that the file is parsed whole.
 */

const RECORD_START = Buffer.from('{"eventVersion":');
const RECORDS_KEY = Buffer.from('"Records"');
/**
 * The start of a `\uXXXX` escape: the only JSON escape that can stand for a letter or digit, so
 * the only way a key's text can be in a record without its bytes.
 */
const UNICODE_ESCAPE = Buffer.from('\\u');
/** A document whose first record has not started within this many bytes is not compact. */
const HEAD_LIMIT = 4096;

function skipSpace(bytes: Buffer, at: number): number {
  let index = at;
  while (isSpace(bytes[index])) index += 1;
  return index;
}

/** Where the records of a compact delivery start (just after `[`), or whether more bytes are needed to tell. */
function matchHead(bytes: Buffer): 'more' | 'other' | number {
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const expect = (literal: Buffer | number): 'more' | 'other' | 'ok' => {
    at = skipSpace(bytes, at);
    const expected = typeof literal === 'number' ? Buffer.of(literal) : literal;
    for (let index = 0; index < expected.length; index += 1, at += 1) {
      if (at >= bytes.length) return 'more';
      if (bytes[at] !== expected[index]) return 'other';
    }
    return 'ok';
  };
  for (const literal of [OPEN_BRACE, RECORDS_KEY, COLON, OPEN_BRACKET]) {
    const verdict = expect(literal);
    if (verdict !== 'ok') return verdict;
  }
  const records = at;
  at = skipSpace(bytes, at);
  if (at >= bytes.length) return 'more';
  if (bytes[at] === CLOSE_BRACKET) return records;
  for (let index = 0; index < RECORD_START.length; index += 1) {
    if (at + index >= bytes.length) return 'more';
    if (bytes[at + index] !== RECORD_START[index]) return 'other';
  }
  return records;
}

/** Options of a {@link CompactDeliveryScanner}. */
export interface ScannerOptions {
  /** Whether a record's event id was counted already: then it is not parsed at all. */
  alreadyCounted?: CountedEventId;
}

/** The next place of a pattern in a buffer, remembered while records of the buffer are looked at in order. */
class NextOccurrence {
  readonly #pattern: Buffer;
  #bytes: Buffer | null = null;
  #at = -1;

  constructor(pattern: Buffer) {
    this.#pattern = pattern;
  }

  /** The first place of the pattern in `bytes` at or after `from` (never less than at the last call on `bytes`); -1 if none. */
  from(bytes: Buffer, from: number): number {
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#at = bytes.indexOf(this.#pattern, from);
    } else if (this.#at !== -1 && this.#at < from) this.#at = bytes.indexOf(this.#pattern, from);
    return this.#at;
  }
}

/**
 * Finds, chunk by chunk, the records of a compact CloudTrail delivery that mention a wanted key
 * (or hold a `\uXXXX` escape, which could spell one), holding no more than one record of the
 * file's text at a time. `push` or `end` answering false/null means the file is not in the
 * compact shape: parse it whole instead.
 */
export class CompactDeliveryScanner {
  /** The wanted keys' bytes, and the start of an escape that may spell one. */
  readonly #wanted: readonly NextOccurrence[];
  readonly #collectRegions: boolean;
  #state: 'head' | 'records' | 'other' = 'head';
  /** Every byte pushed, while none has been let go. */
  #kept: Buffer[] | null = [];
  #keptBytes = 0;
  readonly #cutter = new TopLevelRecords((bytes, start, end, idStart, idEnd) =>
    this.#take(bytes, start, end, idStart, idEnd),
  );
  readonly #records: CloudTrailRecord[] = [];
  readonly #regions = new Set<string>();
  readonly #alreadyCounted: CountedEventId | undefined;
  #cut = 0;

  constructor(wanted: WantedKeys, collectRegions: boolean, options: ScannerOptions = {}) {
    this.#wanted = [...wanted.patterns, UNICODE_ESCAPE].map((pattern) => new NextOccurrence(pattern));
    this.#collectRegions = collectRegions;
    this.#alreadyCounted = options.alreadyCounted;
  }

  /** How many top-level records were cut so far, whether they mention a wanted key or not. */
  get recordsCut(): number {
    return this.#cut;
  }

  /** The bytes pushed so far, when none was let go, so that a whole parse can go on from them. */
  get kept(): Buffer[] | null {
    return this.#kept;
  }

  /** How many bytes of text the scanner holds. */
  get heldBytes(): number {
    return (this.#kept ? this.#keptBytes : 0) + this.#cutter.heldBytes;
  }

  /** Feeds the next chunk of text bytes; false when the file must be parsed whole. */
  push(chunk: Buffer): boolean {
    switch (this.#state) {
      case 'head':
        (this.#kept as Buffer[]).push(chunk);
        this.#keptBytes += chunk.length;
        return this.#pushHead();
      case 'records':
        return this.#cutter.push(chunk) || this.#fail();
      default:
        return false;
    }
  }

  /** Ends the file: what it holds for the wanted keys, or null when it must be parsed whole. */
  end(): DeliveryContent | null {
    if (this.#state !== 'records' || !this.#cutter.ended) return null;
    return { records: this.#records, regions: [...this.#regions] };
  }

  #fail(): false {
    this.#state = 'other';
    return false;
  }

  #pushHead(): boolean {
    const kept = this.#kept as Buffer[];
    // The first chunk almost always holds the head: join chunks only when it is cut short.
    const bytes = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
    const head = matchHead(bytes);
    if (head === 'more') return this.#keptBytes <= HEAD_LIMIT || this.#fail();
    if (head === 'other') return this.#fail();
    this.#state = 'records';
    // From here on, bytes are let go as records complete: a fallback must read the file again.
    this.#kept = null;
    return this.#cutter.push(bytes.subarray(head)) || this.#fail();
  }

  /**
   * Takes a complete record, `bytes[start, end)`: parsed when it mentions a wanted key, unless its
   * event id was counted already.
   */
  #take(bytes: Buffer, start: number, end: number, idStart: number, idEnd: number): boolean {
    this.#cut += 1;
    if (this.#collectRegions) return this.#takeWithRegion(bytes, start, end);
    if (!this.#mentionsWanted(bytes, start, end)) return true;
    if (idStart !== -1 && this.#alreadyCounted?.(bytes, idStart, idEnd)) return true;
    const record = parseRecord(bytes, start, end);
    if (record) this.#records.push(record);
    return record !== null;
  }

  /**
   * Takes a record of a file whose path names no region (rare: files moved or exported): parsed,
   * for its own `awsRegion` (a value of that name nested in the record, in a request say, is not
   * its region), as a whole parse of the file reads it.
   */
  #takeWithRegion(bytes: Buffer, start: number, end: number): boolean {
    const record = parseRecord(bytes, start, end);
    if (record === null) return false;
    const region = searchedRegionOf(record);
    if (region !== null) this.#regions.add(region);
    if (this.#mentionsWanted(bytes, start, end)) this.#records.push(record);
    return true;
  }

  /** Whether the record may have been made with a wanted key: it holds a key's bytes, or an escape that may spell one. */
  #mentionsWanted(bytes: Buffer, start: number, end: number): boolean {
    for (const pattern of this.#wanted) {
      const at = pattern.from(bytes, start);
      if (at !== -1 && at < end) return true;
    }
    return false;
  }
}

function parseRecord(bytes: Buffer, start: number, end: number): CloudTrailRecord | null {
  try {
    return JSON.parse(bytes.toString('utf8', start, end)) as CloudTrailRecord;
  } catch {
    return null;
  }
}
