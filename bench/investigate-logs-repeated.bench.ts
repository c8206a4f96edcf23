import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spread } from './bench-support.js';
import { DATA_SET_KEY, loadDeliveries, writeCopies } from './cloudtrail-data-set.js';
import { currentTask, reportResult, runInFreshProcess } from './fresh-process.js';
import { type Benchmark, median } from './harness.js';
import {
  type DuckDbResult,
  jq,
  type LogsResult,
  type LogsTask,
  ratioRow,
  runLogsTask,
  sameCounts,
} from './log-files-tasks.js';

/*
 * The same deliveries found 40 times over (copies of a trail's bucket, an export beside the
 * originals): every event delivered 40 times with the same event id, so 39 of every 40 records
 * made with the key are dropped as seen. Measured as investigate-logs.bench.ts measures, each run
 * in a fresh process (see log-files-tasks.ts).
 */

const task = currentTask<LogsTask>();
if (task) reportResult(await runLogsTask(task));

const COPIES = 40;
const MB = 1024 * 1024;

function fresh<T>(work: LogsTask) {
  return runInFreshProcess<T>(import.meta.url, work);
}

const benchmark: Benchmark = {
  title: 'investigate --logs, the same events delivered 40 times: readLogFiles against jq and DuckDB',
  async run() {
    const { origin, deliveries } = loadDeliveries();
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    const root = await mkdtemp(join(tmpdir(), 'exposed-keys-bench-repeated-'));
    try {
      const json = join(root, 'json');
      const written = await writeCopies(json, deliveries, { copies: COPIES, gzip: false, sameEventIds: true });
      const size = `${written.events.toLocaleString('en')} records in ${written.files} files (${(written.bytes / MB).toFixed(0)} MB .json): ${COPIES} copies of ${origin} with the same event ids`;
      const samples = {
        logs: [] as LogsResult[],
        wall: [] as number[],
        jq: [] as number[],
        duck: [] as DuckDbResult[],
      };
      let jqAgrees = true;
      let duckAgrees = true;
      // Interleaved, so that a slow spell of a shared machine touches every contender alike.
      for (let run = 0; run < runs; run += 1) {
        const logs = await fresh<LogsResult>({ kind: 'logs', location: json, key: DATA_SET_KEY });
        samples.logs.push(logs.result);
        samples.wall.push(logs.wallMs);
        const counted = await jq(json, false);
        samples.jq.push(counted.ms);
        jqAgrees &&= sameCounts(logs.result.eventNames, counted.counts, COPIES);
        const duck = (await fresh<DuckDbResult>({ kind: 'duckdb', location: json, key: DATA_SET_KEY })).result;
        samples.duck.push(duck);
        duckAgrees &&= sameCounts(logs.result.eventNames, duck.counts);
      }

      const ms = (list: { ms: number }[]) => list.map((sample) => sample.ms);
      const [first] = samples.logs;
      const ours = `ours ${spread(ms(samples.logs))} ms (whole Node process ${median(samples.wall).toFixed(0)} ms), ${first?.totalEvents.toLocaleString('en')} distinct events, ${first?.workers} worker thread(s), peak RSS ${median(samples.logs.map((s) => s.maxRssMb)).toFixed(0)} MB, peak heap ${median(samples.logs.map((s) => s.peakHeapMb)).toFixed(0)} MB; medians of ${runs} runs, each in a fresh process`;
      return [
        ratioRow(
          `readLogFiles, .json, the same events ${COPIES} times (${written.files.toLocaleString('en')} files)`,
          'jq per-key eventName count',
          median(ms(samples.logs)),
          median(samples.jq),
          0.33,
          `${size}; ${ours}; jq ${spread(samples.jq)} ms, counting every copy: its counts are ${COPIES} times ours ${jqAgrees ? 'for every name' : 'NOT for every name'}`,
        ),
        ratioRow(
          `readLogFiles, .json, the same events ${COPIES} times`,
          'DuckDB: distinct events by name for the key',
          median(ms(samples.logs)),
          median(ms(samples.duck)),
          1,
          `${size}; ${ours}; DuckDB ${spread(ms(samples.duck))} ms, peak RSS ${median(samples.duck.map((s) => s.maxRssMb)).toFixed(0)} MB; per-name counts ${duckAgrees ? 'equal' : 'DIFFER'}`,
        ),
      ];
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};

export default benchmark;
