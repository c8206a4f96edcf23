/**
 * How much text a file being read may hold (a record not yet complete, or a whole file to parse)
 * before it must wait for its turn: more than any real CloudTrail record, and than most whole
 * deliveries.
 */
export const FREE_TEXT_BYTES = 8 * 1024 * 1024;

/**
 * Lets one file at a time hold more than {@link FREE_TEXT_BYTES} of text. Files read at once then
 * hold at most that much each, and one of them up to the cap on a file's size: memory is bounded
 * by the cap once, not once per file read at once.
 */
export class LargeTextTurns {
  #taken = false;
  readonly #waiting: (() => void)[] = [];

  /** Waits for the turn; the function returned gives it back (once). */
  async take(): Promise<() => void> {
    if (this.#taken) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#taken = true;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#taken = false;
    };
  }
}
