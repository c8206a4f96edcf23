/*
 * The inventory of what outlives the key: an attacker's SSH key, group membership, policy and
 * policy versions, MFA device, identity providers, spot request, fleets and key pair are made in
 * moto, a part removed again, and `investigate --inventory` (the built CLI, over CloudTrail records
 * of those calls in a log file, each with the ids moto gave) must list what still exists with the
 * command that removes it, and what is gone as gone. moto has no service-specific credentials:
 * their check answers "not checked" here (the unit tests check it over a mocked IAM).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFleetCommand,
  CreateKeyPairCommand,
  CreateLaunchTemplateCommand,
  DeleteKeyPairCommand,
  EC2Client,
  RequestSpotFleetCommand,
  RequestSpotInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteOpenIDConnectProviderCommand,
  EnableMFADeviceCommand,
  RemoveUserFromGroupCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, describe, expect, it } from 'vitest';
import type { Inventory, Leftover } from '../../src/steps/inventory/inventory-types.js';
import { MOTO_ACCOUNT, useCliEnvironment } from '../support/cli-env.js';

const cli = useCliEnvironment();
const folder = mkdtempSync(join(tmpdir(), 'exposed-keys-persistence-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SSH_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDJtMJbKVZ0TgK2hA8v5ZrKx6mWl1Nc7PpYl6m2Wf2JmKq1F8Z0v3b3QyI0n9hVq2l1Lx7E1GqkR3g9yH8c2Wm1f4nU0bS5a8pD6q7r9t0u1v2w3x4y5z6A7B8C9D0E1F2G3H4I5J6K7L8M9N0O1P2Q3R4S5T6U7V8W9X0Y1Z2a3b4c5d6e7f8g9h0i1j2k3l4m5n6o7p8q9r0s1t2u3v4w5x6y7z8A9B0C1D2E3F4G5H6I7J8K9L0M1N2O3P4Q5R6S7T8U9V0W1X2Y3Z4a5b6c7d8e9f0g1h2i3j4k5l6m7n8o9p0q1r2s3t4u5v6w7x8y9z0 attacker@example.com';
const SAML_METADATA = `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"/>${'x'.repeat(1000)}`;

let sequence = 0;

/** A CloudTrail record of a call the attacker's key made, as CloudTrail writes it. */
function record(
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, unknown>,
  responseElements: Record<string, unknown> | null = null,
  awsRegion = 'us-east-1',
) {
  sequence += 1;
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', accountId: MOTO_ACCOUNT, accessKeyId: KEY, userName: 'leaked' },
    eventTime: `2026-11-27T03:${String(sequence).padStart(2, '0')}:00Z`,
    eventSource,
    eventName,
    awsRegion,
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0',
    requestParameters,
    responseElements,
    eventID: `persistence-${sequence}`,
    eventType: 'AwsApiCall',
    recipientAccountId: MOTO_ACCOUNT,
  };
}

const iamRecord = (name: string, request: Record<string, unknown>, response: Record<string, unknown> | null = null) =>
  record('iam.amazonaws.com', name, request, response);
const ec2Record = (name: string, response: Record<string, unknown>) => record('ec2.amazonaws.com', name, {}, response);

