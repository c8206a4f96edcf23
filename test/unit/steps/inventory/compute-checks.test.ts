import {
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSpotFleetRequestsCommand,
  DescribeSpotInstanceRequestsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivitySummary, RiskyEvent } from '../../../../src/activity/activity-summary.js';
import { inventoryLines } from '../../../../src/message/leftovers.js';
import type { Inventory } from '../../../../src/steps/inventory/inventory-types.js';
import { takeInventory } from '../../../../src/steps/inventory/take-inventory.js';

/*
 * What the attacker launched besides instances and functions: spot requests, fleets and key pairs,
 * checked in the region of the call over a mocked EC2 (moto serves these calls too: the
 * integration test replays them there).
 */

const ec2Mock = mockClient(EC2Client);
const lambdaMock = mockClient(LambdaClient);
const regions: string[] = [];
const deps = {
  iam: new IAMClient({ region: 'us-east-1' }),
  ec2: (region: string) => {
    regions.push(region);
    return new EC2Client({ region });
  },
  lambda: (region: string) => new LambdaClient({ region }),
  accountId: '123456789012',
};

function launched(eventName: string, type: string, name: string): RiskyEvent {
  return {
    eventName,
    eventTime: '2026-11-27T03:00:00Z',
    awsRegion: 'eu-west-1',
    eventId: `${eventName}-${name}`,
    category: 'resource-abuse',
    errorCode: null,
    resources: [{ type, name }],
  };
}

function inventoryOf(...events: RiskyEvent[]): Promise<Inventory> {
  const summary = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: 'alice',
    regions: { searched: ['us-east-1'], failed: [] },
    truncated: false,
    riskyEvents: events,
  };
  return takeInventory(deps, [summary as unknown as ActivitySummary], 'alice');
}

function rows(inventory: Inventory) {
  return inventory.items.map((item) => [item.name, item.state, item.note, item.command]);
}

const notFound = (code: string) => Object.assign(new Error(code), { name: code, $metadata: {} });

beforeEach(() => {
  ec2Mock.reset();
  lambdaMock.reset();
  regions.length = 0;
});

describe('the inventory of spot requests', () => {
  it('cancels an active request and terminates its instance; an open one is only cancelled', async () => {
    ec2Mock.on(DescribeSpotInstanceRequestsCommand, { SpotInstanceRequestIds: ['sir-active'] }).resolves({
      SpotInstanceRequests: [{ SpotInstanceRequestId: 'sir-active', State: 'active', InstanceId: 'i-1' }],
    });
    ec2Mock.on(DescribeSpotInstanceRequestsCommand, { SpotInstanceRequestIds: ['sir-open'] }).resolves({
      SpotInstanceRequests: [{ SpotInstanceRequestId: 'sir-open', State: 'open' }],
    });

    const inventory = await inventoryOf(
      launched('RequestSpotInstances', 'AWS::EC2::SpotInstanceRequest', 'sir-active'),
      launched('RequestSpotInstances', 'AWS::EC2::SpotInstanceRequest', 'sir-open'),
    );

    expect(rows(inventory)).toEqual([
      [
        'sir-active',
        'exists',
        'active, instance i-1',
        'aws ec2 cancel-spot-instance-requests --region eu-west-1 --spot-instance-request-ids sir-active && aws ec2 terminate-instances --region eu-west-1 --instance-ids i-1',
      ],
      [
        'sir-open',
        'exists',
        'open',
        'aws ec2 cancel-spot-instance-requests --region eu-west-1 --spot-instance-request-ids sir-open',
      ],
    ]);
    expect(new Set(regions)).toEqual(new Set(['eu-west-1']));
  });

  it('lists the instance a cancelled request left running, and says gone when nothing is left', async () => {
    ec2Mock.on(DescribeSpotInstanceRequestsCommand, { SpotInstanceRequestIds: ['sir-left'] }).resolves({
      SpotInstanceRequests: [{ State: 'cancelled', InstanceId: 'i-left' }],
    });
    ec2Mock.on(DescribeSpotInstanceRequestsCommand, { SpotInstanceRequestIds: ['sir-done'] }).resolves({
      SpotInstanceRequests: [{ State: 'cancelled', InstanceId: 'i-done' }],
    });
    ec2Mock
      .on(DescribeSpotInstanceRequestsCommand, { SpotInstanceRequestIds: ['sir-expired'] })
      .rejects(notFound('InvalidSpotInstanceRequestID.NotFound'));
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-left'] })
      .resolves({ Reservations: [{ Instances: [{ State: { Name: 'running' } }] }] });
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-done'] })
      .resolves({ Reservations: [{ Instances: [{ State: { Name: 'terminated' } }] }] });

    const inventory = await inventoryOf(
      launched('RequestSpotInstances', 'AWS::EC2::SpotInstanceRequest', 'sir-left'),
      launched('RequestSpotInstances', 'AWS::EC2::SpotInstanceRequest', 'sir-done'),
      launched('RequestSpotInstances', 'AWS::EC2::SpotInstanceRequest', 'sir-expired'),
    );

    expect(rows(inventory)).toEqual([
      [
        'sir-left',
        'exists',
        'cancelled, but its instance i-left is running',
        'aws ec2 terminate-instances --region eu-west-1 --instance-ids i-left',
      ],
      ['sir-done', 'gone', null, ''],
      ['sir-expired', 'gone', null, ''],
    ]);
  });
});

