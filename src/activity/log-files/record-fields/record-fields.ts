import type { CloudTrailRecord } from '../../cloudtrail-record.js';
import type { CountedEventId } from '../counted-event-ids.js';
import { isWantedRecord } from '../delivery-parser.js';
import type { WantedKeys } from '../wanted-keys.js';
import { type SlicingBuffer, Spans } from './field-spans.js';
import {
  ACCESS_KEY,
  ENTRY_INTS,
  PARSE_WHOLE,
  REQUEST,
  RESOURCES,
  RESPONSE,
  tablesBytes,
  USER_NAME,
  writeTables,
} from './module-tables.js';
import { RECORD_FIELDS_WASM } from './record-fields-wasm.js';

/*
 * The WebAssembly module (assembly/record-fields.ts) checks a delivery's whole text as JSON, 16
 * bytes at a time, and hands over the records made with a wanted key, each with where the fields
 * a summary reads lie. JSON.parse of the same text builds every object of every record, most of
 * which the summary never reads: over the benchmark's data set (128 MB), 370 ms against the
 * module's 130 ms, then the collector's time. Each record handed over becomes an object of those
 * fields alone, built from their text (each distinct text decoded once, given an id by the module),
 * which the summary counts as it would the parsed record: `requestParameters` and
 * `responseElements` are parsed only when they hold a name the summary reads there, `resources`
 * whenever present. A record the module cannot describe exactly is parsed whole.
 */

const PAGE = 65536;
/** Room for the module's nesting stack. */
const STACK_BYTES = 1024;
/** The module reads whole 64-byte blocks: the text is followed by this many spaces. */
const PADDING = 64;
/**
 * Room for the ids of distinct texts (see assembly/record-fields.ts): 32,768 of them, in 2 MiB of
 * text, far more than the names, agents and addresses of a key's activity; past that, texts are
 * decoded each time. Memory the module does not touch costs nothing.
 */
const TEXT_SLOTS = 65536;
const TEXT_ARENA_BYTES = 2 * 1024 * 1024;
const MAX_TEXT_BYTES = 256 * 1024 * 1024;

