import { afterEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  type LookupFault,
  startCloudTrailLookupServer,
} from '../../../../emulators/cloudtrail-lookup-server.js';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { lookupActivity } from '../../../../src/activity/lookup-events/lookup-events.js';
import { cloudTrailAt } from '../../../support/cloudtrail-clients.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { summarizeRecords } from '../../../support/summaries.js';

let server: CloudTrailLookupServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serve(
  records: CloudTrailRecord[],
  requestsPerSecond: number,
  fault?: (r: { region: string; count: number }) => LookupFault | null,
) {
  server = await startCloudTrailLookupServer({ records, requestsPerSecond, fault });
  return server;
}

/** The data set's records, copied into each region (as the region's own events). */
function acrossRegions(regions: string[]): CloudTrailRecord[] {
  return regions.flatMap((region) =>
    loadInvictusRecords().map((record) => ({ ...record, awsRegion: region, eventID: `${region}-${record.eventID}` })),
  );
}

describe('lookupActivity against the loopback LookupEvents fixture', () => {
  it('gives the summary computed directly from the same records, every page read', async () => {
    const records = loadInvictusRecords();
    const fixture = await serve(records, 40);

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1'],
        requestsPerSecond: 40,
        userName: 'bert-jan',
      },
    );

    const direct = summarizeRecords(records, INVICTUS_KEY, INVICTUS_WINDOW, {
      source: 'lookup-events',
      regionsSearched: ['us-east-1'],
      userName: 'bert-jan',
    });
    expect(summary).toEqual(direct);
    expect(fixture.requests.get('us-east-1')).toBe(Math.ceil(2104 / 50));
  });

  it('searches every region at once and lists each as searched', async () => {
    const regions = ['eu-west-1', 'us-east-1', 'us-west-2'];
    const fixture = await serve(acrossRegions(regions), 40);

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      { accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, regions, requestsPerSecond: 40 },
    );

    expect(summary?.regions).toEqual({ searched: regions, failed: [] });
    expect(summary?.totalEvents).toBe(3 * 2104);
    expect(summary?.awsRegions.map((entry) => entry.name).sort()).toEqual(regions);
  });

  it('stays within 2 requests per second per region, so nothing is throttled', async () => {
    const records = loadInvictusRecords().slice(0, 400);
    const key = INVICTUS_KEY;
    const twoRegions = ['us-east-1', 'eu-west-1'].flatMap((region) =>
      records.map((record) => ({ ...record, awsRegion: region, eventID: `${region}-${record.eventID}` })),
    );
    const fixture = await serve(twoRegions, 2);

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      { accessKeyIds: [key], window: INVICTUS_WINDOW, regions: ['us-east-1', 'eu-west-1'] },
    );

    const expected = records.filter((record) => record.userIdentity?.accessKeyId === key).length * 2;
    expect(summary?.totalEvents).toBe(expected);
    expect([...fixture.throttled.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('retries throttling when called faster than the limit, and loses no page', async () => {
    const records = loadInvictusRecords().slice(0, 600);
    const fixture = await serve(records, 2);

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      { accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, regions: ['us-east-1'], requestsPerSecond: 20 },
    );

    expect(fixture.throttled.get('us-east-1')).toBeGreaterThan(0);
    expect(summary?.totalEvents).toBe(
      records.filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY).length,
    );
    expect(summary?.regions.failed).toEqual([]);
  });

  it('lists a region that refuses under regions.failed and still summarises the others', async () => {
    const fixture = await serve(acrossRegions(['us-east-1', 'ap-south-1']), 40, ({ region }) =>
      region === 'ap-south-1' ? 'access-denied' : null,
    );

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1', 'ap-south-1'],
        requestsPerSecond: 40,
      },
    );

    expect(summary?.regions.searched).toEqual(['us-east-1']);
    expect(summary?.regions.failed).toEqual([
      { region: 'ap-south-1', error: expect.stringMatching(/cloudtrail:LookupEvents failed: AccessDeniedException/) },
    ]);
    expect(summary?.totalEvents).toBe(2104);
  });

  it('gives up on a region that keeps failing, saying how often it tried', async () => {
    const fixture = await serve(loadInvictusRecords(), 40, () => 'server-error');

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint), sleep: async () => {} },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1'],
        requestsPerSecond: 1000,
        maxRetries: 2,
      },
    );

    expect(summary?.regions.failed[0]?.error).toMatch(/gave up after 3 attempts/);
    expect(fixture.requests.get('us-east-1')).toBe(3);
  });

  it('lists a region whose calls time out', async () => {
    const fixture = await serve(loadInvictusRecords(), 40, () => 'timeout');

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint, { requestTimeout: 200 }), sleep: async () => {} },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1'],
        requestsPerSecond: 1000,
        maxRetries: 1,
      },
    );

    expect(summary?.regions.searched).toEqual([]);
    expect(summary?.regions.failed).toHaveLength(1);
  });

  it('stops at maxEvents and says the summary is truncated', async () => {
    const fixture = await serve(loadInvictusRecords(), 40);

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1'],
        requestsPerSecond: 40,
        maxEvents: 100,
      },
    );

    expect(summary?.truncated).toBe(true);
    expect(summary?.totalEvents).toBe(100);
  });

  it('follows several keys, one summary each', async () => {
    const records = loadInvictusRecords();
    const fixture = await serve(records, 40);
    const sessionKeys = ['ASIATFQR7NSCWLLE7IWW', 'ASIATFQR7NSC2632JLFK'];

    const summaries = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      { accessKeyIds: sessionKeys, window: INVICTUS_WINDOW, regions: ['us-east-1'], requestsPerSecond: 40 },
    );

    expect(summaries.map((summary) => [summary.accessKeyId, summary.totalEvents])).toEqual([
      ['ASIATFQR7NSCWLLE7IWW', 29],
      ['ASIATFQR7NSC2632JLFK', 15],
    ]);
  });
});
