import {
  AccessDeniedException,
  AccountNotFoundException,
  DescribeAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OrganizationMembers } from '../../../src/organization/membership.js';

const organizationsMock = mockClient(OrganizationsClient);
const ORG = 'o-exampleorg1';
const MEMBER = '210987654321';

function members(now = () => Date.now()) {
  return new OrganizationMembers(new OrganizationsClient({ region: 'us-east-1' }), ORG, { now });
}

function account(id: string, organization = ORG, name = 'Payments') {
  return { Account: { Id: id, Name: name, Arn: `arn:aws:organizations::123456789012:account/${organization}/${id}` } };
}

beforeEach(() => organizationsMock.reset());

describe('OrganizationMembers', () => {
  it('says an account is a member, with its name', async () => {
    organizationsMock.on(DescribeAccountCommand, { AccountId: MEMBER }).resolves(account(MEMBER));

    expect(await members().membership(MEMBER)).toEqual({ status: 'member', name: 'Payments' });
  });

  it('says a member account is not active, with its state, when Organizations says it is suspended or closing', async () => {
    const suspended = account(MEMBER);
    organizationsMock
      .on(DescribeAccountCommand, { AccountId: MEMBER })
      .resolves({ Account: { ...suspended.Account, State: 'SUSPENDED', Status: 'SUSPENDED' } })
      .on(DescribeAccountCommand, { AccountId: '310987654321' })
      .resolves({ Account: { ...account('310987654321').Account, Status: 'PENDING_CLOSURE' } })
      .on(DescribeAccountCommand, { AccountId: '410987654321' })
      .resolves({ Account: { ...account('410987654321').Account, State: 'ACTIVE', Status: 'ACTIVE' } });
    const known = members();

    expect(await known.membership(MEMBER)).toEqual({ status: 'member', name: 'Payments', inactive: 'SUSPENDED' });
    expect(await known.membership('310987654321')).toEqual({
      status: 'member',
      name: 'Payments',
      inactive: 'PENDING_CLOSURE',
    });
    expect(await known.membership('410987654321')).toEqual({ status: 'member', name: 'Payments' });
  });

  it('says an account Organizations does not know is outside', async () => {
    organizationsMock
      .on(DescribeAccountCommand)
      .rejects(
        new AccountNotFoundException({ message: "You specified an account that doesn't exist.", $metadata: {} }),
      );

    expect(await members().membership('999999999999')).toMatchObject({ status: 'outside' });
  });

  it('says an account of another organisation is outside', async () => {
    organizationsMock.on(DescribeAccountCommand).resolves(account(MEMBER, 'o-otherorg999'));

    expect(await members().membership(MEMBER)).toEqual({
      status: 'outside',
      reason: 'it belongs to organization o-otherorg999',
    });
  });

  it('asks Organizations once a while per account', async () => {
    organizationsMock.on(DescribeAccountCommand).resolves(account(MEMBER));
    let clock = 0;
    const known = members(() => clock);

    await known.membership(MEMBER);
    await known.membership(MEMBER);
    clock += 16 * 60_000;
    await known.membership(MEMBER);

    expect(organizationsMock).toHaveReceivedCommandTimes(DescribeAccountCommand, 2);
  });

  it('says it cannot tell when Organizations refuses, and asks again next time', async () => {
    organizationsMock
      .on(DescribeAccountCommand)
      .rejectsOnce(new AccessDeniedException({ message: 'not the management account', $metadata: {} }))
      .resolves(account(MEMBER));
    const known = members();

    const first = await known.membership(MEMBER);
    const second = await known.membership(MEMBER);

    expect(first).toMatchObject({ status: 'unknown', warning: expect.stringContaining('AccessDenied') });
    expect(second).toEqual({ status: 'member', name: 'Payments' });
  });
});
