import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  startCloudTrailLookupServer,
} from '../../../../emulators/cloudtrail-lookup-server.js';
import { lookupEventsSource } from '../../../../src/activity/lookup-events/lookup-events-source.js';
import { enabledRegions } from '../../../../src/aws/enabled-regions.js';
import { cloudTrailAt } from '../../../support/cloudtrail-clients.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';

const ec2Mock = mockClient(EC2Client);
let fixture: CloudTrailLookupServer;

beforeAll(async () => {
  const records = loadInvictusRecords();
  const copies = records.map((record) => ({ ...record, awsRegion: 'eu-west-1', eventID: `eu-${record.eventID}` }));
  fixture = await startCloudTrailLookupServer({ records: [...records, ...copies], requestsPerSecond: 0 });
});
afterAll(() => fixture.stop());
beforeEach(() => ec2Mock.reset());

function source(regions?: string[]) {
  return lookupEventsSource(
    { cloudTrail: cloudTrailAt(fixture.endpoint), listRegions: () => enabledRegions(new EC2Client({})) },
    { regions, requestsPerSecond: 1000 },
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

  it('searches only the given regions, without listing them', async () => {
    const [summary] = await source(['eu-west-1']).summarize(query);

    expect(ec2Mock).not.toHaveReceivedCommand(DescribeRegionsCommand);
    expect(summary?.regions.searched).toEqual(['eu-west-1']);
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