/** Makes in moto what the attacker made, removes a part, and returns the records of the attacker's calls. */
async function replayPersistence() {
  const { iam, endpoint } = cli().moto;
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint });
  const records: ReturnType<typeof record>[] = [];

  await iam.send(new CreateUserCommand({ UserName: 'backdoor' }));
  const ssh = await iam.send(new UploadSSHPublicKeyCommand({ UserName: 'backdoor', SSHPublicKeyBody: SSH_KEY }));
  const sshId = ssh.SSHPublicKey?.SSHPublicKeyId as string;
  records.push(
    iamRecord(
      'UploadSSHPublicKey',
      { userName: 'backdoor', sSHPublicKeyBody: SSH_KEY },
      { sSHPublicKey: { userName: 'backdoor', sSHPublicKeyId: sshId, status: 'Active' } },
    ),
    iamRecord(
      'CreateServiceSpecificCredential',
      { userName: 'backdoor', serviceName: 'codecommit.amazonaws.com' },
      { serviceSpecificCredential: { serviceSpecificCredentialId: 'ACCAEXAMPLE0000000001' } },
    ),
  );

  // Admins grants everything; the user was added to Ops too, and removed from it since.
  const everything = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  const admin = await iam.send(
    new CreatePolicyCommand({ PolicyName: 'AdministratorAccess', PolicyDocument: everything }),
  );
  for (const group of ['Admins', 'Ops']) {
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: 'backdoor' }));
    records.push(iamRecord('AddUserToGroup', { groupName: group, userName: 'backdoor' }));
  }
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: admin.Policy?.Arn }));
  await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Ops', UserName: 'backdoor' }));

  // A policy of the account, given a new default version by the attacker; and one the attacker created.
  const readOnly = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }],
  });
  const ops = (await iam.send(new CreatePolicyCommand({ PolicyName: 'ops', PolicyDocument: readOnly }))).Policy
    ?.Arn as string;
  const version = await iam.send(
    new CreatePolicyVersionCommand({ PolicyArn: ops, PolicyDocument: everything, SetAsDefault: true }),
  );
  records.push(
    iamRecord(
      'CreatePolicyVersion',
      { policyArn: ops, policyDocument: everything, setAsDefault: true },
      { policyVersion: { versionId: version.PolicyVersion?.VersionId, isDefaultVersion: true } },
    ),
  );
  const made = await iam.send(new CreatePolicyCommand({ PolicyName: 'attacker-policy', PolicyDocument: everything }));
  records.push(
    iamRecord(
      'CreatePolicy',
      { policyName: 'attacker-policy' },
      { policy: { arn: made.Policy?.Arn, defaultVersionId: 'v1' } },
    ),
  );

  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'attacker-mfa' }));
  const serial = device.VirtualMFADevice?.SerialNumber as string;
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: 'backdoor',
      SerialNumber: serial,
      AuthenticationCode1: '123456',
      AuthenticationCode2: '654321',
    }),
  );
  records.push(
    iamRecord(
      'CreateVirtualMFADevice',
      { virtualMFADeviceName: 'attacker-mfa' },
      { virtualMFADevice: { serialNumber: serial } },
    ),
    iamRecord('EnableMFADevice', { userName: 'backdoor', serialNumber: serial }),
  );

  const saml = await iam.send(
    new CreateSAMLProviderCommand({ Name: 'attacker-idp', SAMLMetadataDocument: SAML_METADATA }),
  );
  const oidc = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.example.com',
      ThumbprintList: ['a'.repeat(40)],
      ClientIDList: ['sts.amazonaws.com'],
    }),
  );
  await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: oidc.OpenIDConnectProviderArn }));
  records.push(
    iamRecord('CreateSAMLProvider', { name: 'attacker-idp' }, { sAMLProviderArn: saml.SAMLProviderArn }),
    iamRecord(
      'CreateOpenIDConnectProvider',
      { url: 'https://token.example.com' },
      { openIDConnectProviderArn: oidc.OpenIDConnectProviderArn },
    ),
  );

  const spot = await ec2.send(
    new RequestSpotInstancesCommand({
      InstanceCount: 1,
      LaunchSpecification: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' },
    }),
  );
  const spotId = spot.SpotInstanceRequests?.[0]?.SpotInstanceRequestId as string;
  const fleet = await ec2.send(
    new RequestSpotFleetCommand({
      SpotFleetRequestConfig: {
        IamFleetRole: `arn:aws:iam::${MOTO_ACCOUNT}:role/fleet`,
        TargetCapacity: 1,
        AllocationStrategy: 'lowestPrice',
        LaunchSpecifications: [{ ImageId: 'ami-12c6146b', InstanceType: 't3.micro' }],
      },
    }),
  );
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'miner',
      LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' },
    }),
  );
  const ec2Fleet = await ec2.send(
    new CreateFleetCommand({
      Type: 'maintain',
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' },
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: {
            LaunchTemplateId: template.LaunchTemplate?.LaunchTemplateId,
            Version: '$Latest',
          },
        },
      ],
    }),
  );
  await ec2.send(new CreateKeyPairCommand({ KeyName: 'miner' }));
  await ec2.send(new CreateKeyPairCommand({ KeyName: 'removed' }));
  await ec2.send(new DeleteKeyPairCommand({ KeyName: 'removed' }));
  records.push(
    ec2Record('RequestSpotInstances', { spotInstanceRequestSet: { items: [{ spotInstanceRequestId: spotId }] } }),
    ec2Record('RequestSpotFleet', { RequestSpotFleetResponse: { spotFleetRequestId: fleet.SpotFleetRequestId } }),
    ec2Record('CreateFleet', { CreateFleetResponse: { fleetId: ec2Fleet.FleetId } }),
    record('ec2.amazonaws.com', 'CreateKeyPair', { keyName: 'miner' }, { keyName: 'miner' }),
    record('ec2.amazonaws.com', 'CreateKeyPair', { keyName: 'removed' }, { keyName: 'removed' }),
  );
  return {
    records,
    sshId,
    ops,
    version: version.PolicyVersion?.VersionId as string,
    serial,
    saml,
    oidc,
    spotId,
    fleet,
    ec2Fleet,
  };
}

