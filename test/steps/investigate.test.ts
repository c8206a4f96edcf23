import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { enabledRegions } from '../../src/aws/enabled-regions.js';
import { InvestigationError } from '../../src/errors.js';
import { investigateKey, summarizeActivity, windowEnding } from '../../src/steps/investigate.js';
import { cloudTrailAt } from '../support/cloudtrail-clients.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../support/fixtures.js';

const ec2Mock = mockClient(EC2Client);
let fixture: CloudTrailLookupServer;

beforeAll(async () => {
  const records = loadInvictusRecords();
  const copies = records.map((record) => ({ ...record, awsRegion: 'eu-west-1', eventID: `eu-${record.eventID}` }));
  fixture = await startCloudTrailLookupServer({ records: [...records, ...copies], requestsPerSecond: 0 });
});
afterAll(() => fixture.stop());
beforeEach(() => ec2Mock.reset());

function deps() {
  return { cloudTrail: cloudTrailAt(fixture.endpoint), listRegions: () => enabledRegions(new EC2Client({})) };
}

const options = { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW, requestsPerSecond: 1000 };

describe('summarizeActivity', () => {
  it('searches every enabled region when none is given, leaving out regions not opted in', async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'af-south-1', OptInStatus: 'not-opted-in' },
      ],
    });

    const summary = await summarizeActivity(deps(), options);

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: false });
    expect(summary.regions.searched).toEqual(['eu-west-1', 'us-east-1']);
    expect(summary.totalEvents).toBe(2 * 2104);
    expect(summary.sessionKeys).toHaveLength(10);
  });

  it('searches only the given regions, without listing them', async () => {
    const summary = await summarizeActivity(deps(), { ...options, regions: ['eu-west-1'] });

    expect(ec2Mock).not.toHaveReceivedCommand(DescribeRegionsCommand);
    expect(summary.regions.searched).toEqual(['eu-west-1']);
  });

  it('searches us-east-1 and says so when the regions cannot be listed', async () => {
    ec2Mock.on(DescribeRegionsCommand).rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));

    const summary = await summarizeActivity(deps(), options);

    expect(summary.regions.searched).toEqual(['us-east-1']);
    expect(summary.regions.failed).toEqual([
      {
        region: '(all other regions)',
        error: expect.stringMatching(
          /could not list the account's regions, so only us-east-1 was searched: .*UnauthorizedOperation/,
        ),
      },
    ]);
  });
});

describe('investigateKey when CloudTrail fails everywhere', () => {
  it('throws an InvestigationError naming each region and its error', async () => {
    const failing = await startCloudTrailLookupServer({
      records: [],
      requestsPerSecond: 0,
      fault: () => 'access-denied',
    });
    try {
      const run = summarizeActivity(
        { cloudTrail: cloudTrailAt(failing.endpoint) },
        { ...options, regions: ['us-east-1', 'eu-west-1'] },
      );

      await expect(run).rejects.toBeInstanceOf(InvestigationError);
      await expect(run).rejects.toThrow(/eu-west-1: .*AccessDeniedException.*; us-east-1: /);
    } finally {
      await failing.stop();
    }
  });
});

describe('investigateKey', () => {
  it('follows the session keys the key minted, apart from its own activity, busiest first', async () => {
    const { activity, sessionActivity } = await investigateKey(deps(), { ...options, regions: ['us-east-1'] });

    expect(activity.accessKeyId).toBe(INVICTUS_KEY);
    expect(sessionActivity.map((summary) => summary.accessKeyId).sort()).toEqual(activity.sessionKeys);
    const totals = sessionActivity.map((summary) => summary.totalEvents);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(sessionActivity[0]).toMatchObject({ accessKeyId: 'ASIATFQR7NSCWLLE7IWW', totalEvents: 29 });
  });

  it('does not follow session keys when asked not to', async () => {
    const { sessionActivity } = await investigateKey(deps(), {
      ...options,
      regions: ['us-east-1'],
      followSessionKeys: false,
    });

    expect(sessionActivity).toEqual([]);
  });
});

describe('windowEnding', () => {
  it('ends at now and starts the given hours before', () => {
    const now = new Date('2026-11-27T03:00:00Z');

    expect(windowEnding(now, 24)).toEqual({ start: new Date('2026-11-26T03:00:00Z'), end: now });
  });
});
