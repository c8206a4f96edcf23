import { afterEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  type LookupFault,
  startCloudTrailLookupServer,
} from '../../../../emulators/cloudtrail-lookup-server.js';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { lookupActivity } from '../../../../src/activity/lookup-events/lookup-events.js';
import { RateLimiter } from '../../../../src/activity/lookup-events/rate-limiter.js';
import { withDeadline } from '../../../../src/aws/deadline.js';
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
  accountOf?: (accessKeyId: string) => string,
) {
  server = await startCloudTrailLookupServer({ records, requestsPerSecond, fault, accountOf });
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

describe('lookupActivity when investigations share an account', () => {
  // Two accounts' credentials, as the fixture tells them apart (per account and region, as AWS does).
  const ACCOUNTS: Record<string, string> = { AKIDACCOUNTA: '111111111111', AKIDACCOUNTB: '222222222222' };
  // Three pages of the key's events: each investigation makes three calls.
  const records = loadInvictusRecords()
    .filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY)
    .slice(0, 150)
    // Served to any account: the tests below are about budgets, not whose records they are.
    .map(({ recipientAccountId: _recorded, ...record }) => record);
  const window = INVICTUS_WINDOW;

  function twoInvestigations(endpoint: string, accessKeyIds: [string, string], limiter?: () => RateLimiter) {
    return Promise.all(
      accessKeyIds.map((signer) =>
        lookupActivity(
          {
            cloudTrail: cloudTrailAt(endpoint, { accessKeyId: signer }),
            ...(limiter ? { limiter } : {}),
          },
          { accessKeyIds: [INVICTUS_KEY], window, regions: ['us-east-1'], maxRetries: 0 },
        ),
      ),
    );
  }

  it('stay within the account’s 2 requests a second when they share its limiter, so nothing is throttled', async () => {
    const fixture = await serve(records, 2, undefined, (key) => ACCOUNTS[key] ?? 'unknown');
    const shared = new RateLimiter(2);

    const results = await twoInvestigations(fixture.endpoint, ['AKIDACCOUNTA', 'AKIDACCOUNTA'], () => shared);

    expect(fixture.accountThrottled.get('111111111111/us-east-1') ?? 0).toBe(0);
    for (const [summary] of results) expect(summary?.regions.failed).toEqual([]);
  });

  it('defeat each other without a shared limiter (the fixture enforces the account’s budget)', async () => {
    const fixture = await serve(records, 2, undefined, (key) => ACCOUNTS[key] ?? 'unknown');

    await twoInvestigations(fixture.endpoint, ['AKIDACCOUNTA', 'AKIDACCOUNTA']);

    expect(fixture.accountThrottled.get('111111111111/us-east-1')).toBeGreaterThan(0);
  });

  it('do not share a budget across accounts', async () => {
    const fixture = await serve(records, 2, undefined, (key) => ACCOUNTS[key] ?? 'unknown');

    await twoInvestigations(fixture.endpoint, ['AKIDACCOUNTA', 'AKIDACCOUNTB']);

    expect([...fixture.accountThrottled.values()]).toEqual([]);
    expect(fixture.accountRequests.get('111111111111/us-east-1')).toBe(
      fixture.accountRequests.get('222222222222/us-east-1'),
    );
  });

  /** us-east-1 read for 1.5 s at most, throttling waited out until then. */
  async function readUntilDeadline(endpoint: string) {
    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(endpoint) },
      {
        accessKeyIds: [INVICTUS_KEY],
        window,
        regions: ['us-east-1'],
        requestsPerSecond: 100,
        maxRetries: 0,
        deadline: Date.now() + 1_500,
      },
    );
    return summary;
  }

  it('wait out throttling until the deadline; a region of which no page could be read is not searched', async () => {
    const fixture = await serve(records, 2, () => 'throttle');

    const summary = await readUntilDeadline(fixture.endpoint);

    expect(fixture.throttled.get('us-east-1')).toBeGreaterThan(1);
    expect(summary?.regions.searched).toEqual([]);
    expect(summary?.regions.failed).toEqual([
      {
        region: 'us-east-1',
        error: 'the time ran out before its first page (LookupEvents was throttled)',
      },
    ]);
    expect(summary?.truncated).toBe(true);
  });

  it('count a region whose first pages were read before the deadline as searched, the summary truncated', async () => {
    let calls = 0;
    const fixture = await serve(records, 2, () => {
      calls += 1;
      return calls > 2 ? 'throttle' : null;
    });

    const summary = await readUntilDeadline(fixture.endpoint);

    expect(summary?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(summary?.truncated).toBe(true);
    expect(summary?.totalEvents).toBeGreaterThan(0);
  });

  it('serve each account only the records it recorded', async () => {
    const mine = records.map((record) => ({ ...record, recipientAccountId: '111111111111' }));
    const fixture = await serve(mine, 40, undefined, (key) => ACCOUNTS[key] ?? 'unknown');

    const [own, other] = await twoInvestigations(fixture.endpoint, ['AKIDACCOUNTA', 'AKIDACCOUNTB']);

    expect(own?.[0]?.totalEvents).toBeGreaterThan(0);
    expect(other?.[0]?.totalEvents).toBe(0);
  });
});

