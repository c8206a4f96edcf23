import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { releaseCommand } from '../../../../src/cli/run/release-command.js';
import { respondCommand } from '../../../../src/cli/run/respond-command.js';
import { ExitCode } from '../../../../src/errors.js';
import { NotAHubError } from '../../../../src/organization/organization-errors.js';
import { callerInHub } from '../../../support/organization-access.js';
import { capturedOutput } from '../../../support/output.js';

/*
 * `--account` acts in another account through the stack's schedules: only a hub's act there. A
 * stack outside organisation mode would run the deletion and the verification in its own account,
 * where the key is not: "already deleted", "no activity", while the key stays in the member.
 */

const HUB = '123456789012';
const MEMBER = '210987654321';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const MEMBER_SESSION = 'ASIAMEMBERSESSION001';
const stsMock = mockClient(STSClient);
const organizationsMock = mockClient(OrganizationsClient);
const cloudFormationMock = mockClient(CloudFormationClient);
const iamMock = mockClient(IAMClient);
const schedulerMock = mockClient(SchedulerClient);

function deployed(parameters: Parameter[]) {
  cloudFormationMock.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'exposed-keys', StackStatus: 'CREATE_COMPLETE', Parameters: parameters } as never],
  });
}

beforeEach(() => {
  for (const mock of [stsMock, organizationsMock, cloudFormationMock, iamMock, schedulerMock]) mock.reset();
  callerInHub(stsMock, HUB, MEMBER, MEMBER_SESSION);
  organizationsMock.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-exampleorg1' } });
  organizationsMock.on(DescribeAccountCommand).resolves({
    Account: { Id: MEMBER, Name: 'Payments', Arn: `arn:aws:organizations::${HUB}:account/o-exampleorg1/${MEMBER}` },
  });
  cloudFormationMock.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
  deployed([
    { ParameterKey: 'ContainmentMode', ParameterValue: 'delete' },
    { ParameterKey: 'OrganizationId', ParameterValue: '' },
  ]);
});

afterEach(() => {
  for (const mock of [stsMock, organizationsMock, cloudFormationMock, iamMock, schedulerMock]) mock.reset();
});

const clients = () =>
  new AwsClients({
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIACALLERKEY0000001', secretAccessKey: 'x' }),
  });

const ui = () => ({
  output: capturedOutput().output,
  progress: { step() {}, update() {}, succeed() {}, fail() {}, log() {}, stop() {} },
  yes: true,
  stackName: 'exposed-keys',
});

const account = { accountId: MEMBER, roleName: 'exposed-keys-responder' };

describe('respond and release --account with a stack that is not an organisation hub', () => {
  it('refuse before anything is changed, exit 3, naming the stack and what to run instead', async () => {
    const respond = respondCommand(
      clients(),
      {
        accessKeyId: KEY,
        mode: 'deactivate-then-delete',
        deleteAfterDays: 7,
        dryRun: false,
        revokeSessions: true,
        followSessions: true,
        window: { start: new Date(Date.now() - 86_400_000), end: new Date() },
        account,
      },
      ui(),
    );
    const release = releaseCommand(clients(), { accessKeyId: KEY, reactivate: false, account }, ui());

    for (const refused of [await respond.catch((error: unknown) => error), await release.catch((e: unknown) => e)]) {
      expect(refused).toBeInstanceOf(NotAHubError);
      expect((refused as NotAHubError).exitCode).toBe(ExitCode.awsFailed);
      expect((refused as NotAHubError).message).toMatch(/^Stack exposed-keys is not an organisation's hub/);
      expect((refused as NotAHubError).hint).toContain(`--profile <a profile of account ${MEMBER}>`);
    }
    expect(iamMock.calls()).toHaveLength(0);
    expect(schedulerMock.calls()).toHaveLength(0);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeStackResourcesCommand);
    expect(stsMock).toHaveReceivedCommand(AssumeRoleCommand);
  });

  it("go on when --account names the caller's own account, which the stack acts in", async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: MEMBER });

    const release = releaseCommand(clients(), { accessKeyId: KEY, reactivate: false, account }, ui());

    // Past the check: the release then asks IAM for the key's owner.
    await expect(release).rejects.not.toBeInstanceOf(NotAHubError);
    expect(iamMock.calls().length).toBeGreaterThan(0);
  });

  it("go on with a hub's stack", async () => {
    deployed([{ ParameterKey: 'OrganizationId', ParameterValue: 'o-exampleorg1' }]);

    const release = releaseCommand(clients(), { accessKeyId: KEY, reactivate: false, account }, ui());

    await expect(release).rejects.not.toBeInstanceOf(NotAHubError);
    expect(iamMock.calls().length).toBeGreaterThan(0);
  });
});
