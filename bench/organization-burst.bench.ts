import { startMoto } from '../emulators/moto.js';
import { type BurstReport, runOrganizationBurst } from '../emulators/organization-burst.js';
import type { Benchmark, BenchResult } from './harness.js';

/*
 * A burst in organisation mode: 100 keys across 10 accounts, every event at once, run by the hub's
 * state machine (the template's definition, here) with the real handlers against moto and the
 * LookupEvents fixture at 2 requests a second per account and region. It measures the time to
 * contain every key, the time to the last notification, and the throttled calls. The baselines:
 * one key alone, contained the same way; and the least time the busiest account's LookupEvents
 * calls can take at 2 a second.
 */

const ACCOUNTS = 10;
const KEYS_PER_ACCOUNT = 10;
const EVENTS_PER_KEY = 60;

async function burst(accounts: number, keysPerAccount: number): Promise<BurstReport> {
  const moto = await startMoto();
  try {
    return await runOrganizationBurst({
      motoEndpoint: moto.endpoint,
      accounts,
      keysPerAccount,
      eventsPerKey: EVENTS_PER_KEY,
    });
  } finally {
    await moto.stop();
  }
}

function latest(report: BurstReport, field: 'containedAtMs' | 'notifiedAtMs'): number {
  return Math.max(...report.executions.map((execution) => execution[field]));
}

const benchmark: Benchmark = {
  title: 'Organisation mode: a burst of 100 leaked keys across 10 accounts',
  async run(): Promise<BenchResult[]> {
    const alone = await burst(1, 1);
    const report = await burst(ACCOUNTS, KEYS_PER_ACCOUNT);
    const contained = latest(report, 'containedAtMs');
    const notified = latest(report, 'notifiedAtMs');
    const busiest = Math.max(...Object.values(report.requestsByAccount));
    const floorMs = ((busiest - 1) / 2) * 1000;
    const ok = report.executions.filter((execution) => execution.status === 'SUCCEEDED').length;
    const note = `${ok}/${report.executions.length} executions succeeded, ${report.keysLeft} key(s) left, ${report.messages.length} messages; LookupEvents ${report.lookupRequests} requests, busiest account ${busiest}`;
    return [
      {
        name: `Burst: every one of ${report.executions.length} keys contained`,
        baseline: 'one key alone, contained the same way',
        value: contained,
        baselineValue: latest(alone, 'containedAtMs'),
        unit: 'ms',
        ratio: contained / latest(alone, 'containedAtMs'),
        goal: 'all within 10 s of their events',
        met: contained <= 10_000 && report.keysLeft === 0,
        note,
      },
      {
        name: 'Burst: the last notification sent',
        baseline: "the busiest account's LookupEvents calls at 2/s (the floor)",
        value: notified,
        baselineValue: floorMs,
        unit: 'ms',
        ratio: notified / floorMs,
        goal: '<= 1.3',
        met: notified / floorMs <= 1.3 && report.messages.length === report.executions.length,
        note,
      },
      {
        name: 'Burst: LookupEvents calls throttled',
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
  },
};

export default benchmark;
