import { type Sleep, sleep } from '../../common/sleep.js';

/**
 * Spaces calls evenly at a fixed rate: each `acquire` resolves no sooner than one interval after
 * the previous one. `LookupEvents` allows 2 requests per second per region; spacing them (rather
 * than bursting) keeps every call inside the limit, so none is throttled and retried.
 */
export class RateLimiter {
  readonly #intervalMs: number;
  readonly #sleep: Sleep;
  readonly #now: () => number;
  #nextSlot = 0;

  constructor(requestsPerSecond: number, options: { sleep?: Sleep; now?: () => number } = {}) {
    this.#intervalMs = 1000 / requestsPerSecond;
    this.#sleep = options.sleep ?? sleep;
    this.#now = options.now ?? Date.now;
  }

  /** Resolves when the next call may be made, or sooner when `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#intervalMs;
    if (slot > now) await this.#sleep(slot - now, signal);
  }

  /** Holds every later call back by `ms`, after the service said to slow down. */
  backOff(ms: number): void {
    this.#nextSlot = Math.max(this.#nextSlot, this.#now() + ms);
  }
}
