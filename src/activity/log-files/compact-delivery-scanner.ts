import type { CloudTrailRecord } from '../cloudtrail-record.js';
import type { WantedKeys } from './wanted-keys.js';

/** What a log delivery holds for the wanted keys. */
export interface DeliveryContent {
  /** The records that may have been made with a wanted key (the summarizer filters exactly). */
  records: CloudTrailRecord[];
  /** The `awsRegion` values of the file's records, when asked for. */
  regions: string[];
}

/*
 * CloudTrail writes each delivery as compact JSON, `{"Records":[{"eventVersion":…},{"eventVersion":…}]}`.
 * The bytes `{"eventVersion":` cannot occur inside a JSON string (a quote there is escaped), so in
 * such a file they start a record; the scanner cuts records there and JSON.parses only those whose
 * bytes contain a wanted key: most of a file is never parsed. A nested object starting with the
 * same bytes would cut a record in two; a cut piece holding a key then fails to parse, and the
 * scanner gives up, as it does on anything it does not expect, so that the file is parsed whole.
 */

const RECORD_START = Buffer.from('{"eventVersion":');
const REGION_FIELD = Buffer.from('"awsRegion":"');
const RECORDS_KEY = Buffer.from('"Records"');
const REGION_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;
/** A document whose first record has not started within this many bytes is not compact. */
const HEAD_LIMIT = 4096;

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(bytes: Buffer, at: number): number {
  let index = at;
  while (isSpace(bytes[index])) index += 1;
  return index;
}

type Head = 'more' | 'other' | { records: boolean; at: number };

/** Where the records of a compact delivery start, or whether more bytes are needed to tell. */
function matchHead(bytes: Buffer): Head {
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
  at = skipSpace(bytes, at);
  if (at >= bytes.length) return 'more';
  if (bytes[at] === CLOSE_BRACKET) return { records: false, at };
  for (let index = 0; index < RECORD_START.length; index += 1) {
    if (at + index >= bytes.length) return 'more';
    if (bytes[at + index] !== RECORD_START[index]) return 'other';
  }
  return { records: true, at };
}

/**
 * Where the last record ends, given the document's tail `]` `}` (with any spaces) at the end of
 * `bytes`; -1 when the tail is not there (the file is cut short, or not compact).
 */
function tailEnd(bytes: Buffer): number {
  let at = bytes.length;
  for (const expected of [CLOSE_BRACE, CLOSE_BRACKET]) {
    while (at > 0 && isSpace(bytes[at - 1])) at -= 1;
    if (bytes[at - 1] !== expected) return -1;
    at -= 1;
  }
  while (at > 0 && isSpace(bytes[at - 1])) at -= 1;
  return at;
}

/**
 * Receives the text of a record instead of the scanner parsing it: `bytes[start, end)`, without
 * its separator, valid only during the call. The receiver must parse it, and parse the whole
 * file instead when it does not parse (the scanner would have given up).
 */
export type RecordSink = (bytes: Buffer, start: number, end: number) => void;

/**
 * Finds, chunk by chunk, the records of a compact CloudTrail delivery that mention a wanted key,
 * holding no more than one record of the file's text at a time. `push` or `end` answering
 * false/null means the file is not in the compact shape: parse it whole instead.
 */
export class CompactDeliveryScanner {
  readonly #wanted: WantedKeys;
  readonly #collectRegions: boolean;
  #state: 'head' | 'records' | 'empty' | 'other' = 'head';
  /** Every byte pushed, while none has been let go. */
  #kept: Buffer[] | null = [];
  #keptBytes = 0;
  /** Empty state: the bytes after `[`. */
  #pending: Buffer | null = null;
  /**
   * Records state: the bytes of the record not yet complete (they start a record), chunk by chunk,
   * joined once when it completes: joining them at each chunk would copy a long record once per
   * chunk, a time quadratic in its size.
   */
  #parts: Buffer[] = [];
  #partsBytes = 0;
  /** The last bytes of the parts, where a record start cut by the next chunk begins. */
  #partsTail: Buffer = Buffer.alloc(0);
  readonly #records: CloudTrailRecord[] = [];
  readonly #regions = new Set<string>();
  readonly #sink: RecordSink | undefined;

