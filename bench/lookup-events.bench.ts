import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { startCloudTrailLookupServer } from '../emulators/cloudtrail-lookup-server.js';
import type { CloudTrailRecord } from '../src/activity/cloudtrail-record.js';
import { LOOKUP_EVENTS_REQUESTS_PER_SECOND, lookupActivity } from '../src/activity/lookup-events/lookup-events.js';
import { clientConfig } from '../src/aws/client-config.js';
import { DATA_SET_KEY, DATA_SET_WINDOW, loadDeliveries } from './cloudtrail-data-set.js';
import { type Benchmark, type BenchResult, median } from './harness.js';

/*
 * LookupEvents allows 2 requests per second per region and answers 50 events a page, so P pages
 * in each region take at least P/2 seconds when the regions are read at once. The loopback
 * fixture enforces that limit (throttling what exceeds it); the benchmark measures how close
 * lookupActivity comes to the minimum, and that no page is lost on the way.
 */

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1'];
const PAGE_SIZE = 50;

/** `pages` full pages of the key's events in each region (copies of the data set's, with new ids). */
function recordsFor(pages: number): CloudTrailRecord[] {
  const mine = loadDeliveries()
    .deliveries.flatMap((delivery) => delivery.records)
    .filter((record) => record.userIdentity?.accessKeyId === DATA_SET_KEY);
  const perRegion = pages * PAGE_SIZE;
  return REGIONS.flatMap((region, regionIndex) =>
    Array.from({ length: perRegion }, (_, index) => {
      const record = mine[index % mine.length] as CloudTrailRecord;
      return {
        ...record,
        awsRegion: region,
        eventID: `${regionIndex}-${index}-${record.eventID}`,
        // Spread over the window, one second apart, so that every event is in it.
        eventTime: new Date(DATA_SET_WINDOW.start.getTime() + 3_600_000 + index * 1000).toISOString(),
      };
    }),
  );
}

interface Run {
  ms: number;
  events: number[];
  failed: number;
  requests: number;
  throttled: number;
}

async function once(records: CloudTrailRecord[]): Promise<Run> {
  const server = await startCloudTrailLookupServer({ records, requestsPerSecond: LOOKUP_EVENTS_REQUESTS_PER_SECOND });
  const clients = new Map<string, CloudTrailClient>();
  try {
    const cloudTrail = (region: string) => {
      let client = clients.get(region);
      if (!client) {
        // As the CLI builds them, aimed at the fixture, with credentials that are never checked.
        client = new CloudTrailClient({
          ...clientConfig({ region }, region),
          endpoint: server.endpoint,
          credentials: { accessKeyId: 'AKIABENCHMARKEXAMPLE', secretAccessKey: 'not-a-secret' },
        });
        clients.set(region, client);
      }
      return client;
    };
    const start = performance.now();
    const [summary] = await lookupActivity(
      { cloudTrail },
      { accessKeyIds: [DATA_SET_KEY], window: DATA_SET_WINDOW, regions: REGIONS },
    );
    const ms = performance.now() - start;
    const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, count) => total + count, 0);
    return {
      ms,
      events: REGIONS.map((region) => summary?.awsRegions.find((entry) => entry.name === region)?.count ?? 0),
      failed: summary?.regions.failed.length ?? 0,
      requests: sum(server.requests),
      throttled: sum(server.throttled),
    };
  } finally {
    for (const client of clients.values()) client.destroy();
    await server.stop();
  }
}

const benchmark: Benchmark = {
  title: 'investigate (LookupEvents): lookupActivity against the rate limit',
  async run(): Promise<BenchResult[]> {
    const pages = Number(process.env.BENCH_LOOKUP_PAGES ?? 20);
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const records = recordsFor(pages);
    const samples: Run[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await once(records));
    const minimum = (pages / LOOKUP_EVENTS_REQUESTS_PER_SECOND) * 1000;
    const value = median(samples.map((sample) => sample.ms));
    const served = pages * PAGE_SIZE;
    const complete = samples.every((sample) => sample.failed === 0 && sample.events.every((count) => count === served));
    const ratio = value / minimum;
    return [
      {
        name: `lookupActivity, ${REGIONS.length} regions x ${pages} pages`,
        baseline: `theoretical minimum P/2 s at ${LOOKUP_EVENTS_REQUESTS_PER_SECOND} requests/s per region`,
        value,
        baselineValue: minimum,
        unit: 'ms',
        ratio,
        goal: '<= 1.15',
        met: ratio <= 1.15 && complete,
        note: `${runs} runs (${samples.map((sample) => sample.ms.toFixed(0)).join(', ')} ms); events per region ${samples.map((sample) => sample.events.join('/')).join(', ')} of ${served} served: ${complete ? 'no page lost' : 'PAGES LOST'}; requests ${samples.map((sample) => sample.requests).join(', ')} (${REGIONS.length * pages} needed), throttled ${samples.map((sample) => sample.throttled).join(', ')}`,
      },
    ];
  },
};

export default benchmark;
