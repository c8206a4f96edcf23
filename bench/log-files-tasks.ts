import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import type { CountEntry } from '../src/activity/activity-summary.js';
import { readLogFiles } from '../src/activity/log-files/log-files.js';
import { projectPaths } from '../src/common/project-root.js';
import { ratioGoal } from './bench-support.js';
import { DATA_SET_KEY, DATA_SET_WINDOW } from './cloudtrail-data-set.js';
import { runCommand } from './fresh-process.js';
import type { BenchResult } from './harness.js';

/*
 * What the log-file benchmarks measure, each in a fresh Node process (the bench module started
 * again with a task), so that none profits from another's warm JIT, caches or heap. Times are
 * taken inside the process, around the work alone; peak RSS is the whole process's.
 *
 * The bench modules run bundled in .bench/, where readLogFiles cannot find its worker script next
 * to them: they are given the one the CLI runs (npm run build first, as `npm run bench` does).
 */
const WORKER_SCRIPT = pathToFileURL(projectPaths().logFileWorker);

/** A measurement to take in a fresh process. */
export type LogsTask =
  | { kind: 'logs'; location: string; key: string; maxFileBytes?: number }
  | { kind: 'floor'; location: string }
  | { kind: 'duckdb'; location: string; key: string; query?: DuckDbQuery };

/**
 * What DuckDB is asked: the distinct events by name for the key (`names`), or the summary's core
 * (`core`): the same six count lists the summary has (names, sources, regions, source IPs, user
 * agents, error codes), first and last seen and the total, over the key's distinct events.
 */
export type DuckDbQuery = 'names' | 'core';

/** What readLogFiles gave, and what it cost. */
export interface LogsResult {
  ms: number;
  workers: number;
  maxRssMb: number;
  peakHeapMb: number;
  totalEvents: number;
  filesRead: number;
  failed: { path: string; error: string }[];
  eventNames: CountEntry[];
}

/** What the floor (a bare JSON.parse of each file) cost. */
export interface FloorResult {
  ms: number;
  maxRssMb: number;
  records: number;
}

/** What DuckDB gave for the same question, and what it cost. */
export interface DuckDbResult {
  ms: number;
  maxRssMb: number;
  /** Distinct events made with the key in the window, by event name. */
  counts: Record<string, number>;
  /** Distinct events made with the key in the window (the `core` query only). */
  total?: number;
}

const MB = 1024 * 1024;

/** The jq program of the jq baseline: the key's records, counted by event name. */
const JQ_PROGRAM =
  'reduce (inputs | .Records[] | select(.userIdentity.accessKeyId == $k) | .eventName) as $n ({}; .[$n] += 1)';

/*
 * DuckDB's schema inference fails on CloudTrail (a request's free-form keys: "unknown key
 * LoginTo"), so the fields the question needs are declared, spelled as CloudTrail writes them
 * (matching is case-sensitive); the others are ignored.
 */
const DUCKDB_RECORD =
  'STRUCT(eventID VARCHAR, eventTime VARCHAR, eventName VARCHAR, userIdentity STRUCT(accessKeyId VARCHAR))[]';
const DUCKDB_QUERY = `
  SELECT r.eventName AS name, count(DISTINCT r.eventID) AS n
  FROM (SELECT unnest(Records) AS r FROM read_json($glob, columns = {Records: '${DUCKDB_RECORD}'}))
  WHERE r.userIdentity.accessKeyId = $key AND r.eventTime >= $start AND r.eventTime <= $end
  GROUP BY r.eventName`;

const DUCKDB_CORE_RECORD =
  'STRUCT(eventID VARCHAR, eventTime VARCHAR, eventName VARCHAR, eventSource VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR, errorCode VARCHAR, userIdentity STRUCT(accessKeyId VARCHAR))[]';
/** One row per (list, value): the key's distinct events (by event id), counted in each list. */
const DUCKDB_CORE_QUERY = `
  WITH records AS (SELECT unnest(Records) AS r FROM read_json($glob, columns = {Records: '${DUCKDB_CORE_RECORD}'})),
  events AS (
    SELECT DISTINCT ON (r.eventID) unnest(r) FROM records
    WHERE r.userIdentity.accessKeyId = $key AND r.eventTime >= $start AND r.eventTime <= $end)
  SELECT 'eventNames' AS list, eventName AS name, count(*) AS n FROM events GROUP BY ALL
  UNION ALL SELECT 'eventSources', eventSource, count(*) FROM events GROUP BY ALL
  UNION ALL SELECT 'awsRegions', awsRegion, count(*) FROM events GROUP BY ALL
  UNION ALL SELECT 'sourceIps', sourceIPAddress, count(*) FROM events GROUP BY ALL
  UNION ALL SELECT 'userAgents', userAgent, count(*) FROM events GROUP BY ALL
  UNION ALL SELECT 'errorCodes', errorCode, count(*) FROM events WHERE errorCode IS NOT NULL GROUP BY ALL
  UNION ALL SELECT 'total', min(eventTime) || ' ' || max(eventTime), count(*) FROM events`;

