import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spread } from './bench-support.js';
import { DATA_SET_KEY, type Delivery, loadDeliveries, SPARSE_KEY, writeCopies } from './cloudtrail-data-set.js';
import { currentTask, reportResult, runInFreshProcess } from './fresh-process.js';
import { type Benchmark, median } from './harness.js';
import {
  type DuckDbResult,
  type FloorResult,
  filesUnder,
  jq,
  type LogsResult,
  type LogsTask,
  ratioRow as row,
  runLogsTask,
  sameCounts,
} from './log-files-tasks.js';

/*
 * Every measurement runs in a fresh Node process (this module, started again with a task): see
 * log-files-tasks.ts. The whole process (Node start-up included) is given in the notes.
 */

const task = currentTask<LogsTask>();
if (task) reportResult(await runLogsTask(task));

const MB = 1024 * 1024;

function fresh<T>(work: LogsTask) {
  return runInFreshProcess<T>(import.meta.url, work);
}

/** The same files, delivered again `times` times: hard links, so the events are the same. */
async function deliveredAgain(from: string, to: string, times: number): Promise<void> {
  const files = filesUnder(from);
  for (let time = 0; time < times; time += 1) {
    const folder = join(to, `delivery-${time}`);
    await mkdir(folder, { recursive: true });
    for (const file of files) await link(file, join(folder, file.slice(file.lastIndexOf('/') + 1)));
  }
}

function eventsIn(deliveries: readonly Delivery[]): number {
  return deliveries.reduce((sum, delivery) => sum + delivery.records.length, 0);
}