  /**
   * With a `sink`, the records found go there as text, unparsed (to be parsed on another
   * thread), and `end` gives no records.
   */
  constructor(wanted: WantedKeys, collectRegions: boolean, sink?: RecordSink) {
    this.#wanted = wanted;
    this.#collectRegions = collectRegions;
    this.#sink = sink;
  }

  /** The bytes pushed so far, when none was let go, so that a whole parse can go on from them. */
  get kept(): Buffer[] | null {
    return this.#kept;
  }

  /** How many bytes of text the scanner holds (at most: some may be counted twice). */
  get heldBytes(): number {
    return (this.#kept ? this.#keptBytes : 0) + (this.#pending?.length ?? 0) + this.#partsBytes;
  }

  /** Feeds the next chunk of text bytes; false when the file must be parsed whole. */
  push(chunk: Buffer): boolean {
    if (this.#kept) {
      this.#kept.push(chunk);
      this.#keptBytes += chunk.length;
    }
    switch (this.#state) {
      case 'head':
        return this.#pushHead();
      case 'records':
        return this.#feed(chunk);
      case 'empty':
        this.#pending = Buffer.concat([this.#pending ?? Buffer.alloc(0), chunk]);
        return this.#keptBytes <= HEAD_LIMIT || this.#fail();
      default:
        return false;
    }
  }

  /** Ends the file: what it holds for the wanted keys, or null when it must be parsed whole. */
  end(): DeliveryContent | null {
    if (this.#state === 'empty' && this.#pending && tailEnd(this.#pending) === 0) return { records: [], regions: [] };
    if (this.#state !== 'records' || this.#parts.length === 0) return null;
    const pending = Buffer.concat(this.#parts);
    const recordEnd = tailEnd(pending);
    if (recordEnd <= 0 || !this.#select(pending, 0, recordEnd, false)) return null;
    return { records: this.#records, regions: [...this.#regions] };
  }

  #fail(): false {
    this.#state = 'other';
    return false;
  }

  #pushHead(): boolean {
    const kept = this.#kept ?? [];
    // The first chunk almost always holds the head: join chunks only when it is cut short.
    const bytes = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
    const head = matchHead(bytes);
    if (head === 'more') return this.#keptBytes <= HEAD_LIMIT || this.#fail();
    if (head === 'other') return this.#fail();
    if (!head.records) {
      this.#state = 'empty';
      this.#pending = bytes.subarray(head.at);
      return true;
    }
    this.#state = 'records';
    return this.#feed(bytes.subarray(head.at));
  }

  /** Records state: takes in a chunk, handling each record once it is complete. */
  #feed(chunk: Buffer): boolean {
    // From here on, bytes are let go as records complete: a fallback must read the file again.
    this.#kept = null;
    let rest = chunk;
    if (this.#parts.length > 0) {
      const next = chunk.indexOf(RECORD_START);
      if (next === -1 && !this.#startsAcross(chunk)) {
        this.#addPart(chunk);
        return true;
      }
      // Up to the next record start: the pending record ends there (a start cut by the chunk
      // boundary is within the joined bytes, which #select cuts as well).
      const joined = Buffer.concat([...this.#parts, next === -1 ? chunk : chunk.subarray(0, next)]);
      this.#clearParts();
      if (next !== -1) {
        if (!this.#select(joined, 0, joined.length, true)) return this.#fail();
        rest = chunk.subarray(next);
      } else rest = joined;
    }
    const last = rest.lastIndexOf(RECORD_START);
    if (last > 0 && !this.#select(rest, 0, last, true)) return this.#fail();
    this.#addPart(rest.subarray(last));
    return true;
  }

  /** Whether a record start begins in the parts and ends in `chunk`. */
  #startsAcross(chunk: Buffer): boolean {
    const probe = Buffer.concat([this.#partsTail, chunk.subarray(0, RECORD_START.length - 1)]);
    const at = probe.indexOf(RECORD_START);
    return at !== -1 && at < this.#partsTail.length;
  }

  #addPart(part: Buffer): void {
    this.#parts.push(part);
    this.#partsBytes += part.length;
    const keep = RECORD_START.length - 1;
    this.#partsTail =
      part.length >= keep ? part.subarray(part.length - keep) : Buffer.concat([this.#partsTail, part]).subarray(-keep);
  }

  #clearParts(): void {
    this.#parts = [];
    this.#partsBytes = 0;
    this.#partsTail = Buffer.alloc(0);
  }

  /**
   * Handles the records in `bytes[from, to)`: they start at each record start, and the last one
   * ends at `to`, followed by a comma when `separated`. False on anything unexpected.
   */
  #select(bytes: Buffer, from: number, to: number, separated: boolean): boolean {
    const { patterns } = this.#wanted;
    const ends = new Map<number, number>();
    for (const pattern of patterns) {
      // `known` is a record start at or before the search position: when the key is in that
      // record (often, for the key of an incident), its end is the next record start.
      let known = from;
      let at = bytes.indexOf(pattern, from);
      while (at !== -1 && at + pattern.length <= to) {
        let start = known;
        let end = bytes.indexOf(RECORD_START, known + 1);
        if (end !== -1 && end < at) {
          start = bytes.lastIndexOf(RECORD_START, at);
          end = bytes.indexOf(RECORD_START, at + pattern.length);
        }
        if (end === -1 || end > to) end = to;
        ends.set(start, end);
        known = end;
        at = end >= to ? -1 : bytes.indexOf(pattern, end);
      }
    }
    const starts = patterns.length > 1 ? [...ends.keys()].sort((a, b) => a - b) : ends.keys();
    for (const start of starts) {
      const end = ends.get(start) as number;
      const last = this.#recordEnd(bytes, start, end, end < to || separated);
      if (last === -1) return false;
      if (this.#sink) this.#sink(bytes, start, last);
      else {
        const record = parseRecord(bytes, start, last);
        if (!record) return false;
        this.#records.push(record);
      }
    }
    if (this.#collectRegions) this.#addRegions(bytes, from, to);
    return true;
  }

  /** Where the record in `bytes[start, end)` ends, before its separator; -1 when it does not end as one. */
  #recordEnd(bytes: Buffer, start: number, end: number, separated: boolean): number {
    let last = end;
    while (last > start && isSpace(bytes[last - 1])) last -= 1;
    if (separated) {
      if (bytes[last - 1] !== COMMA) return -1;
      last -= 1;
      while (last > start && isSpace(bytes[last - 1])) last -= 1;
    }
    return bytes[last - 1] === CLOSE_BRACE ? last : -1;
  }

  #addRegions(bytes: Buffer, from: number, to: number): void {
    let at = bytes.indexOf(REGION_FIELD, from);
    while (at !== -1 && at < to) {
      const valueStart = at + REGION_FIELD.length;
      const valueEnd = bytes.indexOf(QUOTE, valueStart);
      if (valueEnd === -1 || valueEnd > to) return;
      const region = bytes.toString('latin1', valueStart, valueEnd);
      if (REGION_NAME.test(region)) this.#regions.add(region);
      at = bytes.indexOf(REGION_FIELD, valueEnd);
    }
  }
}

function parseRecord(bytes: Buffer, start: number, end: number): CloudTrailRecord | null {
  try {
    return JSON.parse(bytes.toString('utf8', start, end)) as CloudTrailRecord;
  } catch {
    return null;
  }
}
