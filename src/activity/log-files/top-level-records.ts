import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  isSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './json-bytes.js';

/**
 * Receives a complete record, `bytes[start, end)` from its `{` to its `}`, valid only during the
 * call; false to stop (the file must then be parsed whole). `bytes[idStart, idEnd)` is the text
 * of its top-level `eventID` when that is a string whose bytes are its value (the record holds no
 * backslash at all); idStart is -1 otherwise (no such string, or a record cut across chunks).
 */
export type RecordHandler = (bytes: Buffer, start: number, end: number, idStart: number, idEnd: number) => boolean;

const EVENT_ID = Buffer.from('eventID');

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
  /** The event id of the record just run through, when found (see RecordHandler). */
  #idStart = -1;
  #idEnd = -1;
  /** The next backslash in `#backslashesOf` at or after the last place asked about; -1 if none. */
  #backslashesOf: Buffer | null = null;
  #nextBackslash = -1;

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
        const end = this.#skipRecord(chunk, at, start !== -1);
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
   * Runs through the bytes of a record from `from` (just after its `{` when `whole`: the record
   * starts in this chunk, or the start of a chunk); where the record ends (just after its `}`), or
   * -1 when the chunk ends first. In a record run through whole, notes its top-level event id.
   */
  #skipRecord(bytes: Buffer, from: number, whole: boolean): number {
    const length = bytes.length;
    let at = from;
    let depth = this.#depth;
    if (this.#inString) {
      at = stringEnd(bytes, this.#escaped ? at + 1 : at);
      if (at >= length) return this.#suspend(depth, true, at > length);
      at += 1;
    }
    // At the record's own depth: whether the next string is a key, whether the last key was eventID.
    let keyNext = true;
    let idNext = false;
    let idStart = -1;
    let idEnd = -1;
    while (at < length) {
      const byte = bytes[at] as number;
      if (byte === QUOTE) {
        const text = at + 1;
        at = stringEnd(bytes, text);
        if (at >= length) return this.#suspend(depth, true, at > length);
        if (depth === 1) {
          // JSON keeps the last of repeated keys, as must this.
          if (keyNext) {
            keyNext = false;
            idNext = at - text === EVENT_ID.length && bytes.compare(EVENT_ID, 0, EVENT_ID.length, text, at) === 0;
            if (idNext) idStart = -1;
          } else if (idNext) {
            idNext = false;
            idStart = text;
            idEnd = at;
          }
        }
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) {
          this.#depth = 0;
          this.#inString = false;
          const exact = whole && idStart !== -1 && !this.#backslashWithin(bytes, from, at);
          this.#idStart = exact ? idStart : -1;
          this.#idEnd = exact ? idEnd : -1;
          return at + 1;
        }
      } else if (byte === COMMA && depth === 1) {
        keyNext = true;
        idNext = false;
      }
      at += 1;
    }
    return this.#suspend(depth, false, false);
  }

  /**
   * Whether `bytes[from, to)` holds a backslash (an escape could make a key or a value other than
   * its bytes); asked about places in order within a buffer, so that it is searched once.
   */
  #backslashWithin(bytes: Buffer, from: number, to: number): boolean {
    if (bytes !== this.#backslashesOf) {
      this.#backslashesOf = bytes;
      this.#nextBackslash = bytes.indexOf(BACKSLASH, from);
    } else if (this.#nextBackslash !== -1 && this.#nextBackslash < from)
      this.#nextBackslash = bytes.indexOf(BACKSLASH, from);
    return this.#nextBackslash !== -1 && this.#nextBackslash < to;
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
    if (start !== -1) return this.#onRecord(chunk, start, end, this.#idStart, this.#idEnd);
    this.#parts.push(chunk.subarray(0, end));
    const record = Buffer.concat(this.#parts);
    this.#parts = [];
    this.#partsBytes = 0;
    return this.#onRecord(record, 0, record.length, -1, -1);
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