describe('the inventory of fleets and key pairs', () => {
  it('cancels a running spot fleet and deletes an EC2 fleet, each with its instances', async () => {
    ec2Mock
      .on(DescribeSpotFleetRequestsCommand)
      .resolves({ SpotFleetRequestConfigs: [{ SpotFleetRequestState: 'active' } as never] });
    ec2Mock.on(DescribeFleetsCommand).resolves({ Fleets: [{ FleetState: 'active' }] });

    const inventory = await inventoryOf(
      launched('RequestSpotFleet', 'AWS::EC2::SpotFleet', 'sfr-1'),
      launched('CreateFleet', 'AWS::EC2::EC2Fleet', 'fleet-1'),
    );

    expect(rows(inventory)).toEqual([
      [
        'sfr-1',
        'exists',
        'active',
        'aws ec2 cancel-spot-fleet-requests --region eu-west-1 --spot-fleet-request-ids sfr-1 --terminate-instances',
      ],
      [
        'fleet-1',
        'exists',
        'active',
        'aws ec2 delete-fleets --region eu-west-1 --fleet-ids fleet-1 --terminate-instances',
      ],
    ]);
    expect(inventoryLines(inventory).slice(1)).toEqual([
      'spot fleet request sfr-1 in eu-west-1 (active): aws ec2 cancel-spot-fleet-requests --region eu-west-1 --spot-fleet-request-ids sfr-1 --terminate-instances',
      'EC2 fleet fleet-1 in eu-west-1 (active): aws ec2 delete-fleets --region eu-west-1 --fleet-ids fleet-1 --terminate-instances',
    ]);
  });

  it('lists the instances a fleet cancelled without them left running, and a fleet ended as gone', async () => {
    ec2Mock
      .on(DescribeSpotFleetRequestsCommand, { SpotFleetRequestIds: ['sfr-running'] })
      .resolves({ SpotFleetRequestConfigs: [{ SpotFleetRequestState: 'cancelled_running' } as never] });
    ec2Mock
      .on(DescribeSpotFleetRequestsCommand, { SpotFleetRequestIds: ['sfr-ended'] })
      .resolves({ SpotFleetRequestConfigs: [{ SpotFleetRequestState: 'cancelled_terminating' } as never] });
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-ended'] }).resolves({ Fleets: [{ FleetState: 'deleted' }] });
    ec2Mock.on(DescribeFleetsCommand, { FleetIds: ['fleet-unknown'] }).resolves({ Fleets: [] });

    const inventory = await inventoryOf(
      launched('RequestSpotFleet', 'AWS::EC2::SpotFleet', 'sfr-running'),
      launched('RequestSpotFleet', 'AWS::EC2::SpotFleet', 'sfr-ended'),
      launched('CreateFleet', 'AWS::EC2::EC2Fleet', 'fleet-ended'),
      launched('CreateFleet', 'AWS::EC2::EC2Fleet', 'fleet-unknown'),
    );

    expect(rows(inventory)).toEqual([
      [
        'sfr-running',
        'exists',
        'cancelled_running: its instances still run; terminate each (this lists them)',
        'aws ec2 describe-spot-fleet-instances --region eu-west-1 --spot-fleet-request-id sfr-running',
      ],
      ['sfr-ended', 'gone', null, ''],
      ['fleet-ended', 'gone', null, ''],
      ['fleet-unknown', 'gone', null, ''],
    ]);
  });

  it('lists a key pair the attacker imported, gone once deleted, and not checked when EC2 refuses', async () => {
    ec2Mock.on(DescribeKeyPairsCommand, { KeyNames: ['miner'] }).resolves({ KeyPairs: [{ KeyName: 'miner' }] });
    ec2Mock.on(DescribeKeyPairsCommand, { KeyNames: ['removed'] }).rejects(notFound('InvalidKeyPair.NotFound'));
    ec2Mock.on(DescribeKeyPairsCommand, { KeyNames: ['refused'] }).rejects(notFound('UnauthorizedOperation'));

    const inventory = await inventoryOf(
      launched('ImportKeyPair', 'AWS::EC2::KeyPair', 'miner'),
      launched('CreateKeyPair', 'AWS::EC2::KeyPair', 'removed'),
      launched('CreateKeyPair', 'AWS::EC2::KeyPair', 'refused'),
    );

    // What could not be checked comes first (no key pair grants access): a cut inventory keeps it.
    expect(rows(inventory)).toEqual([
      ['refused', 'unknown', 'could not check: UnauthorizedOperation', ''],
      [
        'miner',
        'exists',
        'instances launched with it let in whoever holds its private key',
        'aws ec2 delete-key-pair --region eu-west-1 --key-name miner',
      ],
      ['removed', 'gone', null, ''],
    ]);
    expect(ec2Mock.calls().every((call) => /^Describe/.test(call.args[0].constructor.name))).toBe(true);
  });

  it('lists a launch whose record names nothing as a call not checked, with the command that finds its records', async () => {
    const inventory = await inventoryOf({ ...launched('RequestSpotFleet', 'AWS::EC2::SpotFleet', ''), resources: [] });

    expect(inventoryLines(inventory)).toEqual([
      expect.stringContaining('1 not checked'),
      'NOT CHECKED: call RequestSpotFleet in eu-west-1 (the record does not name what this call made: its records do): aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=EventName,AttributeValue=RequestSpotFleet',
    ]);
    expect(ec2Mock.calls()).toEqual([]);
  });
});

describe('the inventory of functions', () => {
  it('tells whether a function is there without reading its code or its environment variables', async () => {
    lambdaMock.on(GetFunctionConcurrencyCommand, { FunctionName: 'miner' }).resolves({});
    lambdaMock
      .on(GetFunctionConcurrencyCommand, { FunctionName: 'removed' })
      .rejects(notFound('ResourceNotFoundException'));
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { Environment: { Variables: { TOKEN: 'secret' } } } });

    const inventory = await inventoryOf(
      launched('CreateFunction20150331', 'AWS::Lambda::Function', 'miner'),
      launched('CreateFunction20150331', 'AWS::Lambda::Function', 'removed'),
    );

    expect(rows(inventory)).toEqual([
      ['miner', 'exists', null, 'aws lambda delete-function --region eu-west-1 --function-name miner'],
      ['removed', 'gone', null, ''],
    ]);
    expect(lambdaMock).toHaveReceivedCommandTimes(GetFunctionConcurrencyCommand, 2);
    expect(lambdaMock).toHaveReceivedCommandTimes(GetFunctionCommand, 0);
  });
});
