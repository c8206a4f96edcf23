import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessKeyOf, type CloudTrailRecord } from '../../../../../src/activity/cloudtrail-record.js';
import { type LogFilesOptions, readLogFiles } from '../../../../../src/activity/log-files/log-files.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../../../../src/activity/log-files/max-file-bytes.js';
import { readLogFile } from '../../../../../src/activity/log-files/read-log-file.js';
import { wantedKeys } from '../../../../../src/activity/log-files/wanted-keys.js';
import { type CountSettings, LogFileCounter } from '../../../../../src/activity/log-files/workers/count-log-file.js';
import { sharedEventIdsMemory } from '../../../../../src/activity/log-files/workers/shared-event-ids.js';
import { type StartWorker, startLogFileWorker } from '../../../../../src/activity/log-files/workers/start-worker.js';
import {
  type PoolHost,
  readWithWorkers,
  WorkersLostError,
} from '../../../../../src/activity/log-files/workers/worker-pool.js';
import { ActivityAccumulator } from '../../../../../src/activity/summarizer.js';
import { projectPaths } from '../../../../../src/common/project-root.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../../support/fixtures.js';
import { gzipBomb } from '../../../../support/gzip-bomb.js';
import { deliveryWithLookAlike } from '../../../../support/nested-look-alike.js';
import { referenceSummary } from '../../../../support/reference-summary.js';

const ACCOUNT = '218007301253';
const SESSION_KEY = 'ASIATFQR7NSCS5BLNV76';

/** The data set again, as other events (fresh ids). */
function copyOf(records: CloudTrailRecord[], copy: number): CloudTrailRecord[] {
  return records.map((record) => ({ ...record, eventID: `${record.eventID}-${copy}` }));
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}

async function put(path: string, body: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
}

/** Writes `records` as compact deliveries of `perFile` records, named as CloudTrail names them. */
async function writeDeliveries(
  folder: string,
  records: CloudTrailRecord[],
  options: { perFile: number; gzip: boolean; tag: string },
): Promise<void> {
  for (const [index, chunk] of chunks(records, options.perFile).entries()) {
    const name = `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_${options.tag}${String(index).padStart(4, '0')}.json`;
    const text = JSON.stringify({ Records: chunk });
    await put(join(folder, options.gzip ? `${name}.gz` : name), options.gzip ? gzipSync(text) : text);
  }
}

/**
 * A folder with the data set copied many times, in .json and .json.gz, the same events delivered
 * again in other files, and every kind of file that is not a plain compact delivery. Returns the
 * records of the files that can be read, for the reference.
 */
