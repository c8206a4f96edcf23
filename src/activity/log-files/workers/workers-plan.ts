import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { TimeWindow } from '../../activity-summary.js';
import { dayIsOutsideWindow, describeLogFilePath } from '../log-file-path.js';
import { isUnlisted, type ListedEntry } from '../log-file-ref.js';

/*
 * Workers read, inflate and count files beside the calling thread, which counts files too;
 * starting one costs some 30 ms. Measured on two cores when workers only cut files for the
 * calling thread to parse (not measured again since they count files themselves, which takes more
 * off the calling thread, so that they can only pay sooner), they paid from about 30 MB of plain .json, and from about 1.5 MB of .json.gz (inflating is most of what
 * they take over). So a listing is weighed by its files' sizes, a gzipped byte weighing
 * GZIP_WEIGHT plain ones and every file at least PER_FILE_BYTES (opening it costs as much), and
 * workers help when the weight reaches PARALLEL_MIN_WEIGHT.
 */
const PARALLEL_MIN_WEIGHT = 32 * 1024 * 1024;
const GZIP_WEIGHT = 20;
const PER_FILE_BYTES = 16 * 1024;
/**
 * The most entries looked at to decide, held meanwhile: twice as many as the in-window files it
 * takes to reach PARALLEL_MIN_WEIGHT (each weighs PER_FILE_BYTES at least). Files outside the
 * window weigh nothing, so a large archive read for a short window would otherwise be held whole.
 * A listing this long is large: workers are started, which costs their start-up at most.
 */
export const MOST_ENTRIES_LOOKED = (2 * PARALLEL_MIN_WEIGHT) / PER_FILE_BYTES;
/**
 * Each thread holds a file's text and its records at a time: the most worker threads, so that
 * memory stays bounded on a machine of many cores (the disk is the limit long before).
 */
const MOST_WORKERS = 3;

/** How a local folder will be read. */
export interface WorkersPlan {
  /** Worker threads to read with; 0 to read on the calling thread. */
  workers: number;
  /** The listing, whole again (its first entries may have been looked at to decide). */
  entries: AsyncIterable<ListedEntry>;
}

/** How much reading `entry` weighs (see above); 0 for an entry that will not be read. */
function weightOf(entry: ListedEntry, window: TimeWindow): number {
  if (isUnlisted(entry)) return 0;
  const info = describeLogFilePath(entry.path);
  if (info.kind !== 'delivery' || (info.day !== null && dayIsOutsideWindow(info.day, window))) return 0;
  let size = 0;
  try {
    size = statSync(entry.path).size;
  } catch {
    // Reading it will say why it cannot be read.
  }
  return Math.max(PER_FILE_BYTES, entry.path.endsWith('.gz') ? size * GZIP_WEIGHT : size);
}

/**
 * Decides how many worker threads help read a local listing: as many as asked for, else one per
 * core but the calling thread's (at most `concurrency` - 1, and {@link MOST_WORKERS}) when the
 * listing holds enough to read for them to pay, found by looking at its first entries only (at
 * most {@link MOST_ENTRIES_LOOKED}: a listing longer than that gets the workers too);
 * otherwise none (a small folder, one core, or `concurrency` 1): the calling thread reads alone.
 */
export async function planWorkers(
  listing: AsyncIterable<ListedEntry>,
  options: { workers?: number; window: TimeWindow },
  concurrency: number,
): Promise<WorkersPlan> {
  if (options.workers !== undefined) return { workers: options.workers, entries: listing };
  const workers = Math.min(availableParallelism() - 1, concurrency - 1, MOST_WORKERS);
  if (workers < 1) return { workers: 0, entries: listing };
  const iterator = listing[Symbol.asyncIterator]();
  const looked: ListedEntry[] = [];
  let weight = 0;
  while (weight < PARALLEL_MIN_WEIGHT && looked.length < MOST_ENTRIES_LOOKED) {
    const next = await iterator.next();
    if (next.done) return { workers: 0, entries: listed(looked) };
    looked.push(next.value);
    weight += weightOf(next.value, options.window);
  }
  return { workers, entries: listed(looked, iterator) };
}

async function* listed(looked: ListedEntry[], rest?: AsyncIterator<ListedEntry>): AsyncGenerator<ListedEntry> {
  yield* looked;
  if (rest) yield* { [Symbol.asyncIterator]: () => rest };
}
