/** How a field's value is given: its text's bytes (a string without escapes), or JSON to parse. */
const KIND_TEXT = 1;
const KIND_JSON = 2;

/**
 * Node's own decoding of a buffer's range, without `toString`'s checks: a summary decodes some
 * ten fields per record. (Cutting them from the file as one string instead would keep that whole
 * string alive as long as any value counted from it.)
 */
export interface SlicingBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** The module's entries over a text: each a span (start, end, then kind or flags) of its bytes. */
export class Spans {
  readonly bytes: SlicingBuffer;
  readonly #ascii: boolean;
  readonly #entries: Int32Array;
  readonly #input: number;
  readonly #texts: string[];

  /**
   * `ascii`: the text is ASCII only, so that its bytes decode as Latin-1, faster; `texts`: the
   * strings of the texts given ids so far, added to as new ones come.
   */
  constructor(bytes: SlicingBuffer, ascii: boolean, entries: Int32Array, input: number, texts: string[]) {
    this.bytes = bytes;
    this.#ascii = ascii;
    this.#entries = entries;
    this.#input = input;
    this.#texts = texts;
  }

  start(at: number): number {
    return (this.#entries[at] as number) - this.#input;
  }

  end(at: number): number {
    return (this.#entries[at + 1] as number) - this.#input;
  }

  /** Whether a field's span is the bytes of its text (a string without escapes). */
  isText(at: number): boolean {
    return this.#entries[at + 2] === KIND_TEXT;
  }

  /** The third word of a span: a field's kind, or a record's flags. */
  kind(at: number): number {
    return this.#entries[at + 2] as number;
  }

  /** The text of a span. */
  text(at: number): string {
    return this.#ascii
      ? this.bytes.latin1Slice(this.start(at), this.end(at))
      : this.bytes.utf8Slice(this.start(at), this.end(at));
  }

  /** The value of a field's span: its text, what its JSON is, or undefined when absent. */
  value(at: number): unknown {
    const kind = this.kind(at);
    if (kind === KIND_TEXT) {
      const id = this.#entries[at + 3] as number;
      if (id < 0) return this.text(at);
      // biome-ignore lint/suspicious/noAssignInExpressions: one lookup for a text seen before
      return (this.#texts[id] ??= this.text(at));
    }
    return kind === KIND_JSON ? JSON.parse(this.text(at)) : undefined;
  }
}
