import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  startCloudTrailLookupServer,
} from '../../../../emulators/cloudtrail-lookup-server.js';
import { lookupEventsSource } from '../../../../src/activity/lookup-events/lookup-events-source.js';
import { enabledRegions } from '../../../../src/aws/enabled-regions.js';
import { InvestigationError } from '../../../../src/errors.js';
import { investigateKey } from '../../../../src/steps/investigate.js';
import { cloudTrailAt } from '../../../support/cloudtrail-clients.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { summarizeRecords } from '../../../support/summaries.js';

const ec2Mock = mockClient(EC2Client);
let fixture: CloudTrailLookupServer;

beforeAll(async () => {
  const records = loadInvictusRecords();
  const copies = records.map((record) => ({ ...record, awsRegion: 'eu-west-1', eventID: `eu-${record.eventID}` }));
  fixture = await startCloudTrailLookupServer({ records: [...records, ...copies], requestsPerSecond: 0 });
});
afterAll(() => fixture.stop());
beforeEach(() => ec2Mock.reset());

/** The source, at the end of the recorded attack's day unless `now` says otherwise (LookupEvents holds 90 days). */
function source(regions?: string[], now: Date = INVICTUS_WINDOW.end) {
  return lookupEventsSource(
    { cloudTrail: cloudTrailAt(fixture.endpoint), listRegions: () => enabledRegions(new EC2Client({})) },
    { regions, requestsPerSecond: 1000, clock: () => now },
  );
}

const query = { accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW };

describe('lookupEventsSource', () => {
  it('searches every enabled region when none is given, leaving out regions not opted in', async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'af-south-1', OptInStatus: 'not-opted-in' },
      ],
    });

    const [summary] = await source().summarize(query);

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: false });
    expect(summary?.source).toBe('lookup-events');
    expect(summary?.regions.searched).toEqual(['eu-west-1', 'us-east-1']);
    expect(summary?.totalEvents).toBe(2 * 2104);
    expect(summary?.sessionKeys).toHaveLength(10);
  });

  it('searches the given regions and us-east-1, where IAM and STS calls are recorded, without listing them', async () => {
    const [summary] = await source(['eu-west-1']).summarize(query);

    expect(ec2Mock).not.toHaveReceivedCommand(DescribeRegionsCommand);
    expect(summary?.regions.searched).toEqual(['eu-west-1', 'us-east-1']);
    expect(summary?.totalEvents).toBe(2 * 2104);
  });

  it('searches the given regions alone when us-east-1 is among them, or when they are of another partition', async () => {
    const [given] = await source(['us-east-1', 'eu-west-1']).summarize(query);
    const [china] = await source(['cn-north-1']).summarize(query);

    expect(given?.regions.searched).toEqual(['eu-west-1', 'us-east-1']);
    expect(china?.regions.searched).toEqual(['cn-north-1']);
  });

  it('lists the regions once, however many reads follow', async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1' }] });
    const reused = source();

    await reused.summarize(query);
    await reused.summarize({ ...query, accessKeyIds: ['ASIATFQR7NSCWLLE7IWW'] });

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRegionsCommand, 1);
  });

  it('searches us-east-1 and says so, in every summary, when the regions cannot be listed', async () => {
    ec2Mock.on(DescribeRegionsCommand).rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));

    const summaries = await source().summarize({ ...query, accessKeyIds: [INVICTUS_KEY, 'ASIATFQR7NSCWLLE7IWW'] });

    for (const summary of summaries) {
      expect(summary.regions.searched).toEqual(['us-east-1']);
      expect(summary.regions.failed).toEqual([
        {
          region: '(all other regions)',
          error: expect.stringMatching(
            /could not list the account's regions, so only us-east-1 was searched: .*UnauthorizedOperation/,
          ),
        },
      ]);
    }
  });
});

describe('lookupEventsSource with credentials that are refused', () => {
  const expired = () =>
    Object.assign(new Error('The security token included in the request is expired'), {
      name: 'ExpiredTokenException',
    });

  it.each([
    ['given regions', ['eu-west-1']],
    ['every enabled region', undefined],
  ])(
    'says, of a search that could read no region (%s), to log in again, not to grant LookupEvents',
    async (_, regions) => {
      ec2Mock.on(DescribeRegionsCommand).rejects(expired());
      const refused = lookupEventsSource(
        {
          cloudTrail: () => ({ send: async () => Promise.reject(expired()) }),
          listRegions: () => enabledRegions(new EC2Client({})),
        },
        { regions, requestsPerSecond: 1000, clock: () => INVICTUS_WINDOW.end },
      );

      const failure = await investigateKey(
        { source: refused },
        { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW },
      ).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(InvestigationError);
      expect((failure as InvestigationError).hint).toMatch(/^Log in again/);
    },
  );

  it('keeps the hint of a refused permission for a search refused otherwise', () => {
    expect((source(['eu-west-1']).unsearchable('No region could be searched') as InvestigationError).hint).toMatch(
      /^Check that the caller may call cloudtrail:LookupEvents/,
    );
  });
});