describe('lookupActivity stopped by its signal (Ctrl-C)', () => {
  it('stops between pages: what was read is counted, the region is listed as not read to its end', async () => {
    const fixture = await serve(loadInvictusRecords(), 40);
    const controller = new AbortController();

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1'],
        requestsPerSecond: 40,
        signal: controller.signal,
        onProgress: ({ pages }) => {
          if (pages === 2) controller.abort();
        },
      },
    );

    expect(fixture.requests.get('us-east-1')).toBe(2);
    expect(summary?.totalEvents).toBe(100);
    expect(summary?.truncated).toBe(true);
    expect(summary?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: 'us-east-1',
          error:
            'the investigation was stopped after 2 page(s): the 100 event(s) read are counted, the rest were not read',
        },
      ],
    });
  });

  it('stops at once while waiting out throttling, rather than at the end of its back-off', async () => {
    const fixture = await serve(loadInvictusRecords(), 40, () => 'throttle');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      {
        accessKeyIds: [INVICTUS_KEY, 'ASIATFQR7NSCWLLE7IWW'],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1', 'eu-west-1'],
        requestsPerSecond: 100,
        maxRetries: 20,
        signal: controller.signal,
      },
    );

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(summary?.truncated).toBe(true);
    expect(summary?.regions.searched).toEqual([]);
    expect(summary?.regions.failed.map((failed) => failed.error)).toEqual([
      'the investigation was stopped before its first page',
      'the investigation was stopped before its first page',
    ]);
  });
});

describe('a region whose reading ends in the middle', () => {
  it('counts the pages read and marks the summary truncated when the deadline passes during a call', async () => {
    // The third page hangs past the deadline; the client abandons it then, as the stack's tasks do.
    const endpoint = (await serve(loadInvictusRecords(), 0, ({ count }) => (count >= 3 ? 'timeout' : null))).endpoint;
    const deadline = Date.now() + 1_000;
    const clients = cloudTrailAt(endpoint);

    const [summary] = await lookupActivity(
      { cloudTrail: (region) => withDeadline(clients(region), deadline) },
      {
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        regions: ['us-east-1'],
        requestsPerSecond: 100,
        deadline,
      },
    );

    expect(summary?.totalEvents).toBe(100);
    expect(summary?.truncated).toBe(true);
    expect(summary?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
  });

  it('says a region that failed after some pages had them counted', async () => {
    const endpoint = (await serve(loadInvictusRecords(), 0, ({ count }) => (count >= 3 ? 'access-denied' : null)))
      .endpoint;

    const [summary] = await lookupActivity(
      { cloudTrail: cloudTrailAt(endpoint) },
      { accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, regions: ['us-east-1'], requestsPerSecond: 100 },
    );

    expect(summary?.totalEvents).toBe(100);
    expect(summary?.regions.searched).toEqual([]);
    expect(summary?.regions.failed[0]?.error).toMatch(
      /AccessDenied.*\(after 2 page\(s\): the 100 event\(s\) read are counted, the rest were not read\)$/,
    );
  });
});