async function writeMixedFolder(root: string): Promise<CloudTrailRecord[]> {
  const records = loadInvictusRecords();
  const layout = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2023', '07', '10');
  const readable: CloudTrailRecord[] = [];
  for (const copy of [0, 1, 2, 3]) {
    const events = copyOf(records, copy);
    await writeDeliveries(copy < 2 ? layout : join(root, `copy-${copy}`), events, {
      perFile: 40 + copy * 7,
      gzip: copy % 2 === 1,
      tag: `c${copy}x`,
    });
    readable.push(...events);
  }
  // The same events delivered again, cut differently: copies of an event in files read by different workers.
  await writeDeliveries(join(root, 'again'), copyOf(records, 0).reverse(), { perFile: 70, gzip: true, tag: 'againx' });
  await writeDeliveries(join(root, 'again'), copyOf(records, 2).slice(500, 900), {
    perFile: 9,
    gzip: false,
    tag: 'twicex',
  });

  // Not compact: the calling thread parses them whole.
  const pretty = copyOf(records, 4).slice(0, 600);
  await put(join(root, 'pretty', 'part-1.json'), JSON.stringify({ Records: pretty }, null, 2));
  // Compact, but a record holding the key holds a nested object that starts like a record.
  const nested = copyOf(records, 5)
    .slice(0, 300)
    .map((record, index) =>
      index % 5 === 0 ? { ...record, requestParameters: { nested: { eventVersion: '1.08', awsRegion: 'x' } } } : record,
    );
  await writeDeliveries(join(root, 'nested'), nested, { perFile: 50, gzip: false, tag: 'nestedx' });
  // Compact, with one such nested object in a list.
  const listed = copyOf(records, 6)
    .slice(0, 200)
    .map(({ eventVersion, requestParameters, ...rest }, index) =>
      index % 4 === 0
        ? { eventVersion, requestParameters: { items: [{}, { eventVersion: 2 }] }, ...rest }
        : { eventVersion, requestParameters, ...rest },
    );
  await writeDeliveries(join(root, 'listed'), listed, { perFile: 50, gzip: true, tag: 'listedx' });
  // No region in the path: the regions searched come from the records.
  const elsewhere = copyOf(records, 7)
    .slice(0, 400)
    .map((record, index) => (index % 2 ? { ...record, awsRegion: 'eu-central-1' } : record));
  await put(join(root, 'export', 'part-1.json'), JSON.stringify({ Records: elsewhere }));
  // Compact, the key of some records written with escapes (JSON allows it; CloudTrail does not do it).
  const escaped = copyOf(records, 10).slice(0, 120);
  await put(join(layout, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_escaped.json`), withEscapedKeys(escaped));
  readable.push(...pretty, ...nested, ...listed, ...elsewhere, ...escaped);

  // Files that fail, files that are skipped, a delivery outside the window.
  const failing = JSON.stringify({ Records: copyOf(records, 8).slice(0, 100) });
  const gzipped = gzipSync(failing);
  await put(join(layout, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_truncated.json.gz`), gzipped.subarray(0, 900));
  await put(
    join(layout, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_corrupt.json.gz`),
    Buffer.concat([gzipped.subarray(0, 12), Buffer.alloc(200, 7)]),
  );
  await put(join(layout, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_cut.json`), failing.slice(0, 5000));
  await put(join(root, 'notes.json'), 'not JSON at all');
  await put(join(root, 'empty.json'), '');
  await put(join(root, 'no-records.json'), '{"Records":[]}');
  const digest = { awsAccountId: ACCOUNT, digestStartTime: '2023-07-10T11:00:00Z', logFiles: [] };
  await put(
    join(root, 'AWSLogs', ACCOUNT, 'CloudTrail-Digest', 'us-east-1', '2023', '07', '10', 'digest.json.gz'),
    gzipSync(JSON.stringify(digest)),
  );
  await put(join(root, 'config.json'), JSON.stringify({ Records: 'not a list' }));
  await put(join(root, 'README.txt'), `mentions ${INVICTUS_KEY}`);
  await writeDeliveries(
    join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2023', '07', '01'),
    copyOf(records, 9).slice(0, 100),
    { perFile: 50, gzip: true, tag: 'oldx' },
  );
  return readable;
}

/** Compact JSON of the records, every key written `\u0041KIA…` (its bytes are then nowhere in the text). */
function withEscapedKeys(records: CloudTrailRecord[]): string {
  return JSON.stringify({ Records: records }).replaceAll('"AKIA', '"\\u0041KIA');
}

function read(location: string, options: Partial<LogFilesOptions> = {}, startWorker?: StartWorker) {
  return readLogFiles(startWorker ? { startWorker } : {}, {
    location,
    accessKeyIds: [INVICTUS_KEY, SESSION_KEY],
    window: INVICTUS_WINDOW,
    ...options,
  });
}

/**
 * Starts workers as readLogFiles does, keeping their errors: a worker that fails is replaced by
 * the calling thread, so the result alone would not tell.
 */
function watchedStarts(): { startWorker: StartWorker; errors: unknown[] } {
  const errors: unknown[] = [];
  return {
    startWorker: async (options) => {
      const worker = await startLogFileWorker(options);
      worker.on('error', (error) => errors.push(error));
      worker.on('messageerror', (error) => errors.push(error));
      return worker;
    },
    errors,
  };
}

