import {
  CloudFormationClient,
  CloudFormationServiceException,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  DescribeStacksCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeOrganizationCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DeploymentError } from '../../../../src/errors.js';
import { type OrgDestroyMessage, runOrgDestroy } from '../../../../src/organization/deploy/run-org-destroy.js';
import { recordingHost } from '../../../support/io-host.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const organizationsMock = mockClient(OrganizationsClient);
const stsMock = mockClient(STSClient);
const MANAGEMENT = '123456789012';

function deps(answer = true) {
  const io = recordingHost<OrgDestroyMessage>(answer);
  return {
    io,
    deps: {
      sts: new STSClient({}),
      cloudFormation: new CloudFormationClient({}),
      organizations: new OrganizationsClient({}),
      s3: async () => new S3Client({}),
      io,
      poll: { sleep: vi.fn(async () => {}), intervalMs: 1_000, timeoutMs: 10_000 },
    },
  };
}

const INPUT = {
  stackName: 'exposed-keys',
  region: 'us-east-1',
  deleteBucket: false,
  stackSetName: 'exposed-keys-members',
};

beforeEach(() => {
  for (const mock of [cloudFormationMock, organizationsMock, stsMock]) mock.reset();
  organizationsMock
    .on(DescribeOrganizationCommand)
    .resolves({ Organization: { Id: 'o-exampleorg1', MasterAccountId: MANAGEMENT } });
  organizationsMock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-abcd' }] });
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: MANAGEMENT });
  cloudFormationMock.on(DescribeStackSetCommand).resolves({ StackSet: { Status: 'ACTIVE' } });
  cloudFormationMock
    .on(ListStackInstancesCommand)
    .resolvesOnce({
      Summaries: [
        { Account: '111111111111', Status: 'CURRENT', OrganizationalUnitId: 'ou-abcd-11111111' },
        { Account: '222222222222', Status: 'CURRENT', OrganizationalUnitId: 'ou-abcd-22222222' },
      ],
    })
    .resolves({ Summaries: [] });
  cloudFormationMock.on(DeleteStackInstancesCommand).resolves({ OperationId: 'op-delete' });
  cloudFormationMock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'SUCCEEDED' } });
  cloudFormationMock.on(ListStackSetOperationResultsCommand).resolves({ Summaries: [] });
  cloudFormationMock.on(DescribeStacksCommand).rejects(
    new CloudFormationServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Stack with id exposed-keys does not exist',
    }),
  );
});

describe('runOrgDestroy', () => {
  it('removes the member stack from the units that hold it, then the StackSet, then the hub, asking first', async () => {
    const { deps: given, io } = deps();

    const report = await runOrgDestroy(given, INPUT);

    expect(report).toMatchObject({ outcome: 'destroyed', accounts: 2, stackSetDeleted: true });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackInstancesCommand, {
      StackSetName: 'exposed-keys-members',
      DeploymentTargets: { OrganizationalUnitIds: ['ou-abcd-11111111', 'ou-abcd-22222222'] },
      Regions: ['us-east-1'],
      RetainStacks: false,
      CallAs: 'SELF',
    });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackSetCommand, {
      StackSetName: 'exposed-keys-members',
    });
    expect(io.questions.map((question) => question.question)).toEqual([
      'Remove the member stack from 2 account(s) and StackSet exposed-keys-members?',
      'Delete the stack exposed-keys in 123456789012/us-east-1?',
    ]);
  });

  it('stops following the members’ removal at Ctrl-C, saying the StackSet and the hub were not deleted', async () => {
    cloudFormationMock.on(DescribeStackSetOperationCommand).resolves({ StackSetOperation: { Status: 'RUNNING' } });
    const ctrlC = new AbortController();
    const { deps: given } = deps();
    const poll = { ...given.poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

    const stopped = runOrgDestroy({ ...given, poll }, INPUT);

    await expect(stopped).rejects.toThrow(
      'Stopped following StackSet operation op-delete (delete-instances), then RUNNING; Ctrl-C does not stop it. The StackSet and the hub were not deleted.',
    );
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackSetCommand);
  });

  it('deletes nothing when Ctrl-C came with the yes', async () => {
    const ctrlC = new AbortController();
    const { deps: given } = deps();
    const yesThenCtrlC = async () => {
      ctrlC.abort();
      return true;
    };
    const io = { ...given.io, confirm: vi.fn(yesThenCtrlC) };

    await expect(runOrgDestroy({ ...given, io, poll: { ...given.poll, signal: ctrlC.signal } }, INPUT)).rejects.toThrow(
      'Nothing was deleted; stopped there.',
    );
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackInstancesCommand);
  });

  it('refuses a hub stack of that name exposed-keys did not make before removing any member stack', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'exposed-keys',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Description: 'Payments',
        },
      ],
    });
    const { deps: given, io } = deps();

    await expect(runOrgDestroy(given, INPUT)).rejects.toThrow(/was not made by exposed-keys/);
    expect(io.questions).toEqual([]);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackInstancesCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackSetCommand);
  });

  it('changes nothing when the host says no', async () => {
    const { deps: given } = deps(false);

    const report = await runOrgDestroy(given, INPUT);

    expect(report.outcome).toBe('aborted');
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DeleteStackInstancesCommand, 0);
  });

  it('keeps the StackSet and the hub, naming the accounts, when a member stack could not be removed', async () => {
    cloudFormationMock.on(ListStackInstancesCommand).resolves({
      Summaries: [{ Account: '222222222222', Status: 'INOPERABLE', OrganizationalUnitId: 'ou-abcd-22222222' }],
    });
    cloudFormationMock.on(ListStackSetOperationResultsCommand).resolves({
      Summaries: [{ Account: '222222222222', Status: 'FAILED', StatusReason: 'SCP denies iam:DeleteRole' }],
    });
    const { deps: given } = deps();

    const failed = await runOrgDestroy(given, INPUT).catch((error: unknown) => error);

    expect(failed).toBeInstanceOf(DeploymentError);
    expect((failed as DeploymentError).failures).toEqual([
      { logicalId: '222222222222', status: 'INOPERABLE', reason: 'SCP denies iam:DeleteRole' },
    ]);
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DeleteStackSetCommand, 0);
  });

  it('calls StackSets as a delegated administrator when the caller is not the management account', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '999988887777' });
    const { deps: given } = deps();

    await runOrgDestroy(given, INPUT);

    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackInstancesCommand, { CallAs: 'DELEGATED_ADMIN' });
  });
});