const benchmark: Benchmark = {
  title: 'investigate --logs: readLogFiles against jq, DuckDB and a bare JSON.parse',
  async run() {
    const { origin, deliveries } = loadDeliveries();
    const copies = Math.ceil(100_000 / eventsIn(deliveries));
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    const root = await mkdtemp(join(tmpdir(), 'exposed-keys-bench-'));
    try {
      const json = join(root, 'json');
      const gz = join(root, 'gz');
      const written = await writeCopies(json, deliveries, { copies, gzip: false });
      const writtenGz = await writeCopies(gz, deliveries, { copies, gzip: true });
      await deliveredAgain(json, join(root, 'json-4x'), 4);
      const size = `${written.events.toLocaleString('en')} events in ${written.files} files (${(written.bytes / MB).toFixed(0)} MB .json, ${(writtenGz.bytes / MB).toFixed(0)} MB .json.gz) from ${origin}`;

      const samples = {
        logs: [] as LogsResult[],
        logsGz: [] as LogsResult[],
        sparse: [] as LogsResult[],
        floor: [] as FloorResult[],
        floorGz: [] as FloorResult[],
        jq: [] as number[],
        jqGz: [] as number[],
        duck: [] as DuckDbResult[],
        duckGz: [] as DuckDbResult[],
        duckCore: [] as DuckDbResult[],
        wall: [] as number[],
        wallFloor: [] as number[],
        fourTimes: [] as LogsResult[],
      };
      let jqAgrees = true;
      let duckAgrees = true;
      // Interleaved, so that a slow spell of a shared machine touches every contender alike.
      for (let run = 0; run < runs; run += 1) {
        const logs = await fresh<LogsResult>({ kind: 'logs', location: json, key: DATA_SET_KEY });
        samples.logs.push(logs.result);
        samples.wall.push(logs.wallMs);
        samples.logsGz.push((await fresh<LogsResult>({ kind: 'logs', location: gz, key: DATA_SET_KEY })).result);
        samples.sparse.push((await fresh<LogsResult>({ kind: 'logs', location: json, key: SPARSE_KEY })).result);
        const floor = await fresh<FloorResult>({ kind: 'floor', location: json });
        samples.floor.push(floor.result);
        samples.wallFloor.push(floor.wallMs);
        samples.floorGz.push((await fresh<FloorResult>({ kind: 'floor', location: gz })).result);
        const jqJson = await jq(json, false);
        const jqGz = await jq(gz, true);
        samples.jq.push(jqJson.ms);
        samples.jqGz.push(jqGz.ms);
        jqAgrees &&=
          sameCounts(logs.result.eventNames, jqJson.counts) && sameCounts(logs.result.eventNames, jqGz.counts);
        const duck = (await fresh<DuckDbResult>({ kind: 'duckdb', location: json, key: DATA_SET_KEY })).result;
        const duckGz = (await fresh<DuckDbResult>({ kind: 'duckdb', location: gz, key: DATA_SET_KEY })).result;
        const duckCore = (
          await fresh<DuckDbResult>({ kind: 'duckdb', location: json, key: DATA_SET_KEY, query: 'core' })
        ).result;
        samples.duck.push(duck);
        samples.duckGz.push(duckGz);
        samples.duckCore.push(duckCore);
        duckAgrees &&=
          sameCounts(logs.result.eventNames, duck.counts) &&
          sameCounts(logs.result.eventNames, duckGz.counts) &&
          sameCounts(logs.result.eventNames, duckCore.counts) &&
          duckCore.total === logs.result.totalEvents;
        samples.fourTimes.push(
          (await fresh<LogsResult>({ kind: 'logs', location: join(root, 'json-4x'), key: DATA_SET_KEY })).result,
        );
      }
      // Four times the distinct events: the de-duplication set grows with them, as it must.
      const fresh4x = join(root, 'gz-4x-fresh');
      await writeCopies(fresh4x, deliveries, { copies: 4 * copies, gzip: true });
      const four = (await fresh<LogsResult>({ kind: 'logs', location: fresh4x, key: DATA_SET_KEY })).result;
      await rm(fresh4x, { recursive: true, force: true });

      const ms = (list: { ms: number }[]) => list.map((sample) => sample.ms);
      const med = (list: number[]) => median(list);
      const memory = (list: LogsResult[]) =>
        `peak RSS ${med(list.map((s) => s.maxRssMb)).toFixed(0)} MB, peak heap ${med(list.map((s) => s.peakHeapMb)).toFixed(0)} MB`;
      const events = samples.logs[0]?.totalEvents ?? 0;
      const common = `${size}; key ${DATA_SET_KEY}: ${events.toLocaleString('en')} events; ${samples.logs[0]?.workers ?? 0} worker thread(s); medians of ${runs} runs, each in a fresh process`;
      const jqNote = `jq ${spread(samples.jq)} ms (.json), ${spread(samples.jqGz)} ms (.json.gz, through gzip -dc); per-name counts ${jqAgrees ? 'equal' : 'DIFFER'}; ours ${spread(ms(samples.logs))} ms; whole Node process ${med(samples.wall).toFixed(0)} ms`;
      const floorRss = `bare JSON.parse peak RSS ${med(samples.floor.map((s) => s.maxRssMb)).toFixed(0)} MB`;
      const duckNote = (
        list: DuckDbResult[],
        question = 'count of distinct eventIDs by eventName for the key in the window',
      ) =>
        `DuckDB ${spread(ms(list))} ms (instance, read_json with the fields declared, ${question}), peak RSS ${med(list.map((s) => s.maxRssMb)).toFixed(0)} MB; per-name counts ${duckAgrees ? 'equal' : 'DIFFER'}`;
      return [
        row(
          'readLogFiles, .json',
          'jq per-key eventName count',
          med(ms(samples.logs)),
          med(samples.jq),
          0.33,
          `${common}; ${jqNote}; ${memory(samples.logs)}`,
        ),
        row(
          'readLogFiles, .json.gz',
          'gzip -dc | jq per-key eventName count',
          med(ms(samples.logsGz)),
          med(samples.jqGz),
          0.33,
          `${common}; ours ${spread(ms(samples.logsGz))} ms; ${memory(samples.logsGz)}`,
        ),
        row(
          'readLogFiles, .json',
          'DuckDB: distinct events by name for the key',
          med(ms(samples.logs)),
          med(ms(samples.duck)),
          1,
          `${common}; ${duckNote(samples.duck)}; ours ${spread(ms(samples.logs))} ms, ${memory(samples.logs)}`,
        ),
        row(
          'readLogFiles, .json',
          "DuckDB: the summary's core (six count lists, first and last seen, total)",
          med(ms(samples.logs)),
          med(ms(samples.duckCore)),
          1,
          `${common}; ${duckNote(samples.duckCore, "the summary's core for the key in the window: names, sources, regions, source IPs, user agents, error codes, first and last seen, total, over distinct event ids")}; ours ${spread(ms(samples.logs))} ms`,
        ),
        row(
          'readLogFiles, .json.gz',
          'DuckDB: distinct events by name for the key',
          med(ms(samples.logsGz)),
          med(ms(samples.duckGz)),
          1,
          `${common}; ${duckNote(samples.duckGz)}; ours ${spread(ms(samples.logsGz))} ms, ${memory(samples.logsGz)}`,
        ),
        row(
          'readLogFiles, .json',
          'bare JSON.parse of each file (readFileSync)',
          med(ms(samples.logs)),
          med(ms(samples.floor)),
          1.3,
          `${common}; floor ${spread(ms(samples.floor))} ms, whole process ${med(samples.wallFloor).toFixed(0)} ms; ${floorRss}`,
        ),
        row(
          'readLogFiles, .json.gz',
          'bare gunzipSync + JSON.parse of each file',
          med(ms(samples.logsGz)),
          med(ms(samples.floorGz)),
          1.3,
          `${common}; floor ${spread(ms(samples.floorGz))} ms`,
        ),
        row(
          `readLogFiles, .json, key with ${samples.sparse[0]?.totalEvents} events`,
          'bare JSON.parse of each file (readFileSync)',
          med(ms(samples.sparse)),
          med(ms(samples.floor)),
          1.3,
          `${size}; key ${SPARSE_KEY}: only its records are handed over by the WebAssembly module, none parsed whole; ${memory(samples.sparse)}`,
        ),
        row(
          'peak RSS, 4x the files (the same events delivered again)',
          'peak RSS, 1x the files',
          med(samples.fourTimes.map((s) => s.maxRssMb)),
          med(samples.logs.map((s) => s.maxRssMb)),
          1.25,
          `4x: ${samples.fourTimes[0]?.filesRead} files, ${memory(samples.fourTimes)}, ${med(ms(samples.fourTimes)).toFixed(0)} ms; 1x: ${memory(samples.logs)}; 4x distinct events (.json.gz, ${four.totalEvents.toLocaleString('en')} events, one run): peak RSS ${four.maxRssMb.toFixed(0)} MB, peak heap ${four.peakHeapMb.toFixed(0)} MB, ${four.ms.toFixed(0)} ms (the de-duplication set holds every event id)`,
          'MB',
        ),
      ];
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};

export default benchmark;
