/*
 * The inventory of what the attacker left, over the data set's recorded attack replayed in moto:
 * what the attack made (users, keys, a console password, roles, a trust change, a policy granted,
 * instances) is created in moto, a part of it is removed again, and `investigate --inventory`
 * (the built CLI, over the attack as a log file) must list what still exists, with the command
 * that removes it, and not what is gone. moto names new keys and instances itself: the records are
 * rewritten with its ids, as the real ids would be in a real account.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, describe, expect, it } from 'vitest';
import type { Inventory, Leftover } from '../../src/steps/inventory/inventory-types.js';
import { useCliEnvironment } from '../support/cli-env.js';
import { INVICTUS_KEY, loadInvictusRecords } from '../support/fixtures.js';

const cli = useCliEnvironment();
const folder = mkdtempSync(join(tmpdir(), 'exposed-keys-inventory-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// Records read as plain JSON: the test reaches into request and response fields the contract does not type.
type Rec = Record<string, any>;

function succeeded(records: Rec[], eventName: string): Rec[] {
  return records.filter((record) => record.eventName === eventName && !record.errorCode);
}

/** Creates in moto what the attack made, removes a part of it, and returns the attack rewritten with moto's ids. */
async function replayAttack(): Promise<{ records: Rec[]; removed: Record<string, string> }> {
  const { iam, endpoint } = cli().moto;
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint });
  let records = (loadInvictusRecords() as Rec[]).filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY);
  let text = JSON.stringify(records);

  for (const record of succeeded(records, 'CreateUser'))
    await iam.send(new CreateUserCommand({ UserName: record.requestParameters.userName }));
  for (const record of succeeded(records, 'CreateAccessKey')) {
    const created = await iam.send(new CreateAccessKeyCommand({ UserName: record.requestParameters.userName }));
    text = text.replaceAll(record.responseElements.accessKey.accessKeyId, created.AccessKey?.AccessKeyId as string);
  }
  for (const record of succeeded(records, 'CreateLoginProfile'))
    await iam.send(
      new CreateLoginProfileCommand({ UserName: record.requestParameters.userName, Password: 'Pa55-word-1!' }),
    );
  for (const record of succeeded(records, 'CreateRole'))
    await iam.send(
      new CreateRoleCommand({
        RoleName: record.requestParameters.roleName,
        AssumeRolePolicyDocument: record.requestParameters.assumeRolePolicyDocument,
      }),
    );
  for (const record of succeeded(records, 'UpdateAssumeRolePolicy').filter((each) => each.requestParameters.roleName))
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: record.requestParameters.roleName,
        PolicyDocument: record.requestParameters.policyDocument,
      }),
    );
  // moto holds no AWS-managed policies: the one granted is a policy of the account, named alike.
  const admin = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'AdministratorAccess',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  text = text.replaceAll('arn:aws:iam::aws:policy/AdministratorAccess', admin.Policy?.Arn as string);
  for (const record of succeeded(JSON.parse(text), 'AttachUserPolicy'))
    await iam.send(
      new AttachUserPolicyCommand({
        UserName: record.requestParameters.userName,
        PolicyArn: record.requestParameters.policyArn,
      }),
    );
  const instances: string[] = [];
  for (const record of succeeded(records, 'RunInstances')) {
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }));
    const id = run.Instances?.[0]?.InstanceId as string;
    instances.push(id);
    text = text.replaceAll(record.responseElements.instancesSet.items[0].instanceId, id);
  }
  records = JSON.parse(text);

  // What the attacker's clean-up (or the responder) already removed.
  const loginUser = 'stratus-red-team-nmfalu-gfjyeaypjt';
  const keyOwner = 'malicious-iam-user';
  const key = succeeded(records, 'CreateAccessKey').find((record) => record.requestParameters.userName === keyOwner)
    ?.responseElements.accessKey.accessKeyId as string;
  await iam.send(new DeleteAccessKeyCommand({ UserName: keyOwner, AccessKeyId: key }));
  const { DeleteLoginProfileCommand } = await import('@aws-sdk/client-iam');
  await iam.send(new DeleteLoginProfileCommand({ UserName: loginUser }));
  await iam.send(new DeleteUserCommand({ UserName: loginUser }));
  await iam.send(new DeleteRoleCommand({ RoleName: 'stratus-red-team-leave-org-role' }));
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instances[1] as string] }));
  return {
    records,
    removed: { user: loginUser, key, role: 'stratus-red-team-leave-org-role', instance: instances[1] as string },
  };
}

