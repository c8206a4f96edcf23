import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { enabledRegions } from '../../../src/aws/enabled-regions.js';
import { investigateTask } from '../../../src/state-machine/tasks/investigate-task.js';
import type { Investigation } from '../../../src/steps/investigate.js';
import { loadEvent } from '../../support/fixtures.js';

const athenaMock = mockClient(AthenaClient);
const glueMock = mockClient(GlueClient);
const ec2Mock = mockClient(EC2Client);
const cloudTrailMock = mockClient(CloudTrailClient);
const OWN = '111111111111';

beforeEach(() => {
  athenaMock.reset();
  glueMock.reset();
  ec2Mock.reset();
  cloudTrailMock.reset();
  // The stack's table: regions projected from a list, so that reading every region asks the account's.
  glueMock.on(GetTableCommand).resolves({
    Table: {
      Name: 'cloudtrail',
      PartitionKeys: [{ Name: 'region' }, { Name: 'timestamp' }],
      Parameters: {
        'projection.enabled': 'true',
        'projection.region.type': 'enum',
        'projection.region.values': 'eu-west-1,us-east-1',
        'projection.timestamp.type': 'date',
        'projection.timestamp.format': 'yyyy/MM/dd',
      },
    },
  });
  athenaMock
    .on(StartQueryExecutionCommand)
    .rejects(Object.assign(new Error('WorkGroup exposed-keys is not found'), { name: 'InvalidRequestException' }));
  ec2Mock.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1' }, { RegionName: 'us-east-1' }] });
  cloudTrailMock.on(LookupEventsCommand).resolves({ Events: [] });
});

describe('the investigation task whose Athena query fails', () => {
  it('lists the account’s regions once for Athena and the LookupEvents it falls back to', async () => {
    const event = loadEvent('trusted-advisor-exposed');
    event.account = OWN;
    const task = investigateTask(
      {
        cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }),
        listRegions: () => enabledRegions(new EC2Client({ region: 'us-east-1' })),
        athenaClients: async () => ({
          athena: new AthenaClient({ region: 'us-east-1' }),
          glue: new GlueClient({ region: 'us-east-1' }),
          sts: new STSClient({ region: 'us-east-1' }),
          region: 'us-east-1',
        }),
      },
      {
        lookbackHours: 24,
        regions: [],
        athena: { table: { database: 'exposed_keys', table: 'cloudtrail' }, workgroup: 'exposed-keys' },
      },
    );
    const context = {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${OWN}:function:exposed-keys-investigate`,
      getRemainingTimeInMillis: () => 600_000,
    };

    const investigation = (await task({ event }, context)) as Investigation;

    expect(investigation.activity.source).toBe('lookup-events');
    expect(investigation.activity.regions.searched).toEqual(['eu-west-1', 'us-east-1']);
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRegionsCommand, 1);
  });
});