/** Starts workers as readLogFiles does, counting them. */
function countingStarts(): { startWorker: StartWorker; started: () => number } {
  let started = 0;
  return {
    startWorker: (options) => {
      started += 1;
      return startLogFileWorker(options);
    },
    started: () => started,
  };
}

let root: string;
let readable: CloudTrailRecord[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'log-files-workers-'));
  readable = await writeMixedFolder(join(root, 'mixed'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readLogFiles with worker threads', () => {
  it('gives exactly the result of reading on the calling thread, with 2 and 3 workers', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });

    for (const workers of [2, 3]) {
      const watched = watchedStarts();
      const parallel = await read(location, { workers }, watched.startWorker);

      expect(parallel).toEqual({ ...alone, workers });
      expect(watched.errors).toEqual([]);
    }
    expect(alone.workers).toBe(0);
    expect(alone.summaries[0]).toMatchObject(
      referenceSummary(readable, INVICTUS_KEY, INVICTUS_WINDOW.start, INVICTUS_WINDOW.end),
    );
    const mine = readable.filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY);
    expect(alone.summaries[0]?.totalEvents).toBe(new Set(mine.map((record) => record.eventID)).size);
    expect(alone.summaries[0]?.totalEvents).toBeGreaterThan(4 * 2104);
    expect(alone.summaries[0]?.regions.searched).toEqual(['eu-central-1', 'us-east-1']);
    // By path: a corrupt and a truncated gzip, a delivery cut short, an empty file, a text file.
    expect(alone.files.failed.map((file) => file.error)).toEqual([
      expect.stringMatching(/^not valid gzip: /),
      expect.stringMatching(/^not valid JSON: /),
      'not valid gzip: unexpected end of file',
      expect.stringMatching(/^not valid JSON: /),
      expect.stringMatching(/^not valid JSON: /),
    ]);
    // A digest, a JSON document without a list of records, a text file.
    expect(alone.files).toMatchObject({ skipped: 3, outsideWindow: 2 });
  });

  it('reports progress after each file, whichever thread read it', async () => {
    const reports: number[] = [];

    const result = await read(join(root, 'mixed'), {
      workers: 2,
      onProgress: (progress) =>
        reports.push(progress.filesRead + progress.filesSkipped + progress.filesOutsideWindow + progress.filesFailed),
    });

    const { read: filesRead, skipped, outsideWindow, failed } = result.files;
    expect(reports).toEqual(reports.map((_, index) => index + 1));
    expect(reports.at(-1)).toBe(filesRead + skipped + outsideWindow + failed.length);
  });

  it('reads on the calling thread alone when there is little to read, or concurrency is 1', async () => {
    const small = join(root, 'small');
    await writeDeliveries(small, loadInvictusRecords(), { perFile: 50, gzip: true, tag: 'smallx' });
    const tiny = countingStarts();

    const result = await read(small, {}, tiny.startWorker);

    expect(result.workers).toBe(0);
    expect(tiny.started()).toBe(0);
    expect(result.summaries[0]?.totalEvents).toBe(2104);

    const one = countingStarts();
    const alone = await read(join(root, 'mixed'), { concurrency: 1 }, one.startWorker);

    expect(alone.workers).toBe(0);
    expect(one.started()).toBe(0);
  });

  it('uses workers of its own accord when there is enough to read and a core to spare', async () => {
    const large = join(root, 'large');
    const records = loadInvictusRecords();
    for (const copy of [0, 1, 2, 3, 4, 5])
      await writeDeliveries(large, copyOf(records, copy), { perFile: 60, gzip: true, tag: `l${copy}x` });
    const counting = countingStarts();

    const result = await read(large, {}, counting.startWorker);

    const expected = Math.min(availableParallelism() - 1, 3);
    expect(result.workers).toBe(Math.max(expected, 0));
    expect(counting.started()).toBe(Math.max(expected, 0));
    expect(result).toEqual({ ...(await read(large, { workers: 0 })), workers: result.workers });
  });
});

