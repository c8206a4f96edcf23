import { GetAccessKeyLastUsedCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { accountAccess } from '../../../src/organization/account-clients.js';
import { roleSession } from '../../support/organization-access.js';

const stsMock = mockClient(STSClient);
const iamMock = mockClient(IAMClient);
const HUB = '123456789012';
const MEMBER = '210987654321';
const KEY = 'AKIAIOSFODNN7EXAMPLE';

function access(hubAccountId?: string) {
  return accountAccess({
    sts: new STSClient({ region: 'us-east-1' }),
    roleName: 'exposed-keys-responder',
    context: { region: 'us-east-1', maxAttempts: 1 },
    ...(hubAccountId ? { hubAccountId } : {}),
  });
}

beforeEach(() => {
  stsMock.reset();
  iamMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: HUB });
  stsMock.on(AssumeRoleCommand).resolves(roleSession('ASIAMEMBERKEY0000001'));
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
});

describe('accountClients', () => {
  it("gives the hub's own clients for the hub's account, assuming no role", async () => {
    const clients = await access().accountClients(HUB, KEY);

    expect(clients).toMatchObject({ accountId: HUB, own: true, credentials: undefined });
    await clients.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: KEY }));
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('acts in a member account through its responder role, in a session named for the key', async () => {
    const clients = await access(HUB).accountClients(MEMBER, KEY);

    expect(clients).toMatchObject({ accountId: MEMBER, own: false });
    expect(await clients.credentials?.()).toMatchObject({ accessKeyId: 'ASIAMEMBERKEY0000001' });
    expect(clients.config('eu-west-1')).toMatchObject({ region: 'eu-west-1', credentials: clients.credentials });
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-keys-responder`,
      RoleSessionName: `exposed-keys-${KEY}`,
    });
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
  });

  it('gives the same clients, and one role session, for every step of an incident', async () => {
    const organization = access(HUB);

    const first = await organization.accountClients(MEMBER, KEY);
    const second = await organization.accountClients(MEMBER, KEY);
    await first.credentials?.();
    await second.credentials?.();

    expect(second.iam()).toBe(first.iam());
    expect(second.cloudTrail('us-east-1')).toBe(first.cloudTrail('us-east-1'));
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('asks STS for the hub account once, when it was not given', async () => {
    const organization = access();

    await organization.accountClients(MEMBER, KEY);
    await organization.accountClients(HUB, KEY);

    expect(await organization.hubAccountId()).toBe(HUB);
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it('refuses an account id that is not 12 digits, before any call', async () => {
    await expect(access(HUB).accountClients('12345', KEY)).rejects.toBeInstanceOf(InvalidInputError);
    expect(stsMock.calls()).toHaveLength(0);
  });
});