describe('the inventory of what outlives the key', () => {
  it('lists the SSH key, group, policy versions, MFA device, identity providers and fleets left, with their commands', async () => {
    const replayed = await replayPersistence();
    const file = join(folder, 'persistence.json');
    writeFileSync(file, JSON.stringify({ Records: replayed.records }));

    const run = await cli().run([
      'investigate',
      '--key',
      KEY,
      '--logs',
      file,
      '--start',
      '2026-11-27T00:00:00Z',
      '--end',
      '2026-11-28T00:00:00Z',
      '--inventory',
      '--json',
    ]);

    // A way in the attacker made still exists: a human must act (exit 4).
    expect(run.code, run.stderr).toBe(4);
    const { inventory } = JSON.parse(run.stdout) as { inventory: Inventory };
    const item = (kind: Leftover['kind'], name: string, owner?: string) =>
      inventory.items.find(
        (each) => each.kind === kind && each.name === name && (owner === undefined || each.owner === owner),
      );
    expect(item('ssh-public-key', replayed.sshId)).toMatchObject({
      state: 'exists',
      command: `aws iam delete-ssh-public-key --user-name backdoor --ssh-public-key-id ${replayed.sshId}`,
    });
    expect(item('service-credential', 'ACCAEXAMPLE0000000001')).toMatchObject({
      state: 'unknown',
      note: expect.stringMatching(/^could not check: /),
    });
    expect(item('group-membership', 'Admins')).toMatchObject({
      state: 'exists',
      note: 'the group grants AdministratorAccess',
      command: 'aws iam remove-user-from-group --group-name Admins --user-name backdoor',
    });
    expect(item('group-membership', 'Ops')?.state).toBe('gone');
    expect(item('policy-version', replayed.version, replayed.ops)).toMatchObject({
      state: 'exists',
      command: `aws iam set-default-policy-version --policy-arn ${replayed.ops} --version-id v1 && aws iam delete-policy-version --policy-arn ${replayed.ops} --version-id ${replayed.version}`,
    });
    expect(item('managed-policy', `arn:aws:iam::${MOTO_ACCOUNT}:policy/attacker-policy`)?.state).toBe('exists');
    expect(item('mfa-device', replayed.serial, 'backdoor')).toMatchObject({
      state: 'exists',
      command: `aws iam deactivate-mfa-device --user-name backdoor --serial-number ${replayed.serial}`,
    });
    expect(item('mfa-device', replayed.serial, undefined)?.state).toBe('exists');
    expect(item('identity-provider', replayed.saml.SAMLProviderArn as string)).toMatchObject({
      state: 'exists',
      command: `aws iam delete-saml-provider --saml-provider-arn ${replayed.saml.SAMLProviderArn}`,
    });
    expect(item('identity-provider', replayed.oidc.OpenIDConnectProviderArn as string)?.state).toBe('gone');
    expect(item('spot-request', replayed.spotId)).toMatchObject({
      state: 'exists',
      region: 'us-east-1',
      command: expect.stringMatching(
        new RegExp(
          `^aws ec2 cancel-spot-instance-requests --region us-east-1 --spot-instance-request-ids ${replayed.spotId}`,
        ),
      ),
    });
    expect(item('spot-fleet', replayed.fleet.SpotFleetRequestId as string)).toMatchObject({
      state: 'exists',
      command: `aws ec2 cancel-spot-fleet-requests --region us-east-1 --spot-fleet-request-ids ${replayed.fleet.SpotFleetRequestId} --terminate-instances`,
    });
    expect(item('fleet', replayed.ec2Fleet.FleetId as string)).toMatchObject({
      state: 'exists',
      command: `aws ec2 delete-fleets --region us-east-1 --fleet-ids ${replayed.ec2Fleet.FleetId} --terminate-instances`,
    });
    expect(item('key-pair', 'miner')?.state).toBe('exists');
    expect(item('key-pair', 'removed')?.state).toBe('gone');
    expect(inventory.items.filter((each) => each.kind === 'unchecked-call')).toEqual([]);
    // Read only: the inventory changed nothing.
    expect(cli().mutatingCalls()).toEqual([]);
  });
});