describe('readLogFiles while the workers have their fill', () => {
  it('scans files on the calling thread rather than wait for the workers to answer', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    const sent: number[] = [];
    // A worker that takes its time: each batch is answered after 300 ms, its files left to the
    // calling thread; it counted nothing.
    const slow: StartWorker = (options) => {
      const worker = new Worker(
        `const { parentPort } = require('node:worker_threads');
        parentPort.on('message', (request) => setTimeout(() => parentPort.postMessage(request.kind === 'files'
          ? { kind: 'files', batch: request.batch, files: request.files.map(() => ({ kind: 'whole' })) }
          : { kind: 'counted', states: [] }), 300));`,
        { ...options, eval: true },
      );
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (request: { kind: string; files?: unknown[] }) => {
        if (request.files) sent.push(request.files.length);
        post(request);
      };
      return worker;
    };

    const result = await read(location, { workers: 1 }, slow);

    expect(result).toEqual({ ...alone, workers: 1 });
    // It has two batches of 16 in flight at most; the calling thread read the rest of the 200-odd files meanwhile.
    expect(result.files.read + result.files.failed.length).toBeGreaterThan(200);
    expect(sent.length).toBeLessThan(6);
  });
});

describe('readLogFiles when workers fail', () => {
  it('reads every file again on the calling thread when a worker stops with what it counted, and drops none', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    let stopped = 0;
    // Each worker stops once it has answered a first time, with files still to count.
    const stopping: StartWorker = async (options) => {
      const worker = await startLogFileWorker(options);
      worker.once('message', () => {
        stopped += 1;
        void worker.terminate();
      });
      return worker;
    };

    const reports: number[] = [];

    const result = await read(
      location,
      { workers: 2, onProgress: (progress) => reports.push(progress.filesRead) },
      stopping,
    );

    expect(stopped).toBeGreaterThanOrEqual(1);
    expect(result).toEqual({ ...alone, readAgain: expect.stringMatching(/^A log-file worker failed: it stopped/) });
    // Progress goes on from where it was: it never goes back.
    expect(reports).toEqual([...reports].sort((a, b) => a - b));
    expect(reports.at(-1)).toBe(alone.files.read);
  });

  it('reads every file again on the calling thread when a worker stops while asked what it counted', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    const stoppingAtTheEnd: StartWorker = async (options) => {
      const worker = await startLogFileWorker(options);
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (request: { kind: string }) => {
        if (request.kind === 'finish') void worker.terminate();
        else post(request);
      };
      return worker;
    };

    const result = await read(location, { workers: 1 }, stoppingAtTheEnd);

    expect(result).toEqual({ ...alone, readAgain: expect.stringMatching(/^A log-file worker failed: it stopped/) });
  });

  it('reads every file again on the calling thread when the ids it shares fill their memory there', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    // A worker that leaves every file to the calling thread, whose share of the ids then fills.
    const idle: StartWorker = (options) =>
      new Worker(
        `const { parentPort } = require('node:worker_threads');
        parentPort.on('message', (request) => parentPort.postMessage(request.kind === 'files'
          ? { kind: 'files', batch: request.batch, files: request.files.map(() => ({ kind: 'whole' })) }
          : { kind: 'counted', states: [] }));`,
        { ...options, eval: true },
      );
    const Shared = globalThis.SharedArrayBuffer;
    globalThis.SharedArrayBuffer = function small(bytes: number) {
      return new Shared(Math.min(bytes, 64 * 1024));
    } as unknown as SharedArrayBufferConstructor;

    let result: Awaited<ReturnType<typeof read>>;
    try {
      result = await read(location, { workers: 1 }, idle);
    } finally {
      globalThis.SharedArrayBuffer = Shared;
    }

    expect(result).toEqual({ ...alone, readAgain: 'The event ids counted across threads filled their shared memory.' });
  });

  it('reads every file again on the calling thread when a worker cannot go on (its shared memory full)', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    let failed = 0;
    // A worker that counts its first batch, then says it cannot go on, as one whose ids filled the shared memory does.
    const failing: StartWorker = async (options) => {
      const worker = await startLogFileWorker(options);
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (request: { kind: string }) => {
        post(request);
        worker.emit('message', {
          kind: 'failed',
          reason: 'The event ids counted across threads filled their shared memory.',
        });
        failed += 1;
        worker.postMessage = post;
      };
      return worker;
    };

    const result = await read(location, { workers: 2 }, failing);

    expect(failed).toBeGreaterThanOrEqual(1);
    expect(result).toEqual({
      ...alone,
      readAgain: 'A log-file worker failed: The event ids counted across threads filled their shared memory.',
    });
  });

  it('reads on the calling thread alone when the memory the threads would share cannot be had', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    const counting = countingStarts();
    const Shared = globalThis.SharedArrayBuffer;
    globalThis.SharedArrayBuffer = function refused() {
      throw new RangeError('Array buffer allocation failed');
    } as unknown as SharedArrayBufferConstructor;

    try {
      expect(await read(location, { workers: 2 }, counting.startWorker)).toEqual(alone);
    } finally {
      globalThis.SharedArrayBuffer = Shared;
    }
    expect(counting.started()).toBe(0);
  });

  it('reads on the calling thread when workers cannot start, fail to load, or throw', async () => {
    const location = join(root, 'mixed');
    const alone = await read(location, { workers: 0 });
    const failures: StartWorker[] = [
      () => {
        throw new Error('no threads here');
      },
      (options) => new Worker(new URL('./no-such-worker.js', import.meta.url), options),
      (options) => new Worker('throw new Error("broken worker")', { ...options, eval: true }),
    ];

    for (const startWorker of failures) {
      const result = await read(location, { workers: 2 }, startWorker);
      // Whether the files were read again depends on when the worker failed: the result never does.
      expect({ ...result, readAgain: null }).toEqual(alone);
      expect(result.readAgain ?? 'A log-file worker failed: ').toMatch(/^A log-file worker failed: /);
    }
  });
});

