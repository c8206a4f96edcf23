import type { Worker } from 'node:worker_threads';
import type { CountedEventId } from '../counted-event-ids.js';
import type { FileToRead, ListedEntry } from '../log-file-ref.js';
import type { LogFileOutcome } from '../read-log-file.js';
import { wantedKeys } from '../wanted-keys.js';
import type { LogFileWorkerData, ScannedBatch, ScanRequest } from './protocol.js';
import { parsePackedRecords, RecordPacker } from './record-packer.js';
import { type ScanSettings, scanLogFile } from './scan-log-file.js';
import type { StartWorker } from './start-worker.js';

/** Files sent to a worker at once: a message per file would cost more than many a file. */
const FILES_PER_BATCH = 16;

/**
 * Batches sent to a worker and not yet taken in: the one this thread takes in, the one the
 * worker scans, and one waiting in between, so that neither waits for the other. Memory stays
 * bounded however many files there are.
 */
const BATCHES_PER_WORKER = 3;

/** What the pool leaves to the calling thread, which keeps the account and counts the records. */
export interface PoolHost {
  /** The delivery to read for a listed entry; null for an entry not to read (counted and reported). */
  toRead(entry: ListedEntry): FileToRead | null;
  /** Whether a record's event id was counted already: then it need not be parsed. */
  alreadyCounted: CountedEventId;
  /** The event ids every key's summary counted, from the `from`th on, in the order they were. */
  countedSince(from: number): string[];
  /** Counts what a file gave (its records, when read), and the stored bytes read. */
  settle(toRead: FileToRead, outcome: LogFileOutcome, bytes: number): void;
  /** Reads a file on the calling thread, as without workers, and counts it. */
  readHere(toRead: FileToRead): Promise<void>;
  /** Reads the rest of a listing on the calling thread, as without workers. */
  readRestHere(entries: AsyncIterable<ListedEntry>): Promise<void>;
}

/** What {@link readWithWorkers} needs. */
export interface WorkerPoolRun {
  /** The listing, read lazily as the workers take files. */
  entries: AsyncIterable<ListedEntry>;
  workers: number;
  accessKeyIds: readonly string[];
  /** The most text a file may hold, once inflated. */
  maxFileBytes: number;
  startWorker: StartWorker;
  host: PoolHost;
}

interface Batch {
  worker: number;
  files: FileToRead[];
}

class LogFileWorkerPool {
  readonly #host: PoolHost;
  readonly #settings: ScanSettings;
  /** By number; null once it failed. */
  readonly #workers: (Worker | null)[] = [];
  /** By worker: batches sent and not yet taken in. */
  readonly #inFlight: number[] = [];
  /** By worker: how many counted event ids it was sent. */
  readonly #countedSent: number[] = [];
  /** Batches sent and not answered, by batch number. */
  readonly #sent = new Map<number, Batch>();
  /** Batches answered, to take in, in order of arrival. */
  readonly #answered: (Batch & { scanned: ScannedBatch })[] = [];
  /** Files of batches lost with their worker: read on the calling thread instead. */
  readonly #orphans: FileToRead[] = [];
  /** The workers that answered at least once. */
  readonly #helped = new Set<number>();
  #nextBatch = 0;
  #stopping = false;
  #wake: (() => void) | null = null;

