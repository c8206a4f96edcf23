import type { Worker } from 'node:worker_threads';
import type { AccumulatorState } from '../../summarizer.js';
import type { FileToRead, ListedEntry } from '../log-file-ref.js';
import type { LogFileOutcome } from '../read-log-file.js';
import type { FileCount, LogFileWorkerData, WorkerAnswer, WorkerRequest } from './protocol.js';
import type { StartWorker } from './start-worker.js';

/** Files sent to a worker at once: a message per file would cost more than many a file. */
const FILES_PER_BATCH = 16;

/**
 * Batches sent to a worker and not yet taken in: the one the worker counts and one waiting, so
 * that it never waits for this thread, and few files are left to it when the listing ends.
 */
const BATCHES_PER_WORKER = 2;

/**
 * A worker that has files to count, or was asked what it counted, and answers nothing for this
 * long is taken for lost (it may never have started, or be stuck): a batch takes well under a
 * second.
 */
const SILENCE_MS = 60_000;

/** What the pool leaves to the calling thread, which keeps the account and merges the counts. */
export interface PoolHost {
  /** The delivery to read for a listed entry; null for an entry not to read (counted and reported). */
  toRead(entry: ListedEntry): FileToRead | null;
  /** Counts a file on this thread, as a worker would. */
  countHere(toRead: FileToRead): FileCount;
  /** Accounts for what a file gave, and the stored bytes read. */
  settle(toRead: FileToRead, outcome: LogFileOutcome, bytes: number): void;
  /** Reads a file on the calling thread, as without workers, and counts it. */
  readHere(toRead: FileToRead): Promise<void>;
  /** Reads the rest of a listing on the calling thread, as without workers. */
  readRestHere(entries: AsyncIterable<ListedEntry>): Promise<void>;
  /** Adds what a worker counted. */
  merge(states: AccumulatorState[]): void;
}

/** What {@link readWithWorkers} needs. */
export interface WorkerPoolRun {
  /** The listing, read lazily as the workers take files. */
  entries: AsyncIterable<ListedEntry>;
  workers: number;
  data: LogFileWorkerData;
  startWorker: StartWorker;
  host: PoolHost;
  /** How long a worker with work may stay silent before it is taken for lost (default a minute). */
  silenceMs?: number;
}

/**
 * A worker failed after it was sent files: what it counted is lost, and the events it counted
 * are marked as counted for every thread. The files must all be read again on one thread.
 */
export class WorkersLostError extends Error {
  constructor(reason: string) {
    super(`A log-file worker failed: ${reason}`);
    this.name = 'WorkersLostError';
  }
}

interface Batch {
  worker: number;
  files: FileToRead[];
}

class LogFileWorkerPool {
  readonly #host: PoolHost;
  readonly #silenceMs: number;
  /** By number; null once it failed or stopped. */
  readonly #workers: (Worker | null)[] = [];
  /** By worker: batches sent and not yet taken in. */
  readonly #inFlight: number[] = [];
  /** By worker: whether it was sent files (then what it counts cannot be done without). */
  readonly #given: boolean[] = [];
  /** By worker: what it counted, once it answered `finish`. */
  readonly #counted: (AccumulatorState[] | null)[] = [];
  /** By worker: when it was last sent work or heard from. */
  readonly #heard: number[] = [];
  /** Whether the workers were asked what they counted. */
  #finishing = false;
  /** Batches sent and not answered, by batch number. */
  readonly #sent = new Map<number, Batch>();
  /** Batches answered, to take in, in order of arrival. */
  readonly #answered: (Batch & { counts: FileCount[] })[] = [];
  /** The workers that answered at least one batch. */
  readonly #helped = new Set<number>();
  #lost: string | null = null;
  #nextBatch = 0;
  #stopping = false;
  #wake: (() => void) | null = null;

  constructor(host: PoolHost, silenceMs: number) {
    this.#host = host;
    this.#silenceMs = silenceMs;
  }

