import { type Sleep, sleep } from '../../common/sleep.js';

/**
 * Spaces calls evenly at a fixed rate: each `acquire` resolves no sooner than one interval after
 * the previous one resolved. `LookupEvents` allows 2 requests per second per region; spacing them
 * (rather than bursting) keeps every call inside the limit, so none is throttled and retried.
 *
 * The interval is counted from when the previous call was let through, not from when its turn was
 * due: on a busy event loop (a burst of investigations in one process) a wait can end late, and
 * turns reserved in advance would then go out together and be throttled.
 */
export class RateLimiter {
  readonly #intervalMs: number;
  readonly #sleep: Sleep;
  readonly #now: () => number;
  /** When the last call was let through. */
  #last = Number.NEGATIVE_INFINITY;
  /** The turns waiting, in the order they asked. */
  #queue: Promise<void> = Promise.resolve();

  constructor(requestsPerSecond: number, options: { sleep?: Sleep; now?: () => number } = {}) {
    this.#intervalMs = 1000 / requestsPerSecond;
    this.#sleep = options.sleep ?? sleep;
    this.#now = options.now ?? Date.now;
  }

  /** Resolves when the next call may be made, or sooner when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#waitTurn(signal));
    this.#queue = turn;
    if (!signal) return turn;
    // A call given up (Ctrl-C, the deadline) stops waiting at once, even behind others' turns.
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void turn.then(done);
    });
  }

  /** Holds every later call back by `ms`, after the service said to slow down. */
  backOff(ms: number): void {
    this.#last = Math.max(this.#last, this.#now() + ms - this.#intervalMs);
  }

  async #waitTurn(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return;
    const wait = this.#last + this.#intervalMs - this.#now();
    if (wait > 0) await this.#sleep(wait, signal);
    if (!signal?.aborted) this.#last = this.#now();
  }
}