function find(inventory: Inventory, kind: Leftover['kind'], name: string): Leftover | undefined {
  return inventory.items.find((item) => item.kind === kind && item.name === name);
}

describe('the inventory of what the attacker left', () => {
  it('lists the users, keys, roles and instances that still exist, with their commands, and not those removed', async () => {
    const { records, removed } = await replayAttack();
    const file = join(folder, 'attack.json');
    writeFileSync(file, JSON.stringify({ Records: records }));

    const run = await cli().run([
      'investigate',
      '--key',
      INVICTUS_KEY,
      '--logs',
      file,
      '--start',
      '2023-07-01T00:00:00Z',
      '--end',
      '2023-08-01T00:00:00Z',
      '--inventory',
      '--json',
    ]);

    // A way in the attacker made still exists: a human must act (exit 4).
    expect(run.code, run.stderr).toBe(4);
    const { inventory } = JSON.parse(run.stdout) as { inventory: Inventory };
    const existing = inventory.items.filter((item) => item.state === 'exists');
    expect(
      existing
        .filter((item) => item.kind === 'user')
        .map((item) => item.name)
        .sort(),
    ).toEqual(['malicious-iam-user', 'stratus-red-team-backdoor-u-user', 'stratus-red-team-login-profile-user']);
    expect(find(inventory, 'user', removed.user as string)?.state).toBe('gone');
    expect(find(inventory, 'access-key', removed.key as string)?.state).toBe('gone');
    const key = existing.find((item) => item.kind === 'access-key');
    expect(key?.command).toBe(
      `aws iam delete-access-key --user-name stratus-red-team-backdoor-u-user --access-key-id ${key?.name}`,
    );
    expect(find(inventory, 'login-profile', 'stratus-red-team-login-profile-user')?.state).toBe('exists');
    expect(existing.filter((item) => item.kind === 'role')).toHaveLength(12);
    expect(find(inventory, 'role', removed.role as string)?.state).toBe('gone');
    expect(find(inventory, 'role', 'stratus-red-team-backdoor-r-role')).toMatchObject({
      command: 'aws iam delete-role --role-name stratus-red-team-backdoor-r-role',
      foreignTrust: true,
      note: expect.stringContaining('193672423079'),
    });
    const admin = 'arn:aws:iam::123456789012:policy/AdministratorAccess';
    const grants = inventory.items.filter((item) => item.kind === 'attached-policy' && item.name === admin);
    // Granted to the user (replayed here) and to a role (not replayed: so it is not there now).
    expect(grants.find((item) => item.owner === 'role/stratus-red-team-backdoor-r-role')?.state).toBe('gone');
    expect(grants.find((item) => item.owner === 'user/malicious-iam-user')).toMatchObject({
      state: 'exists',
      command: `aws iam detach-user-policy --user-name malicious-iam-user --policy-arn ${admin}`,
    });
    const instances = inventory.items.filter((item) => item.kind === 'instance');
    expect(instances.filter((item) => item.state === 'exists')).toEqual([
      expect.objectContaining({
        region: 'us-east-1',
        command: expect.stringMatching(/^aws ec2 terminate-instances --region us-east-1 --instance-ids i-/),
      }),
    ]);
    expect(find(inventory, 'instance', removed.instance as string)?.state).toBe('gone');
    // Functions were never created in this account: nothing to remove.
    expect(inventory.items.filter((item) => item.kind === 'function').every((item) => item.state === 'gone')).toBe(
      true,
    );
    expect(inventory.items.some((item) => item.kind === 'secret-read' && item.state === 'to-rotate')).toBe(true);
    expect(inventory.trustedAccounts).toBe('this-account');
    // Read only: the inventory changed nothing (Lambda's REST reads carry no action name, only GET).
    expect(
      cli()
        .mutatingCalls()
        .filter((call) => call.method !== 'GET'),
    ).toEqual([]);
    expect(
      cli()
        .calls()
        .some((call) => call.service === 'lambda'),
    ).toBe(true);
  });
});
