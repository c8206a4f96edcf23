import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip, gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../src/activity/cloudtrail-record.js';
import { DATA_SET_KEY, loadDeliveries } from './cloudtrail-data-set.js';
import { currentTask, reportResult, runInFreshProcess } from './fresh-process.js';
import { type Benchmark, type BenchResult, median } from './harness.js';
import { type LogsResult, type LogsTask, ratioRow, runLogsTask } from './log-files-tasks.js';

/*
 * Files no real delivery looks like, which must still cost bounded memory and time linear in
 * their size: a .json.gz of a few MB that inflates to gigabytes of whitespace around one record,
 * and a delivery whose one record holds one very long string. Each run in a fresh process (see
 * log-files-tasks.ts).
 */

const task = currentTask<LogsTask>();
if (task) reportResult(await runLogsTask(task));

const MIB = 1024 * 1024;
const FOLDER = join('AWSLogs', '218007301253', 'CloudTrail', 'us-east-1', '2023', '07', '10');
/** What "a few hundred MB at most" means for the whole process, Node and worker threads included. */
const MEMORY_BUDGET_MB = 384;
const BOMB_SPACES_MIB = 2600;

function fresh<T>(work: LogsTask) {
  return runInFreshProcess<T>(import.meta.url, work);
}

function recordOf(key: string): CloudTrailRecord {
  const records = loadDeliveries().deliveries.flatMap((delivery) => delivery.records);
  return records.find((record) => record.userIdentity?.accessKeyId === key) as CloudTrailRecord;
}

/** `{"Records":[` + gigabytes of spaces + one record + `]}`, gzipped as a stream: a few MB. */
async function writeBomb(path: string, record: CloudTrailRecord): Promise<number> {
  const spaces = Buffer.alloc(MIB, 0x20);
  async function* text() {
    yield Buffer.from('{"Records":[');
    for (let written = 0; written < BOMB_SPACES_MIB; written += 1) yield spaces;
    yield Buffer.from(`${JSON.stringify(record)}]}`);
  }
  await pipeline(text(), createGzip({ strategy: constants.Z_RLE }), createWriteStream(path));
  return (await stat(path)).size;
}

async function writeLongRecord(path: string, record: CloudTrailRecord, mib: number): Promise<number> {
  const body = gzipSync(JSON.stringify({ Records: [{ ...record, userAgent: 'a'.repeat(mib * MIB) }] }));
  await writeFile(path, body);
  return body.length;
}

const benchmark: Benchmark = {
  title: 'investigate --logs on files no delivery looks like: bounded memory, linear time',
  async run() {
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    const root = await mkdtemp(join(tmpdir(), 'exposed-keys-bench-limits-'));
    try {
      const record = recordOf(DATA_SET_KEY);
      const bomb = join(root, 'bomb', FOLDER);
      const half = join(root, 'long-32', FOLDER);
      const whole = join(root, 'long-64', FOLDER);
      for (const folder of [bomb, half, whole]) await mkdir(folder, { recursive: true });
      const bombBytes = await writeBomb(
        join(bomb, '218007301253_CloudTrail_us-east-1_20230710T1200Z_bomb.json.gz'),
        record,
      );
      const halfBytes = await writeLongRecord(
        join(half, '218007301253_CloudTrail_us-east-1_20230710T1200Z_long.json.gz'),
        record,
        32,
      );
      await writeLongRecord(join(whole, '218007301253_CloudTrail_us-east-1_20230710T1200Z_long.json.gz'), record, 64);

      const samples = { bomb: [] as LogsResult[], half: [] as LogsResult[], whole: [] as LogsResult[] };
      for (let run = 0; run < runs; run += 1) {
        samples.bomb.push(
          (await fresh<LogsResult>({ kind: 'logs', location: join(root, 'bomb'), key: DATA_SET_KEY })).result,
        );
        samples.half.push(
          (await fresh<LogsResult>({ kind: 'logs', location: join(root, 'long-32'), key: DATA_SET_KEY })).result,
        );
        samples.whole.push(
          (await fresh<LogsResult>({ kind: 'logs', location: join(root, 'long-64'), key: DATA_SET_KEY })).result,
        );
      }

      const ms = (list: LogsResult[]) => median(list.map((sample) => sample.ms));
      const rss = (list: LogsResult[]) => median(list.map((sample) => sample.maxRssMb));
      const reason = samples.bomb[0]?.failed[0]?.error ?? 'NOT reported as failed';
      const rows: BenchResult[] = [
        ratioRow(
          `peak RSS, a ${(bombBytes / MIB).toFixed(1)} MB .json.gz that inflates to ${(BOMB_SPACES_MIB / 1024).toFixed(1)} GiB`,
          `a budget of a few hundred MB (${MEMORY_BUDGET_MB} MB)`,
          rss(samples.bomb),
          MEMORY_BUDGET_MB,
          1,
          `whitespace around one record, default cap (128 MiB of text): listed as failed, "${reason}", in ${ms(samples.bomb).toFixed(0)} ms; peak RSS of the whole process (worker threads included), medians of ${runs} runs, each in a fresh process`,
          'MB',
        ),
        ratioRow(
          'readLogFiles, one record of 64 MiB (one .json.gz)',
          'the same with a record of 32 MiB',
          ms(samples.whole),
          ms(samples.half),
          2.5,
          `linear time is a ratio of about 2 (a join of the record's chunks at each chunk made it about 4: the 32 MiB file is ${(halfBytes / 1024).toFixed(0)} KB gzipped); 32 MiB: ${ms(samples.half).toFixed(0)} ms, peak RSS ${rss(samples.half).toFixed(0)} MB; 64 MiB: ${ms(samples.whole).toFixed(0)} ms, peak RSS ${rss(samples.whole).toFixed(0)} MB; events counted ${samples.whole[0]?.totalEvents}; medians of ${runs} runs, each in a fresh process`,
        ),
      ];
      return rows;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};

export default benchmark;
