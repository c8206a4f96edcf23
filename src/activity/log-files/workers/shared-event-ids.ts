import type { SeenEventIds } from '../../summarizer.js';

/**
 * The memory of a {@link SharedEventIds}: shared, not copied, with every worker thread it is
 * posted to (in its `workerData`).
 */
export interface SharedEventIdsMemory {
  /** Int32 heads of the buckets' chains (0: empty). */
  buckets: SharedArrayBuffer;
  /** Int32 words: [0] the next free word, then the entries, each where a chain links to it. */
  arena: SharedArrayBuffer;
}

/** Thrown when the arena has no room left for another id: read again on one thread instead. */
export class SharedEventIdsFullError extends Error {
  constructor() {
    super('The event ids counted across threads filled their shared memory.');
    this.name = 'SharedEventIdsFullError';
  }
}

/*
 * A hash set of (key, event id) pairs in shared memory, that threads add to at once without a
 * lock, so that an event delivered in several files is counted once whichever thread reads
 * which file. Entries are never removed nor changed once linked: an entry is written whole, then
 * published by a compare-and-swap of its bucket's head (Atomics are sequentially consistent, so a
 * thread that loads the head sees the entry's words). An entry is [next, hash, key, length, then
 * the id's UTF-16 code units, two to a word].
 *
 * The memory is allocated at once but only touched as it fills (the system commits pages as they
 * are written): 1 Mi buckets (4 MiB) and 512 MiB of entries, some 6 million ids of 36 characters.
 * Measured against a Set: more buckets cost more cache misses (twice a Set's time for 80,000 ids
 * with 2 Mi buckets), fewer make long chains (2.2 times a Set's time for 800,000 ids with 64 Ki);
 * with 1 Mi, 1.7 and 0.8 times.
 */
const DEFAULT_BUCKETS = 1 << 20;
const DEFAULT_ARENA_BYTES = 512 * 1024 * 1024;
const HEADER_WORDS = 4;
const NEXT = 0;
const HASH = 1;
const KEY = 2;
const LENGTH = 3;

/** Shared memory for a set of `buckets` chains (a power of two) and `arenaBytes` of entries. */
export function sharedEventIdsMemory(
  buckets = DEFAULT_BUCKETS,
  arenaBytes = DEFAULT_ARENA_BYTES,
): SharedEventIdsMemory {
  if (!Number.isInteger(Math.log2(buckets))) throw new RangeError(`Buckets must be a power of two (got ${buckets}).`);
  const arena = new SharedArrayBuffer(Math.ceil(arenaBytes / 4) * 4);
  // Word 0 is the next free word; an entry never starts at 0, which stands for "none".
  Atomics.store(new Int32Array(arena), 0, 1);
  return { buckets: new SharedArrayBuffer(buckets * 4), arena };
}

/** FNV-1a over the key's number and the id's code units. */
function hashOf(key: number, id: string): number {
  let hash = Math.imul(0x811c9dc5 ^ key, 0x01000193);
  for (let index = 0; index < id.length; index += 1) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/** The set of (key, event id) pairs counted by any thread (see above). */
export class SharedEventIds {
  readonly #buckets: Int32Array;
  readonly #mask: number;
  readonly #words: Int32Array;
  readonly #units: Uint16Array;

  constructor(memory: SharedEventIdsMemory) {
    this.#buckets = new Int32Array(memory.buckets);
    this.#mask = this.#buckets.length - 1;
    this.#words = new Int32Array(memory.arena);
    this.#units = new Uint16Array(memory.arena);
  }

  /** The set of the ids counted for the key numbered `key`, as an accumulator uses it. */
  forKey(key: number): SeenEventIds {
    return { add: (eventId) => this.add(key, eventId), has: (eventId) => this.has(key, eventId) };
  }

  /** Whether `eventId` was added for `key`, by any thread. */
  has(key: number, eventId: string): boolean {
    const hash = hashOf(key, eventId);
    return this.#find(Atomics.load(this.#buckets, hash & this.#mask), 0, hash, key, eventId);
  }

  /**
   * Adds `eventId` for `key`: true when this call added it, false when any thread had (so
   * exactly one of the threads that add the same pair at once gets true).
   *
   * @throws SharedEventIdsFullError when there is no room for it.
   */
  add(key: number, eventId: string): boolean {
    const hash = hashOf(key, eventId);
    const bucket = hash & this.#mask;
    let head = Atomics.load(this.#buckets, bucket);
    if (this.#find(head, 0, hash, key, eventId)) return false;
    const entry = this.#write(hash, key, eventId);
    for (;;) {
      this.#words[entry + NEXT] = head;
      const found = Atomics.compareExchange(this.#buckets, bucket, head, entry);
      if (found === head) return true;
      // Others linked entries meanwhile: the pair may be among them (this entry is then left unused).
      if (this.#find(found, head, hash, key, eventId)) return false;
      head = found;
    }
  }

  /** Whether the chain from `entry` down to `until` (excluded) holds the pair. */
  #find(from: number, until: number, hash: number, key: number, eventId: string): boolean {
    const words = this.#words;
    for (let entry = from; entry !== until && entry !== 0; entry = words[entry + NEXT] as number) {
      if (words[entry + HASH] !== (hash | 0) || words[entry + KEY] !== key || words[entry + LENGTH] !== eventId.length)
        continue;
      const units = this.#units;
      const first = 2 * (entry + HEADER_WORDS);
      let same = true;
      for (let index = 0; index < eventId.length && same; index += 1)
        same = units[first + index] === eventId.charCodeAt(index);
      if (same) return true;
    }
    return false;
  }

  /** Writes an entry for the pair, not yet linked; its first word. */
  #write(hash: number, key: number, eventId: string): number {
    const size = HEADER_WORDS + Math.ceil(eventId.length / 2);
    const entry = Atomics.add(this.#words, 0, size);
    if (entry < 1 || entry + size > this.#words.length) throw new SharedEventIdsFullError();
    this.#words[entry + HASH] = hash;
    this.#words[entry + KEY] = key;
    this.#words[entry + LENGTH] = eventId.length;
    const first = 2 * (entry + HEADER_WORDS);
    for (let index = 0; index < eventId.length; index += 1) this.#units[first + index] = eventId.charCodeAt(index);
    return entry;
  }
}
