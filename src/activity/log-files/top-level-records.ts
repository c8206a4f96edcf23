/**
 * Receives a complete record, `bytes[start, end)` from its `{` to its `}`, valid only during the
 * call; false to stop (the file must then be parsed whole).
 */
export type RecordHandler = (bytes: Buffer, start: number, end: number) => boolean;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Where the bytes are: between entries of the array, in a record, after the array, after the document. */
enum Place {
  /** Expecting the first entry, or `]`. */
  First,
  /** Expecting an entry (after a comma). */
  Next,
  /** Expecting a comma or `]` (after an entry). */
  AfterEntry,
  Record,
  /** Expecting the document's `}`. */
  AfterArray,
  /** Expecting nothing but spaces. */
  AfterDocument,
  Failed,
}

/*
 * Only the entries of the top-level `Records` array are records: an object nested in one is part
 * of it, however it starts (a request's free-form map can hold objects that begin like records).
 * So the bytes are followed as JSON, in strings or not, escaped or not, at what depth: a record
 * ends where its depth returns to zero. Strings are most of the bytes, and are jumped over.
 */

/**
 * Cuts the rest of a `{"Records":[…]}` document, from just after its `[`, into the top-level
 * entries of the array, chunk by chunk, each complete record handed over once; a record cut
 * across chunks is held as a list of chunks, joined once when it completes (time linear in its
 * size). Anything but objects in the array, or anything after it but its `}`, stops the cutting.
 */
export class TopLevelRecords {
  readonly #onRecord: RecordHandler;
  #place = Place.First;
  /** In a record: how many objects and arrays are open, the record's own included. */
  #depth = 0;
  #inString = false;
  /** In a string, the chunk ended just after a backslash: the next byte is escaped. */
  #escaped = false;
  /** The bytes of the record not yet complete, from earlier chunks. */
  #parts: Buffer[] = [];
  #partsBytes = 0;

  constructor(onRecord: RecordHandler) {
    this.#onRecord = onRecord;
  }

  /** How many bytes of a record not yet complete are held. */
  get heldBytes(): number {
    return this.#partsBytes;
  }

  /** True once the document ended as it must: the array closed, then the document, then spaces only. */
  get ended(): boolean {
    return this.#place === Place.AfterDocument;
  }

  /** Takes in the next chunk; false when it holds something unexpected, or a record was refused. */
  push(chunk: Buffer): boolean {
    const length = chunk.length;
    let at = 0;
    /** Where the record being read starts in this chunk; -1 when it started in an earlier one. */
    let start = -1;
    while (at < length) {
      if (this.#place === Place.Record) {
        const end = this.#skipRecord(chunk, at);
        if (end === -1) break;
        if (!this.#complete(chunk, start, end)) return this.#fail();
        at = end;
        start = -1;
        continue;
      }
      const byte = chunk[at] as number;
      if (!isSpace(byte) && !this.#between(byte)) return this.#fail();
      // #between may have opened a record here.
      if ((this.#place as Place) === Place.Record) start = at;
      at += 1;
    }
    if (this.#place === Place.Record) this.#hold(start === -1 ? chunk : chunk.subarray(start));
    return true;
  }

  /** Outside records: takes in one byte that is not a space; false when it is unexpected. */
  #between(byte: number): boolean {
    switch (this.#place) {
      case Place.First:
      case Place.Next:
        if (byte === OPEN_BRACE) {
          this.#place = Place.Record;
          this.#depth = 1;
          return true;
        }
        if (byte === CLOSE_BRACKET && this.#place === Place.First) {
          this.#place = Place.AfterArray;
          return true;
        }
        return false;
      case Place.AfterEntry:
        if (byte === COMMA) this.#place = Place.Next;
        else if (byte === CLOSE_BRACKET) this.#place = Place.AfterArray;
        else return false;
        return true;
      case Place.AfterArray:
        if (byte !== CLOSE_BRACE) return false;
        this.#place = Place.AfterDocument;
        return true;
      default:
        return false;
    }
  }

  /**
   * Runs through the bytes of a record from `from` (just after its `{`, or the start of a chunk);
   * where the record ends (just after its `}`), or -1 when the chunk ends first.
   */
  #skipRecord(bytes: Buffer, from: number): number {
    const length = bytes.length;
    let at = from;
    let depth = this.#depth;
    if (this.#inString) {
      at = stringEnd(bytes, this.#escaped ? at + 1 : at);
      if (at >= length) return this.#suspend(depth, true, at > length);
      at += 1;
    }
    while (at < length) {
      const byte = bytes[at] as number;
      if (byte === QUOTE) {
        at = stringEnd(bytes, at + 1);
        if (at >= length) return this.#suspend(depth, true, at > length);
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) {
          this.#depth = 0;
          this.#inString = false;
          return at + 1;
        }
      }
      at += 1;
    }
    return this.#suspend(depth, false, false);
  }

  /** The chunk ended inside the record: remembers where. */
  #suspend(depth: number, inString: boolean, escaped: boolean): -1 {
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
    return -1;
  }

  #hold(part: Buffer): void {
    this.#parts.push(part);
    this.#partsBytes += part.length;
  }

  /** A record ended at `end` of `chunk`, having started at `start` (or -1: in earlier chunks). */
  #complete(chunk: Buffer, start: number, end: number): boolean {
    this.#place = Place.AfterEntry;
    if (start !== -1) return this.#onRecord(chunk, start, end);
    this.#parts.push(chunk.subarray(0, end));
    const record = Buffer.concat(this.#parts);
    this.#parts = [];
    this.#partsBytes = 0;
    return this.#onRecord(record, 0, record.length);
  }

  #fail(): false {
    this.#place = Place.Failed;
    this.#parts = [];
    this.#partsBytes = 0;
    return false;
  }
}

/** How many backslashes come just before `at`, back to `from` at most. */
function backslashesBefore(bytes: Buffer, at: number, from: number): number {
  let before = at - 1;
  while (before >= from && bytes[before] === BACKSLASH) before -= 1;
  return at - 1 - before;
}

/**
 * Where the string whose text starts at `from` ends (its closing quote: one after an even run of
 * backslashes); `bytes.length` when the bytes end inside it, `bytes.length + 1` when they end on
 * a backslash that escapes the next byte. Quotes are found natively: a byte loop over a string's
 * text costs about twice as much on CloudTrail records, whose strings are mostly short.
 */
function stringEnd(bytes: Buffer, from: number): number {
  for (let quote = bytes.indexOf(QUOTE, from); quote !== -1; quote = bytes.indexOf(QUOTE, quote + 1))
    if (quote === from || bytes[quote - 1] !== BACKSLASH || backslashesBefore(bytes, quote, from) % 2 === 0)
      return quote;
  return backslashesBefore(bytes, bytes.length, from) % 2 === 0 ? bytes.length : bytes.length + 1;
}