  /** How many workers answered at least one batch. */
  get helped(): number {
    return this.#helped.size;
  }

  /** Starts up to `count` workers; one that cannot start is left out. */
  async start(count: number, startWorker: StartWorker, data: LogFileWorkerData): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      try {
        this.#watch(await startWorker({ workerData: data }));
      } catch {
        // No worker in this slot: the others, or this thread, count its share.
      }
    }
  }

  /**
   * Counts every listed file: the workers and this thread count them, this thread accounts for
   * each; then merges what the workers counted.
   *
   * @throws WorkersLostError when a worker that was sent files fails.
   */
  async read(entries: AsyncIterable<ListedEntry>): Promise<void> {
    const listing = entries[Symbol.asyncIterator]();
    let listed = false;
    const nextFile = async (): Promise<FileToRead | null> => {
      for (;;) {
        const next = await listing.next();
        if (next.done) {
          listed = true;
          return null;
        }
        const toRead = this.#host.toRead(next.value);
        if (toRead) return toRead;
      }
    };
    try {
      for (;;) {
        this.#throwIfLost();
        while (!listed && this.#freeWorker() !== -1) {
          const files: FileToRead[] = [];
          for (let file = await nextFile(); file; file = files.length < FILES_PER_BATCH ? await nextFile() : null)
            files.push(file);
          if (files.length > 0) await this.#send(files);
        }
        const answered = this.#answered.shift();
        if (answered) {
          await this.#takeIn(answered.files, answered.counts);
          this.#inFlight[answered.worker] = (this.#inFlight[answered.worker] as number) - 1;
        } else if (!listed && this.#workers.every((worker) => worker === null)) {
          await this.#host.readRestHere({ [Symbol.asyncIterator]: () => listing });
          listed = true;
        } else if (listed && this.#sent.size === 0) break;
        else if (!listed) {
          // Every worker has its fill and nothing is to take in: count a file here, then let the
          // workers' answers in (the loop would otherwise never yield to them).
          const file = await nextFile();
          if (file) await this.#takeIn([file], [this.#host.countHere(file)]);
          await new Promise((resolve) => setImmediate(resolve));
        } else await this.#waitForAnswers();
      }
    } finally {
      if (!listed) await listing.return?.();
    }
    await this.#mergeCounted();
  }

  /** Stops every worker. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#workers.map((worker) => worker?.terminate()));
  }

  /** Asks every worker given files for what it counted, and merges it. */
  async #mergeCounted(): Promise<void> {
    const asked = this.#workers.flatMap((worker, index) => (worker && this.#given[index] ? [index] : []));
    this.#finishing = true;
    for (const index of asked) this.#post(index, { kind: 'finish' });
    for (;;) {
      this.#throwIfLost();
      if (asked.every((index) => this.#counted[index])) break;
      await this.#waitForAnswers();
    }
    for (const index of asked) this.#host.merge(this.#counted[index] as AccumulatorState[]);
  }

  #throwIfLost(): void {
    if (this.#lost !== null) throw new WorkersLostError(this.#lost);
  }

  /** Waits for a worker to answer or fail; a worker silent too long with work to do is taken for lost. */
  #waitForAnswers(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        const now = Date.now();
        for (const [index, worker] of this.#workers.entries()) {
          const waitedFor =
            (this.#inFlight[index] as number) > 0 || (this.#finishing && this.#given[index] && !this.#counted[index]);
          if (worker && waitedFor && now - (this.#heard[index] as number) >= this.#silenceMs)
            this.#lose(index, `it answered nothing for ${Math.round(this.#silenceMs / 1000)} s`);
        }
        this.#notify();
      }, this.#silenceMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The live worker with the fewest batches in flight, if it can take one more; else -1. */
  #freeWorker(): number {
    let free = -1;
    for (const [index, worker] of this.#workers.entries()) {
      const inFlight = this.#inFlight[index] as number;
      if (worker && inFlight < BATCHES_PER_WORKER && (free === -1 || inFlight < (this.#inFlight[free] as number)))
        free = index;
    }
    return free;
  }

  async #send(files: FileToRead[]): Promise<void> {
    const index = this.#freeWorker();
    // The worker chosen before the listing was read may have failed meanwhile: count them here.
    if (index === -1)
      return this.#takeIn(
        files,
        files.map((file) => this.#host.countHere(file)),
      );
    const batch = this.#nextBatch++;
    this.#sent.set(batch, { worker: index, files });
    this.#inFlight[index] = (this.#inFlight[index] as number) + 1;
    this.#given[index] = true;
    this.#post(index, {
      kind: 'files',
      batch,
      files: files.map(({ file, region }) => ({ path: file.path, collectRegions: region === null })),
    });
  }

  #post(index: number, request: WorkerRequest): void {
    this.#heard[index] = Date.now();
    this.#workers[index]?.postMessage(request);
  }

  /** Accounts for what became of files; a file a thread could not count is read here, as without workers. */
  async #takeIn(files: FileToRead[], counts: FileCount[]): Promise<void> {
    for (const [position, count] of counts.entries()) {
      const toRead = files[position] as FileToRead;
      if (count.kind === 'failed') this.#host.settle(toRead, { kind: 'failed', reason: count.reason }, count.bytes);
      else if (count.kind === 'whole') await this.#host.readHere(toRead);
      else
        this.#host.settle(
          toRead,
          { kind: 'read', records: [], regions: count.regions, recipient: count.recipient },
          count.bytes,
        );
    }
  }

  #watch(worker: Worker): void {
    const index = this.#workers.length;
    this.#workers.push(worker);
    this.#inFlight.push(0);
    this.#given.push(false);
    this.#counted.push(null);
    this.#heard.push(Date.now());
    worker.on('message', (answer: WorkerAnswer) => {
      this.#heard[index] = Date.now();
      if (answer.kind === 'failed') this.#lose(index, answer.reason);
      else if (answer.kind === 'counted') this.#counted[index] = answer.states;
      else {
        const sent = this.#sent.get(answer.batch);
        if (!sent) return;
        this.#sent.delete(answer.batch);
        this.#answered.push({ ...sent, counts: answer.files });
        this.#helped.add(index);
      }
      this.#notify();
    });
    worker.on('error', (error) => this.#lose(index, error instanceof Error ? error.message : String(error)));
    worker.on('messageerror', () => this.#lose(index, 'a message could not be read'));
    worker.on('exit', (code) => {
      if (!this.#stopping) this.#lose(index, `it stopped (exit code ${code})`);
    });
  }

  /**
   * A worker failed: one that was never sent files is only left out; one that was makes the whole
   * reading fail (see {@link WorkersLostError}).
   */
  #lose(index: number, reason: string): void {
    const worker = this.#workers[index];
    if (!worker) return;
    this.#workers[index] = null;
    void worker.terminate();
    if (this.#given[index]) this.#lost ??= reason;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * Counts the listed files with `run.workers` worker threads and the calling thread: each reads,
 * inflates and counts whole files in accumulators of its own, all sharing one set of the event
 * ids counted, so that an event is counted once whichever thread reads which file; the calling
 * thread accounts for every file and, at the end, merges what each worker counted into its own
 * accumulators: the summary is exactly what reading alone gives. A file a thread cannot count
 * whole (too large, or found by a cut not to be a compact delivery) is read on the calling thread
 * as without workers. When no worker starts, the calling thread reads alone. How many workers
 * helped.
 *
 * @throws WorkersLostError when a worker that was sent files fails, or stays silent for
 * `silenceMs`: what it counted is lost.
 */
export async function readWithWorkers(run: WorkerPoolRun): Promise<number> {
  const pool = new LogFileWorkerPool(run.host, run.silenceMs ?? SILENCE_MS);
  try {
    await pool.start(run.workers, run.startWorker, run.data);
    await pool.read(run.entries);
    return pool.helped;
  } finally {
    await pool.stop();
  }
}
