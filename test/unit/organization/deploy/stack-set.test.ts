import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  type CreateStackInstancesCommandInput,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  UpdateStackSetCommand,
  type UpdateStackSetCommandInput,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError, InvalidInputError } from '../../../../src/errors.js';
import { MEMBER_OPERATION_PREFERENCES } from '../../../../src/organization/deploy/operation-preferences.js';
import { parseTargets } from '../../../../src/organization/deploy/organization-info.js';
import {
  createInstances,
  createStackSet,
  followOperation,
  listInstances,
  updateStackSet,
} from '../../../../src/organization/deploy/stack-set.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const poll = { sleep: vi.fn(async () => {}), intervalMs: 1_000, timeoutMs: 10_000 };
const deps = () => ({ cloudFormation: new CloudFormationClient({ region: 'us-east-1' }), poll });
const INPUT = {
  stackSetName: 'exposed-keys-members',
  callAs: 'DELEGATED_ADMIN' as const,
  templateBody: 'Resources: {}',
  parameters: { HubAccountId: '123456789012' },
  targets: ['r-abcd', 'ou-abcd-12345678'],
};

beforeEach(() => cloudFormationMock.reset());

describe('the member StackSet', () => {
  it('is service-managed, deploys itself to accounts that join later, and is called as the caller is', async () => {
    await createStackSet(deps(), INPUT);

    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateStackSetCommand, {
      StackSetName: 'exposed-keys-members',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      CallAs: 'DELEGATED_ADMIN',
      Parameters: [{ ParameterKey: 'HubAccountId', ParameterValue: '123456789012' }],
    });
  });

  it('rolls out to the targets in us-east-1 with the preferences for thousands of accounts', async () => {
    cloudFormationMock.on(CreateStackInstancesCommand).resolves({ OperationId: 'op-1' });
    cloudFormationMock.on(UpdateStackSetCommand).resolves({ OperationId: 'op-2' });

    expect(await createInstances(deps(), INPUT)).toBe('op-1');
    expect(await updateStackSet(deps(), INPUT)).toBe('op-2');

    const rollout = {
      DeploymentTargets: { OrganizationalUnitIds: INPUT.targets },
      Regions: ['us-east-1'],
      OperationPreferences: {
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 10,
        RegionConcurrencyType: 'PARALLEL',
        RegionOrder: ['us-east-1'],
      },
    } satisfies Partial<CreateStackInstancesCommandInput & UpdateStackSetCommandInput>;
    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateStackInstancesCommand, rollout);
    expect(cloudFormationMock).toHaveReceivedCommandWith(UpdateStackSetCommand, rollout);
  });

  it('keeps the failure tolerance below the concurrency, so that a few failures neither stop nor slow the rollout', () => {
    const { FailureTolerancePercentage, MaxConcurrentPercentage } = MEMBER_OPERATION_PREFERENCES;

    expect(FailureTolerancePercentage).toBeGreaterThan(0);
    expect(FailureTolerancePercentage).toBeLessThan(MaxConcurrentPercentage as number);
  });
});

describe('followOperation', () => {
  it('polls until the operation ends, tells each status, and lists each account it failed in with the reason', async () => {
    cloudFormationMock
      .on(DescribeStackSetOperationCommand)
      .resolvesOnce({ StackSetOperation: { Status: 'QUEUED' } })
      .resolvesOnce({ StackSetOperation: { Status: 'RUNNING' } })
      .resolves({ StackSetOperation: { Status: 'SUCCEEDED' } });
    cloudFormationMock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [
        { Account: '111111111111', Region: 'us-east-1', Status: 'SUCCEEDED' },
        {
          Account: '222222222222',
          Region: 'us-east-1',
          Status: 'FAILED',
          StatusReason: 'Role exposed-keys-responder already exists',
        },
      ],
    });
    const seen: string[] = [];

    const report = await followOperation(
      deps(),
      { ...INPUT, operationId: 'op-1', action: 'create-instances' },
      (status) => seen.push(status),
    );

    expect(seen).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(report).toEqual({
      operationId: 'op-1',
      action: 'create-instances',
      status: 'SUCCEEDED',
      failures: [
        {
          account: '222222222222',
          region: 'us-east-1',
          status: 'FAILED',
          reason: 'Role exposed-keys-responder already exists',
        },
      ],
    });
  });

  it('says TIMED_OUT when the operation outlasts the wait', async () => {
    cloudFormationMock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'RUNNING' } });
    cloudFormationMock.on(ListStackSetOperationResultsCommand).resolves({ Summaries: [] });

    const report = await followOperation(deps(), { ...INPUT, operationId: 'op-1', action: 'update' });

    expect(report.status).toBe('TIMED_OUT');
  });

  it('stops following at Ctrl-C, saying the operation goes on and where to see it', async () => {
    cloudFormationMock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'RUNNING' } });
    const ctrlC = new AbortController();
    const stopping = { ...poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

    const stopped = followOperation({ ...deps(), poll: stopping }, { ...INPUT, operationId: 'op-1', action: 'update' });

    await expect(stopped).rejects.toBeInstanceOf(InterruptedError);
    await expect(stopped).rejects.toMatchObject({
      message: 'Stopped following StackSet operation op-1 (update), then RUNNING; Ctrl-C does not stop it.',
      hint: expect.stringContaining('exposed-keys status --org'),
    });
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStackSetOperationCommand, 1);
  });
});

describe('listInstances', () => {
  it('gives every instance by account, with its status, drift and reason, over every page', async () => {
    cloudFormationMock
      .on(ListStackInstancesCommand)
      .resolvesOnce({
        Summaries: [
          {
            Account: '222222222222',
            Status: 'OUTDATED',
            StatusReason: 'SCP denies iam:CreateRole',
            DriftStatus: 'UNKNOWN',
          },
        ],
        NextToken: 'next',
      })
      .resolves({
        Summaries: [
          {
            Account: '111111111111',
            Status: 'CURRENT',
            DriftStatus: 'IN_SYNC',
            StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
            OrganizationalUnitId: 'ou-abcd-12345678',
          },
        ],
      });

    const instances = await listInstances(deps(), 'exposed-keys-members', 'SELF');

    expect(
      instances.map((instance) => [instance.account, instance.status, instance.driftStatus, instance.reason]),
    ).toEqual([
      ['111111111111', 'CURRENT', 'IN_SYNC', null],
      ['222222222222', 'OUTDATED', 'UNKNOWN', 'SCP denies iam:CreateRole'],
    ]);
  });
});

describe('parseTargets', () => {
  it('takes roots and organizational units, and refuses account ids, naming them', () => {
    expect(parseTargets('r-abcd, ou-abcd-12345678,r-abcd')).toEqual(['r-abcd', 'ou-abcd-12345678']);
    expect(() => parseTargets('210987654321')).toThrow(InvalidInputError);
    expect(() => parseTargets('')).toThrow(/^--targets must be root or organizational unit ids/);
  });
});
