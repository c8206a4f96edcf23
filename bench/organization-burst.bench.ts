import { readFileSync } from 'node:fs';
import { startMoto } from '../emulators/moto.js';
import { type BurstReport, runOrganizationBurst } from '../emulators/organization-burst.js';
import type { Benchmark, BenchResult } from './harness.js';

/*
 * A burst in organisation mode: 100 keys across 10 accounts, run by the hub's state machine (the
 * template's definition, here) with the real handlers against moto and the LookupEvents fixture at
 * 2 requests a second per account and region. Two arrivals: the scenario to meet, every key
 * reported within a minute (evenly, account by account, so that each account's ten investigations
 * meet in its budget), and a harder one, every event at once. It measures how long after its event
 * each key was contained, the time to the last notification, and the throttled calls. The baselines:
 * one key alone, contained the same way; and the least time each account's LookupEvents calls can
 * take at 2 a second from its first key contained.
 */

const ACCOUNTS = 10;
const KEYS_PER_ACCOUNT = 10;
const EVENTS_PER_KEY = 60;
const MINUTE_MS = 60_000;
const CONTAIN_GOAL_MS = 10_000;

/** CPU time of a process so far, user and system, from /proc (Linux; clock ticks of 10 ms). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU time sampled during a run: when, moto's, this process's. */
interface CpuSample {
  at: number;
  motoMs: number;
  nodeMs: number;
}

interface MeasuredBurst {
  report: BurstReport;
  samples: CpuSample[];
}

async function burst(accounts: number, keysPerAccount: number, arrivalSpreadMs = 0): Promise<MeasuredBurst> {
  const moto = await startMoto();
  const samples: CpuSample[] = [];
  const sample = () => {
    const own = process.cpuUsage();
    samples.push({ at: Date.now(), motoMs: processCpuMs(moto.pid), nodeMs: (own.user + own.system) / 1000 });
  };
  const sampler = setInterval(sample, 100);
  try {
    const report = await runOrganizationBurst({
      motoEndpoint: moto.endpoint,
      accounts,
      keysPerAccount,
      eventsPerKey: EVENTS_PER_KEY,
      arrivalSpreadMs,
    });
    return { report, samples };
  } finally {
    clearInterval(sampler);
    await moto.stop();
  }
}

/** The share of one core that moto, and this process, used from the burst's start to `untilMs` after it. */
function cpuShare({ report, samples }: MeasuredBurst, untilMs: number): { moto: number; node: number } {
  const nearest = (at: number) =>
    samples.reduce((best, each) => (Math.abs(each.at - at) < Math.abs(best.at - at) ? each : best));
  const from = nearest(report.startedAt);
  const to = nearest(report.startedAt + untilMs);
  const span = Math.max(1, to.at - from.at);
  return { moto: (to.motoMs - from.motoMs) / span, node: (to.nodeMs - from.nodeMs) / span };
}

/** Milliseconds from each key's event to its containment, sorted. */
function containLatencies(report: BurstReport): number[] {
  return report.executions.map((execution) => execution.containedAtMs - execution.firedAtMs).sort((a, b) => a - b);
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

/**
 * The least time to the last notification: each account's LookupEvents calls at 2 a second, from
 * the first containment in that account (an execution investigates once its key is contained).
 */
function lookupFloorMs(report: BurstReport): number {
  let floor = 0;
  for (const [account, calls] of Object.entries(report.requestsByAccount)) {
    const accountId = account.split('/')[0];
    const first = Math.min(
      ...report.executions.filter((each) => each.accountId === accountId).map((each) => each.containedAtMs),
    );
    floor = Math.max(floor, first + ((calls - 1) / 2) * 1000);
  }
  return floor;
}

function rows(label: string, measured: MeasuredBurst, alone: BurstReport): BenchResult[] {
  const { report } = measured;
  const latencies = containLatencies(report);
  const slowest = latencies.at(-1) as number;
  const aloneMs = containLatencies(alone).at(-1) as number;
  const lastContained = Math.max(...report.executions.map((execution) => execution.containedAtMs));
  const busy = cpuShare(measured, lastContained);
  const notified = Math.max(...report.executions.map((execution) => execution.notifiedAtMs));
  const floorMs = lookupFloorMs(report);
  const ok = report.executions.filter((execution) => execution.status === 'SUCCEEDED').length;
  const busiest = Math.max(...Object.values(report.requestsByAccount));
  const note = `${ok}/${report.executions.length} executions succeeded, ${report.keysLeft} key(s) left, ${report.messages.length} messages; after its event, contained in p50 ${Math.round(percentile(latencies, 0.5))} ms, p90 ${Math.round(percentile(latencies, 0.9))} ms; last event fired at ${Math.round(Math.max(...report.executions.map((each) => each.firedAtMs)))} ms; until the last key was contained, moto used ${Math.round(busy.moto * 100)} % of a core and this process ${Math.round(busy.node * 100)} %; LookupEvents ${report.lookupRequests} requests, busiest account ${busiest}`;
  return [
    {
      name: `Burst ${label}: the slowest of ${report.executions.length} keys contained, after its event`,
      baseline: 'one key alone, contained the same way',
      value: slowest,
      baselineValue: aloneMs,
      unit: 'ms',
      ratio: slowest / aloneMs,
      goal: 'every key within 10 s of its event',
      met: slowest <= CONTAIN_GOAL_MS && report.keysLeft === 0,
      note,
    },
    {
      name: `Burst ${label}: the last notification sent`,
      baseline: "each account's LookupEvents calls at 2/s from its first key contained (the floor)",
      value: notified,
      baselineValue: floorMs,
      unit: 'ms',
      ratio: notified / floorMs,
      goal: '<= 1.3',
      met: notified / floorMs <= 1.3 && report.messages.length === report.executions.length,
      note,
    },
    {
      name: `Burst ${label}: LookupEvents calls throttled`,
      baseline: 'LookupEvents calls made',
      value: report.throttled,
      baselineValue: report.lookupRequests,
      unit: 'calls',
      ratio: report.throttled / report.lookupRequests,
      goal: '<= 0.05',
      met: report.throttled / report.lookupRequests <= 0.05,
      note: JSON.stringify(report.throttledByAccount),
    },
  ];
}

const benchmark: Benchmark = {
  title: 'Organisation mode: a burst of 100 leaked keys across 10 accounts',
  async run(): Promise<BenchResult[]> {
    const alone = (await burst(1, 1)).report;
    const overAMinute = await burst(ACCOUNTS, KEYS_PER_ACCOUNT, MINUTE_MS);
    const atOnce = await burst(ACCOUNTS, KEYS_PER_ACCOUNT);
    return [...rows('reported within a minute', overAMinute, alone), ...rows('reported at once', atOnce, alone)];
  },
};

export default benchmark;