/** A counter of files on this thread, with accumulators of its own, and what it counted. */
function counting(settings: CountSettings) {
  const accumulators = new Map(
    [...settings.wanted.ids].map((id) => [id, new ActivityAccumulator(id, INVICTUS_WINDOW)] as const),
  );
  const counter = new LogFileCounter(
    settings,
    (record) => accumulators.get(accessKeyOf(record) ?? '')?.add(record) ?? false,
  );
  const summary = (key: string) =>
    (accumulators.get(key) as ActivityAccumulator).summary({ source: 'cloudtrail-logs', regionsSearched: [] });
  return { counter, summary };
}

/** Summarises `records` for `key` as the accumulator does. */
function summaryOf(records: CloudTrailRecord[], key: string) {
  const accumulator = new ActivityAccumulator(key, INVICTUS_WINDOW);
  for (const record of records) accumulator.add(record);
  return accumulator.summary({ source: 'cloudtrail-logs', regionsSearched: [] });
}

/** A compact delivery of `records` under the root; its path. */
async function delivery(folder: string, records: CloudTrailRecord[]): Promise<string> {
  const path = join(root, folder, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_${folder}.json`);
  await put(path, JSON.stringify({ Records: records }));
  return path;
}

describe('LogFileCounter', () => {
  const wanted = wantedKeys([INVICTUS_KEY, SESSION_KEY]);

  it('counts what readLogFile finds, or leaves the file to it', async () => {
    const folder = join(root, 'mixed');
    const folders = [
      join(folder, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2023', '07', '10'),
      join(folder, 'again'),
      join(folder, 'pretty'),
      join(folder, 'nested'),
      join(folder, 'listed'),
      join(folder, 'export'),
    ];
    const { readdir } = await import('node:fs/promises');
    const kinds = new Set<string>();
    for (const dir of folders)
      for (const name of await readdir(dir)) {
        const path = join(dir, name);
        const { counter, summary } = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
        const count = counter.count(path, true);
        const expected = await readLogFile({ path, open: () => fileChunks(path) }, wanted, {
          collectRegions: true,
          onBytes: () => {},
          maxFileBytes: DEFAULT_MAX_FILE_BYTES,
        });
        kinds.add(count.kind);

        if (count.kind === 'failed') expect(expected).toEqual({ kind: 'failed', reason: count.reason });
        else if (count.kind === 'read') {
          expect(expected).toMatchObject({ kind: 'read', regions: count.regions });
          const records = expected.kind === 'read' ? expected.records : [];
          expect(summary(INVICTUS_KEY)).toEqual(summaryOf(records, INVICTUS_KEY));
          expect(summary(SESSION_KEY)).toEqual(summaryOf(records, SESSION_KEY));
        }
        // Not compact, or cut short before its end.
        else expect(path).toMatch(/\/pretty\/|_cut\.json$/);
      }
    expect([...kinds].sort()).toEqual(['failed', 'read', 'whole']);
  });

  it('without WebAssembly, parses a file whole after files most of whose records it counted, and cuts it after files of others', async () => {
    const records = loadInvictusRecords();
    const mine = records.filter((record) => accessKeyOf(record) === INVICTUS_KEY);
    const others = records.filter((record) => accessKeyOf(record) !== INVICTUS_KEY);
    const dense = await delivery('dense', mine.slice(0, 400));
    const next = await delivery('next', [...others.slice(0, 100), ...mine.slice(400, 500)]);
    const sparse = await delivery('sparse', others.slice(100, 600));
    const sparseToo = await delivery('sparse-too', [...others.slice(600, 790), ...mine.slice(500, 510)]);
    const { counter, summary } = counting({
      wanted: wantedKeys([INVICTUS_KEY]),
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      webAssembly: false,
    });
    const parse = vi.spyOn(JSON, 'parse');
    const parsesOf = (path: string) => {
      parse.mockClear();
      expect(counter.count(path, false).kind).toBe('read');
      return parse.mock.calls.length;
    };

    try {
      // Cut: the key's records one by one. Then, after a file all of whose records counted, whole at once.
      expect(parsesOf(dense)).toBe(400);
      expect(parsesOf(next)).toBe(1);
      expect(parsesOf(sparse)).toBe(1);
      // Counted so far, each file weighing half the next: 150 of 700 records, less than a quarter: cut again.
      expect(parsesOf(sparseToo)).toBe(10);
    } finally {
      parse.mockRestore();
    }
    expect(summary(INVICTUS_KEY)).toEqual(summaryOf(mine.slice(0, 510), INVICTUS_KEY));
    // With WebAssembly, no record is parsed whole: only the parts of its fields the summary reads.
    const found = counting({ wanted: wantedKeys([INVICTUS_KEY]), maxFileBytes: DEFAULT_MAX_FILE_BYTES });
    const parsesWithFields = vi.spyOn(JSON, 'parse');
    try {
      for (const path of [dense, next, sparse, sparseToo]) expect(found.counter.count(path, false).kind).toBe('read');
      for (const call of parsesWithFields.mock.calls) expect(String(call[0])).not.toMatch(/^\{"eventVersion"/);
    } finally {
      parsesWithFields.mockRestore();
    }
    expect(found.summary(INVICTUS_KEY)).toEqual(summary(INVICTUS_KEY));
  });

  it('counts the top-level records only, with WebAssembly, cut, or parsed whole', async () => {
    const wanted = wantedKeys([INVICTUS_KEY]);
    const { delivery: lookAlike } = deliveryWithLookAlike(loadInvictusRecords(), INVICTUS_KEY);
    const path = join(root, 'look-alike', `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_lookalike.json.gz`);
    await put(path, gzipSync(JSON.stringify({ Records: lookAlike })));
    const expected = summaryOf(lookAlike, INVICTUS_KEY);
    const mine = loadInvictusRecords().filter((record) => accessKeyOf(record) === INVICTUS_KEY);
    const dense = await delivery(
      'dense-first',
      mine.slice(0, 50).map((record) => ({ ...record, eventID: `${record.eventID}-first` })),
    );

    const found = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
    found.counter.count(path, false);
    const cut = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES, webAssembly: false });
    cut.counter.count(path, false);
    const whole = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES, webAssembly: false });
    whole.counter.count(dense, false);
    const parse = vi.spyOn(JSON, 'parse');
    whole.counter.count(path, false);
    const parses = parse.mock.calls.length;
    parse.mockRestore();

    expect(found.summary(INVICTUS_KEY)).toEqual(expected);
    expect(cut.summary(INVICTUS_KEY)).toEqual(expected);
    expect(parses).toBe(1);
    expect(whole.summary(INVICTUS_KEY).totalEvents).toBe(expected.totalEvents + 50);
    expect(whole.summary(INVICTUS_KEY).riskyEvents.filter((event) => !event.eventId.endsWith('-first'))).toEqual(
      expected.riskyEvents,
    );
  });

  it('without WebAssembly, does not parse the records whose event id was counted already', async () => {
    const wanted = wantedKeys([INVICTUS_KEY]);
    const records = loadInvictusRecords().slice(0, 200);
    const path = await delivery('counted', records);
    const mine = records.filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY);
    const counted = new Set(mine.filter((_, index) => index % 2 === 0).map((record) => String(record.eventID)));
    const { counter, summary } = counting({
      wanted,
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      alreadyCounted: (bytes, start, end) => counted.has(bytes.toString('utf8', start, end)),
      webAssembly: false,
    });
    const parse = vi.spyOn(JSON, 'parse');

    counter.count(path, false);
    const parses = parse.mock.calls.length;
    parse.mockRestore();

    expect(parses).toBe(mine.length - counted.size);
    expect(summary(INVICTUS_KEY)).toEqual(
      summaryOf(
        mine.filter((_, index) => index % 2 === 1),
        INVICTUS_KEY,
      ),
    );
  });

  it('fails a file that inflates past the cap with the reason, and leaves it to the main thread past what it inflates', async () => {
    const wanted = wantedKeys([INVICTUS_KEY]);
    const path = join(root, 'bomb', `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_bomb.json.gz`);
    const stored = await gzipBomb(300, loadInvictusRecords()[0] as CloudTrailRecord);
    await put(path, stored);

    const capped = counting({ wanted, maxFileBytes: 1024 * 1024 });
    const beyond = counting({ wanted, maxFileBytes: 512 * 1024 * 1024 });

    expect(capped.counter.count(path, false)).toEqual({
      kind: 'failed',
      reason: 'inflates to more than 1 MiB (--max-file-mb)',
      bytes: stored.length,
    });
    // Past the 8 MiB a thread inflates at once, the main thread streams it (and fails it at its cap).
    expect(beyond.counter.count(path, false)).toEqual({ kind: 'whole' });
    expect(capped.summary(INVICTUS_KEY).totalEvents + beyond.summary(INVICTUS_KEY).totalEvents).toBe(0);
  });
});

describe('readWithWorkers, a worker that never answers', () => {
  it('takes it for lost once it has been silent too long with files to count', async () => {
    const path = join(root, 'mixed', 'export', 'part-1.json');
    const file = { path, open: () => fileChunks(path) };
    const silent: StartWorker = (options) => new Worker('setInterval(() => {}, 1000);', { ...options, eval: true });
    const settled: string[] = [];
    const host: PoolHost = {
      toRead: (entry) => ({ file: entry as typeof file, region: 'us-east-1' }),
      countHere: () => ({ kind: 'whole' }),
      settle: (toRead) => settled.push(toRead.file.path),
      readHere: async () => {},
      readRestHere: async () => {},
      merge: () => {},
    };
    const started = Date.now();

    const reading = readWithWorkers({
      entries: (async function* () {
        yield file;
      })(),
      workers: 1,
      data: {
        accessKeyIds: [INVICTUS_KEY],
        window: { startMs: INVICTUS_WINDOW.start.getTime(), endMs: INVICTUS_WINDOW.end.getTime() },
        maxFileBytes: DEFAULT_MAX_FILE_BYTES,
        seen: sharedEventIdsMemory(1024, 64 * 1024),
      },
      startWorker: silent,
      host,
      silenceMs: 300,
    });

    await expect(reading).rejects.toThrow(new WorkersLostError('it answered nothing for 0 s'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(settled).toEqual([]);
  });
});

describe('LogFileCounter, keys written with escapes', () => {
  it('counts the records whose key is written with escapes, cut or parsed whole', async () => {
    const wanted = wantedKeys([INVICTUS_KEY]);
    const records = copyOf(loadInvictusRecords(), 11).slice(0, 300);
    const path = join(root, 'escaped', `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_escaped.json`);
    await put(path, withEscapedKeys(records));
    const dense = await delivery(
      'dense-escaped',
      loadInvictusRecords()
        .filter((record) => accessKeyOf(record) === INVICTUS_KEY)
        .slice(0, 50),
    );
    const expected = summaryOf(records, INVICTUS_KEY);

    const found = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
    found.counter.count(path, false);
    const cut = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES, webAssembly: false });
    cut.counter.count(path, false);
    const whole = counting({ wanted, maxFileBytes: DEFAULT_MAX_FILE_BYTES, webAssembly: false });
    whole.counter.count(dense, false);
    whole.counter.count(path, false);

    expect(expected.totalEvents).toBeGreaterThan(100);
    expect(cut.summary(INVICTUS_KEY)).toEqual(expected);
    expect(whole.summary(INVICTUS_KEY).totalEvents).toBe(expected.totalEvents + 50);
  });
});

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  yield await readFile(path);
}

/*
 * Heap and array buffers of the calling thread after a full collection, sampled while files are
 * being read: four times the files must not raise them by anything like the size of the extra
 * files, however many files the workers have in flight.
 */
describe('readLogFiles with workers, memory', () => {
  it('does not grow with the number of files read', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const records = loadInvictusRecords();
    const texts = Array.from({ length: 32 }, (_, part) =>
      JSON.stringify({ Records: records.filter((_, index) => index % 32 === part) }),
    );
    for (const [folder, copies] of [
      ['memory-small', 4],
      ['memory-large', 16],
    ] as const)
      for (let copy = 0; copy < copies; copy += 1)
        for (const [part, text] of texts.entries())
          await put(
            join(root, folder, `copy-${copy}`, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1145Z_c${part}.json`),
            text,
          );
    const peak = async (folder: string) => {
      let most = 0;
      collect();
      const result = await read(join(root, folder), {
        workers: 1,
        onProgress: (progress) => {
          if (progress.filesRead % 16 !== 0) return;
          collect();
          const { heapUsed, arrayBuffers } = process.memoryUsage();
          most = Math.max(most, heapUsed + arrayBuffers);
        },
      });
      return { most, files: result.files.read, events: result.summaries[0]?.totalEvents, workers: result.workers };
    };

    const small = await peak('memory-small');
    const large = await peak('memory-large');

    expect(small).toMatchObject({ files: 128, events: 2104, workers: 1 });
    expect(large).toMatchObject({ files: 512, events: 2104, workers: 1 });
    expect(large.most - small.most).toBeLessThan(16 * 1024 * 1024);
  });
});

// `npm test` builds before it runs the tests, so under CI the built worker must be there: a missing
// one fails. A bare `vitest run` on a fresh checkout has no build, and leaves this part out.
describe.skipIf(!process.env.CI && !existsSync(pathToFileURL(projectPaths().logFileWorker)))(
  'the built worker script',
  () => {
    it('gives the same result as the sources (run npm run build first)', async () => {
      const script = pathToFileURL(projectPaths().logFileWorker);
      const location = join(root, 'mixed');

      const errors: unknown[] = [];
      const built = await read(location, { workers: 2 }, (options) =>
        new Worker(script, options).on('error', (error) => errors.push(error)),
      );

      expect(built).toEqual({ ...(await read(location, { workers: 0 })), workers: 2 });
      expect(errors).toEqual([]);
    });
  },
);
