import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeOrganizationCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../src/errors.js';
import { type OrgDeployMessage, runOrgDeploy } from '../../../../src/organization/deploy/run-org-deploy.js';
import { recordingHost } from '../../../support/io-host.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const organizationsMock = mockClient(OrganizationsClient);
const stsMock = mockClient(STSClient);
const HUB = '123456789012';

beforeEach(() => {
  for (const mock of [cloudFormationMock, organizationsMock, stsMock]) mock.reset();
  organizationsMock
    .on(DescribeOrganizationCommand)
    .resolves({ Organization: { Id: 'o-exampleorg1', MasterAccountId: HUB } });
  organizationsMock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-abcd' }] });
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: HUB });
});

describe('runOrgDeploy', () => {
  it('refuses operator roles of another account, which members would never trust, before any change', async () => {
    const io = recordingHost<OrgDeployMessage>(true);

    const run = runOrgDeploy(
      {
        sts: new STSClient({}),
        s3: new S3Client({}),
        cloudFormation: new CloudFormationClient({}),
        organizations: new OrganizationsClient({}),
        io,
      },
      {
        stackName: 'exposed-keys',
        region: 'us-east-1',
        parameters: {},
        execute: true,
        roleName: 'exposed-keys-responder',
        operatorRoleArns: [`arn:aws:iam::${HUB}:role/ir`, 'arn:aws:iam::999999999999:role/ir'],
        stackSetName: 'exposed-keys-members',
      },
    );

    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    await expect(run).rejects.toThrow(/arn:aws:iam::999999999999:role\/ir is not of the hub account 123456789012/);
    expect(cloudFormationMock.calls()).toHaveLength(0);
  });
});