/** The peak resident memory of this process so far, in MB. */
export function maxRssMb(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** Every file under `folder`, depth first. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/** ISO time as CloudTrail writes it (no milliseconds), so that DuckDB can compare the text. */
function cloudTrailTime(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

async function duckDb(task: { location: string; key: string; query?: DuckDbQuery }): Promise<DuckDbResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const gzipped = filesUnder(task.location).some((file) => file.endsWith('.gz'));
  const start = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const core = task.query === 'core';
  const reader = await connection.runAndReadAll(core ? DUCKDB_CORE_QUERY : DUCKDB_QUERY, {
    glob: join(task.location, '**', gzipped ? '*.json.gz' : '*.json'),
    key: task.key,
    start: cloudTrailTime(DATA_SET_WINDOW.start),
    end: cloudTrailTime(DATA_SET_WINDOW.end),
  });
  const rows = reader.getRowObjectsJson();
  const ms = performance.now() - start;
  connection.closeSync();
  instance.closeSync();
  const names = core ? rows.filter((row) => row.list === 'eventNames') : rows;
  const counts = Object.fromEntries(names.map((row) => [String(row.name), Number(row.n)] as const)) as Record<
    string,
    number
  >;
  const total = core ? Number(rows.find((row) => row.list === 'total')?.n) : undefined;
  return { ms, maxRssMb: maxRssMb(), counts, ...(total === undefined ? {} : { total }) };
}

/** Takes the measurement `task` names, in this process. */
export async function runLogsTask(task: LogsTask): Promise<LogsResult | FloorResult | DuckDbResult> {
  if (task.kind === 'duckdb') return duckDb(task);
  if (task.kind === 'floor') {
    const start = performance.now();
    let records = 0;
    for (const file of filesUnder(task.location)) {
      const stored = readFileSync(file);
      const text = (file.endsWith('.gz') ? gunzipSync(stored) : stored).toString('utf8');
      records += JSON.parse(text).Records.length;
    }
    return { ms: performance.now() - start, maxRssMb: maxRssMb(), records };
  }
  let peakHeap = 0;
  const start = performance.now();
  const result = await readLogFiles(
    { startWorker: (options) => new Worker(WORKER_SCRIPT, options) },
    {
      location: task.location,
      accessKeyIds: [task.key],
      window: DATA_SET_WINDOW,
      maxFileBytes: task.maxFileBytes,
      onProgress: () => {
        peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
      },
    },
  );
  const ms = performance.now() - start;
  const [summary] = result.summaries;
  return {
    ms,
    workers: result.workers,
    maxRssMb: maxRssMb(),
    peakHeapMb: peakHeap / MB,
    totalEvents: summary?.totalEvents ?? 0,
    filesRead: result.files.read,
    failed: result.files.failed,
    eventNames: summary?.eventNames ?? [],
  };
}

/** A row of `value` against `baselineValue`, met when their ratio is at most `goal`. */
export function ratioRow(
  name: string,
  baseline: string,
  value: number,
  baselineValue: number,
  goal: number,
  note: string,
  unit = 'ms',
): BenchResult {
  const ratio = value / baselineValue;
  return { name, baseline, value, baselineValue, unit, ratio, goal: ratioGoal(goal), met: ratio <= goal, note };
}

/** jq's per-key count of event names over the files under `folder` (gzipped ones through `gzip -dc`). */
export async function jq(folder: string, gzip: boolean, key = DATA_SET_KEY) {
  const files = filesUnder(folder).sort();
  const run = gzip
    ? await runCommand('sh', ['-c', 'gzip -dc -- "$@" | jq -n --arg k "$KEY" "$PROGRAM"', 'sh', ...files], {
        KEY: key,
        PROGRAM: JQ_PROGRAM,
      })
    : await runCommand('/usr/bin/jq', ['-n', '--arg', 'k', key, JQ_PROGRAM, ...files]);
  return { ms: run.wallMs, counts: JSON.parse(run.stdout) as Record<string, number> };
}

/** True when `theirs` counts each name `times` as often as `ours` does, and no other name. */
export function sameCounts(ours: CountEntry[], theirs: Record<string, number>, times = 1): boolean {
  const entries = Object.entries(theirs);
  return entries.length === ours.length && ours.every((entry) => theirs[entry.name] === times * entry.count);
}