describe('lookupEventsSource given a listing of no region', () => {
  it('searches us-east-1 and says the other regions were not, rather than search none and find nothing', async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({ Regions: [] });

    const [summary] = await source().summarize(query);

    expect(summary?.regions.searched).toEqual(['us-east-1']);
    expect(summary?.regions.failed).toEqual([
      { region: '(all other regions)', error: expect.stringMatching(/the listing named no region/) },
    ]);
  });
});

describe('lookupEventsSource and the 90 days LookupEvents holds', () => {
  const DAY = 86_400_000;
  /** The attack is half over 90 days before this time: LookupEvents would hold only its second half. */
  const halfway = new Date('2023-07-10T12:08:00Z');
  const later = new Date(halfway.getTime() + 90 * DAY);

  it('reads a window reaching further back from 90 days ago, and reports that part, truncated', async () => {
    const [summary] = await source(['us-east-1'], later).summarize(query);

    const held = { start: halfway, end: INVICTUS_WINDOW.end };
    const records = loadInvictusRecords();
    expect(summary).toEqual({
      ...summarizeRecords(records, INVICTUS_KEY, held, { source: 'lookup-events', regionsSearched: ['us-east-1'] }),
      truncated: true,
    });
    expect(summary?.window.start).toBe(halfway.toISOString());
    expect(summary?.totalEvents).toBeGreaterThan(0);
    expect(summary?.totalEvents).toBeLessThan(2104);
  });

  it('reads a window inside the 90 days as it is, not truncated', async () => {
    const [summary] = await source(['us-east-1'], new Date(INVICTUS_WINDOW.start.getTime() + 89 * DAY)).summarize(
      query,
    );

    expect(summary?.window).toEqual({
      start: INVICTUS_WINDOW.start.toISOString(),
      end: INVICTUS_WINDOW.end.toISOString(),
    });
    expect(summary?.truncated).toBe(false);
    expect(summary?.totalEvents).toBe(2104);
  });

  it('cuts without a word the moment by which a 90-day window computed just before begins too early', async () => {
    const now = new Date(INVICTUS_WINDOW.start.getTime() + 90 * DAY + 60_000);

    const [summary] = await source(['us-east-1'], now).summarize(query);

    expect(summary?.window.start).toBe(new Date(now.getTime() - 90 * DAY).toISOString());
    expect(summary?.truncated).toBe(false);
  });

  it('searches no region for a window that ended before the 90 days, and says why', async () => {
    const before = fixture.requests.get('eu-west-1') ?? 0;

    const [summary] = await source(['eu-west-1'], new Date(INVICTUS_WINDOW.end.getTime() + 91 * DAY)).summarize(query);

    expect(fixture.requests.get('eu-west-1') ?? 0).toBe(before);
    expect(summary?.regions).toEqual({
      searched: [],
      failed: ['eu-west-1', 'us-east-1'].map((region) => ({
        region,
        error: expect.stringMatching(/^LookupEvents holds only the last 90 days, since /),
      })),
    });
  });
});

describe('lookupEventsSource and the account it reads', () => {
  it('reads the account it is told, or the one it finds, once; and cannot tell when it cannot find it', async () => {
    let asked = 0;
    const found = lookupEventsSource(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      {
        account: async () => {
          asked += 1;
          return '111111111111';
        },
      },
    );
    const told = lookupEventsSource({ cloudTrail: cloudTrailAt(fixture.endpoint) }, { account: '111111111111' });
    const lost = lookupEventsSource(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      { account: () => Promise.reject(new Error('sts:GetCallerIdentity failed')) },
    );

    expect([await found.readsAccount?.('111111111111'), await found.readsAccount?.('999999999999')]).toEqual([
      true,
      false,
    ]);
    expect(asked).toBe(1);
    expect(await told.readsAccount?.('999999999999')).toBe(false);
    expect(await lost.readsAccount?.('999999999999')).toBeUndefined();
  });
});
