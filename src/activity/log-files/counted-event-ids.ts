/**
 * Tells whether the event id `bytes[start, end)` was counted by every wanted key's summary already:
 * a record with it would be dropped as seen, whatever key made it, so it need not be parsed. False
 * only means "parse it": it may be answered without looking.
 */
export type CountedEventId = (bytes: Buffer, start: number, end: number) => boolean;

/**
 * Lookups per probe: the first long enough for deliveries read at once, or by threads apart, to
 * have been counted before their copies are looked up; the next ones shorter.
 */
const FIRST_PROBE = 16 * 1024;
const PROBE = 4096;
/** A probe that finds fewer than this pauses the lookups. */
const FEW = 16;
const FIRST_PAUSE = 16 * 1024;
const LONGEST_PAUSE = 256 * 1024;

/*
 * Looking an id up costs a string and a set lookup, some 15% of a record's parse: well spent when
 * deliveries repeat, lost when they do not. So lookups go on while they find counted ids; a probe
 * that finds almost none pauses them, for longer each time (records are parsed meanwhile, which
 * changes nothing but the time).
 */

/** Looks event ids up (see {@link CountedEventId}) while doing so pays. */
export class CountedEventIds {
  readonly #isCounted: (eventId: string) => boolean;
  #looked = 0;
  #found = 0;
  #probe = FIRST_PROBE;
  #paused = 0;
  #nextPause = FIRST_PAUSE;

  /** `isCounted` tells whether an id was counted by every wanted key's summary. */
  constructor(isCounted: (eventId: string) => boolean) {
    this.#isCounted = isCounted;
  }

  /** See {@link CountedEventId}. */
  readonly has: CountedEventId = (bytes, start, end) => {
    if (this.#paused > 0) {
      this.#paused -= 1;
      return false;
    }
    const counted = this.#isCounted(bytes.toString('utf8', start, end));
    this.#looked += 1;
    if (counted) this.#found += 1;
    if (this.#looked === this.#probe) {
      this.#probe = PROBE;
      if (this.#found < FEW) {
        this.#paused = this.#nextPause;
        this.#nextPause = Math.min(2 * this.#nextPause, LONGEST_PAUSE);
      } else this.#nextPause = FIRST_PAUSE;
      this.#looked = 0;
      this.#found = 0;
    }
    return counted;
  };
}