  constructor(host: PoolHost, data: LogFileWorkerData) {
    this.#host = host;
    this.#settings = {
      wanted: wantedKeys(data.accessKeyIds),
      maxFileBytes: data.maxFileBytes,
      alreadyCounted: host.alreadyCounted,
    };
  }

  /** How many workers answered at least once. */
  get helped(): number {
    return this.#helped.size;
  }

  /** Starts up to `count` workers; one that cannot start is left out. */
  async start(count: number, startWorker: StartWorker, data: LogFileWorkerData): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      try {
        this.#watch(await startWorker({ workerData: data }));
      } catch {
        // No worker in this slot: the others, or this thread, read its share.
      }
    }
  }

  /** Reads every listed file: the workers scan them, and this thread takes in what they found. */
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
        while (!listed && this.#freeWorker() !== -1) {
          const files: FileToRead[] = [];
          for (let file = await nextFile(); file; file = files.length < FILES_PER_BATCH ? await nextFile() : null)
            files.push(file);
          if (files.length > 0) this.#send(files);
        }
        const answered = this.#answered.shift();
        if (answered) {
          await this.#takeIn(answered.files, answered.scanned);
          this.#inFlight[answered.worker] = (this.#inFlight[answered.worker] as number) - 1;
        } else if (this.#orphans.length > 0) await this.#host.readHere(this.#orphans.shift() as FileToRead);
        else if (!listed && this.#workers.every((worker) => worker === null)) {
          await this.#host.readRestHere({ [Symbol.asyncIterator]: () => listing });
          listed = true;
        } else if (listed && this.#sent.size === 0) return;
        else if (!listed) {
          // Every worker has its fill and nothing is to take in: rather than wait, scan a file
          // here, then let the workers' answers in (the loop would otherwise never yield to them).
          const file = await nextFile();
          if (file) await this.#scanHere(file);
          await new Promise((resolve) => setImmediate(resolve));
        } else await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      if (!listed) await listing.return?.();
    }
  }

  /** Stops every worker. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#workers.map((worker) => worker?.terminate()));
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

  #send(files: FileToRead[]): void {
    const index = this.#freeWorker();
    const worker = this.#workers[index];
    // The worker chosen before the listing was read may have failed meanwhile.
    if (!worker) {
      this.#orphans.push(...files);
      return;
    }
    const batch = this.#nextBatch++;
    this.#sent.set(batch, { worker: index, files });
    this.#inFlight[index] = (this.#inFlight[index] as number) + 1;
    const counted = this.#host.countedSince(this.#countedSent[index] as number);
    this.#countedSent[index] = (this.#countedSent[index] as number) + counted.length;
    const request: ScanRequest = {
      batch,
      files: files.map(({ file, region }) => ({ path: file.path, collectRegions: region === null })),
      counted,
    };
    worker.postMessage(request);
  }

  /** Scans a file on this thread as a worker would, and takes in what it found. */
  #scanHere(file: FileToRead): Promise<void> {
    const packer = new RecordPacker();
    const scan = scanLogFile(file.file.path, file.region === null, this.#settings, packer);
    return this.#takeIn([file], { batch: -1, files: [scan], records: packer.packed() });
  }

  /** Counts what a worker found in a batch; a file it could not settle is read here. */
  async #takeIn(files: FileToRead[], scanned: ScannedBatch): Promise<void> {
    let record = 0;
    for (const [position, scan] of scanned.files.entries()) {
      const toRead = files[position] as FileToRead;
      if (scan.kind === 'failed') this.#host.settle(toRead, { kind: 'failed', reason: scan.reason }, scan.bytes);
      else if (scan.kind === 'whole') await this.#host.readHere(toRead);
      else {
        const records = parsePackedRecords(scanned.records, record, scan.records, this.#host.alreadyCounted);
        record += scan.records;
        if (records) this.#host.settle(toRead, { kind: 'read', records, regions: scan.regions }, scan.bytes);
        else await this.#host.readHere(toRead);
      }
    }
  }

  #watch(worker: Worker): void {
    const index = this.#workers.length;
    this.#workers.push(worker);
    this.#inFlight.push(0);
    this.#countedSent.push(0);
    worker.on('message', (scanned: ScannedBatch) => {
      const sent = this.#sent.get(scanned.batch);
      if (!sent) return;
      this.#sent.delete(scanned.batch);
      this.#answered.push({ ...sent, scanned });
      this.#helped.add(index);
      this.#notify();
    });
    const lost = () => this.#lose(index);
    worker.on('error', lost);
    worker.on('messageerror', lost);
    worker.on('exit', () => {
      if (!this.#stopping) lost();
    });
  }

  /** A worker failed: the files it was sent and did not answer for are read here instead. */
  #lose(index: number): void {
    const worker = this.#workers[index];
    if (!worker) return;
    this.#workers[index] = null;
    void worker.terminate();
    for (const [batch, sent] of this.#sent)
      if (sent.worker === index) {
        this.#sent.delete(batch);
        this.#orphans.push(...sent.files);
        this.#inFlight[index] = (this.#inFlight[index] as number) - 1;
      }
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * Reads the listed files with `run.workers` worker threads, which read, inflate and scan them,
 * while the calling thread parses the records they found and counts them, in the one
 * accumulator per key it would use alone: so the summary is exactly the same, de-duplication
 * included, whichever worker read which file. A file a worker cannot settle (not a compact
 * delivery, too large) is read on the calling thread as without workers; so are the files a
 * failed worker was sent, and the rest of the listing when no worker is left (or none starts).
 * When every worker has its fill and nothing is to take in, the calling thread scans the next
 * file itself rather than wait (when records are few to parse, scanning is the longer part).
 * How many workers helped.
 */
export async function readWithWorkers(run: WorkerPoolRun): Promise<number> {
  const data: LogFileWorkerData = { accessKeyIds: [...run.accessKeyIds], maxFileBytes: run.maxFileBytes };
  const pool = new LogFileWorkerPool(run.host, data);
  try {
    await pool.start(run.workers, run.startWorker, data);
    await pool.read(run.entries);
    return pool.helped;
  } finally {
    await pool.stop();
  }
}