/** The parts of WebAssembly used here (the project's type libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
type WasmModule = { readonly wasmModule: unique symbol };

const WEB_ASSEMBLY = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scan: (
    input: number,
    length: number,
    output: number,
    outputEnd: number,
    keys: number,
    names: number,
    stack: number,
  ) => number;
  setUpTexts: (table: number, slots: number, arena: number, arenaLength: number) => void;
  ascii: { value: number };
  handedOver: { value: number };
}

let compiled: WasmModule | null | undefined;

/** The module, compiled once per thread; null where WebAssembly (with SIMD) is not to be had. */
function compiledModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = WEB_ASSEMBLY ? new WEB_ASSEMBLY.Module(Buffer.from(RECORD_FIELDS_WASM, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** What {@link RecordFields.find} found in a delivery. */
export interface FoundFields {
  /** The records made with a wanted key (and any the module could not describe), each with the fields a summary reads. */
  records: CloudTrailRecord[];
  /** How many top-level records the delivery holds. */
  seen: number;
}

/**
 * Finds the records of compact CloudTrail deliveries made with a wanted key, with the WebAssembly
 * module: one instance per thread, its memory grown to the largest text it was given.
 */
export class RecordFields {
  readonly #exports: Exports;
  readonly #wanted: WantedKeys;
  readonly #alreadyCounted: CountedEventId | undefined;
  readonly #names: number;
  readonly #keys: number;
  readonly #stack: number;
  readonly #input: number;
  /** The strings of the texts the module gave ids, by id. */
  readonly #texts: string[] = [];

  private constructor(module: WasmModule, wanted: WantedKeys, alreadyCounted?: CountedEventId) {
    // A module was compiled, so WebAssembly is there.
    this.#exports = new (WEB_ASSEMBLY as WebAssemblyApi).Instance(module, {}).exports as Exports;
    this.#wanted = wanted;
    this.#alreadyCounted = alreadyCounted;
    const tables = tablesBytes(wanted);
    const textTable = PAGE + tables + STACK_BYTES + (-(tables + STACK_BYTES) & 15);
    const arena = textTable + 16 * TEXT_SLOTS;
    this.#grow(arena + TEXT_ARENA_BYTES);
    const written = writeTables(Buffer.from(this.#exports.memory.buffer), PAGE, wanted);
    this.#names = written.names;
    this.#keys = written.keys;
    this.#stack = written.end + (-written.end & 7);
    this.#exports.setUpTexts(textTable, TEXT_SLOTS, arena, TEXT_ARENA_BYTES);
    this.#input = arena + TEXT_ARENA_BYTES;
  }

  /** A finder for `wanted`, or null where the module cannot run (the caller then cuts or parses). */
  static create(wanted: WantedKeys, alreadyCounted?: CountedEventId): RecordFields | null {
    const module = compiledModule();
    if (!module) return null;
    try {
      return new RecordFields(module, wanted, alreadyCounted);
    } catch {
      return null;
    }
  }

  #grow(bytes: number): void {
    const { memory } = this.#exports;
    const missing = Math.ceil((bytes - memory.buffer.byteLength) / PAGE);
    if (missing > 0) memory.grow(missing);
  }

  /**
   * The records of `text` made with a wanted key, and how many records it holds; null when it is
   * not a compact delivery, or not JSON, or a record handed over does not parse: the file must then
   * be read otherwise, which decides what it is. So is a text over 256 MiB (the module's places are
   * 32-bit; files counted at once hold 8 MiB at most).
   */
  find(text: Buffer): FoundFields | null {
    if (text.length > MAX_TEXT_BYTES) return null;
    const input = this.#input;
    const output = input + text.length + PADDING + (-(text.length + PADDING) & 7);
    // Each record handed over takes 220 bytes: a record made with a key is larger than half that,
    // unless crafted; if the room runs out, the file is read otherwise.
    const outputEnd = output + Math.max(2 * text.length, 64 * 1024);
    try {
      this.#grow(outputEnd);
    } catch {
      // Memory the module cannot have: the file is read otherwise.
      return null;
    }
    const bytes = new Uint8Array(this.#exports.memory.buffer);
    bytes.set(text, input);
    bytes.fill(0x20, input + text.length, input + text.length + PADDING);
    const seen = this.#exports.scan(input, text.length, output, outputEnd, this.#keys, this.#names, this.#stack);
    if (seen < 0) return null;
    const entries = new Int32Array(this.#exports.memory.buffer, output, this.#exports.handedOver.value * ENTRY_INTS);
    const ascii = this.#exports.ascii.value === 1;
    const records: CloudTrailRecord[] = [];
    const spans = new Spans(text as SlicingBuffer, ascii, entries, input, this.#texts);
    try {
      for (let entry = 0; entry < entries.length; entry += ENTRY_INTS) {
        const record = this.#record(spans, entry);
        if (record) records.push(record);
      }
    } catch {
      // A record handed over whole that JSON.parse refuses.
      return null;
    }
    return { records, seen };
  }

  /**
   * The record an entry describes, with the fields a summary reads; null when it need not be
   * counted (not a wanted key's, or its event id counted already).
   *
   * @throws SyntaxError when a record handed over whole does not parse.
   */
  #record(spans: Spans, entry: number): CloudTrailRecord | null {
    if (spans.kind(entry) & PARSE_WHOLE) {
      const record: unknown = JSON.parse(spans.text(entry));
      return isWantedRecord(record, this.#wanted) ? record : null;
    }
    // Each field's span: 4 words, from the entry's fourth on.
    const at = entry + 3;
    if (spans.isText(at) && this.#alreadyCounted?.(spans.bytes, spans.start(at), spans.end(at))) return null;
    return {
      eventID: spans.value(at),
      eventTime: spans.value(at + 4),
      eventName: spans.value(at + 8),
      eventSource: spans.value(at + 12),
      awsRegion: spans.value(at + 16),
      sourceIPAddress: spans.value(at + 20),
      userAgent: spans.value(at + 24),
      errorCode: spans.value(at + 28),
      userIdentity: { accessKeyId: spans.value(at + 4 * ACCESS_KEY), userName: spans.value(at + 4 * USER_NAME) },
      requestParameters: spans.value(at + 4 * REQUEST),
      responseElements: spans.value(at + 4 * RESPONSE),
      resources: spans.value(at + 4 * RESOURCES),
    } as CloudTrailRecord;
  }
}
