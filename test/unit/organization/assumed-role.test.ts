import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AssumedRoles,
  REFRESH_BEFORE_EXPIRY_MS,
  roleArn,
  roleSessionName,
} from '../../../src/organization/assumed-role.js';
import { AccountAccessError } from '../../../src/organization/organization-errors.js';

const stsMock = mockClient(STSClient);
const ARN = roleArn('210987654321', 'exposed-keys-responder');
const SESSION = roleSessionName('AKIAIOSFODNN7EXAMPLE');
let clock = Date.parse('2026-11-27T03:00:00Z');

function answer(expiresInMs: number, id = 'ASIAMEMBERKEY0000001') {
  return {
    Credentials: {
      AccessKeyId: id,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(clock + expiresInMs),
    },
  };
}

beforeEach(() => {
  stsMock.reset();
  clock = Date.parse('2026-11-27T03:00:00Z');
});

describe('roleArn and roleSessionName', () => {
  it('name the responder role of an account and a session for the key', () => {
    expect(ARN).toBe('arn:aws:iam::210987654321:role/exposed-keys-responder');
    expect(SESSION).toBe('exposed-keys-AKIAIOSFODNN7EXAMPLE');
  });

  it('keep a session name within what STS accepts', () => {
    expect(roleSessionName('AKIA/with spaces*and more')).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});

describe('AssumedRoles', () => {
  it('assumes the role once for calls made at the same time, under the session name given', async () => {
    stsMock.on(AssumeRoleCommand).resolves(answer(3_600_000));
    const roles = new AssumedRoles(new STSClient({}), { now: () => clock });

    const [first, second] = await Promise.all([roles.credentials(ARN, SESSION), roles.credentials(ARN, SESSION)]);

    expect(first).toEqual(second);
    expect(first).toMatchObject({ accessKeyId: 'ASIAMEMBERKEY0000001', sessionToken: 'token' });
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ARN, RoleSessionName: SESSION });
  });

  it('keeps the credentials until shortly before they expire, then asks again', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce(answer(3_600_000, 'ASIAMEMBERKEY0000001'))
      .resolves(answer(3_600_000, 'ASIAMEMBERKEY0000002'));
    const roles = new AssumedRoles(new STSClient({}), { now: () => clock });
    await roles.credentials(ARN, SESSION);

    clock += 3_600_000 - REFRESH_BEFORE_EXPIRY_MS - 1_000;
    const still = await roles.credentials(ARN, SESSION);
    clock += 2_000;
    const renewed = await roles.credentials(ARN, SESSION);

    expect(still.accessKeyId).toBe('ASIAMEMBERKEY0000001');
    expect(renewed.accessKeyId).toBe('ASIAMEMBERKEY0000002');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('keeps the credentials of each account and session apart', async () => {
    stsMock.on(AssumeRoleCommand).resolves(answer(3_600_000));
    const roles = new AssumedRoles(new STSClient({}), { now: () => clock });

    await roles.credentials(ARN, SESSION);
    await roles.credentials(roleArn('111111111111', 'exposed-keys-responder'), SESSION);
    await roles.credentials(ARN, roleSessionName('AKIAI44QH8DHBEXAMPLE'));

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
  });

  it('names the role when STS refuses, and asks again next time', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }))
      .resolves(answer(3_600_000));
    const roles = new AssumedRoles(new STSClient({}), { now: () => clock });

    const refused = await roles.credentials(ARN, SESSION).catch((error: unknown) => error);
    const later = await roles.credentials(ARN, SESSION);

    expect(refused).toBeInstanceOf(AccountAccessError);
    expect((refused as Error).message).toContain(ARN);
    expect((refused as Error).message).toContain('AccessDenied');
    expect(later.accessKeyId).toBe('ASIAMEMBERKEY0000001');
  });

  it('hints at the member stack only when STS refuses the role; throttling is to try again', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }))
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const roles = new AssumedRoles(new STSClient({}), { now: () => clock });

    const refused = (await roles.credentials(ARN, SESSION).catch((error: unknown) => error)) as AccountAccessError;
    const throttled = (await roles.credentials(ARN, SESSION).catch((error: unknown) => error)) as AccountAccessError;

    expect(refused.reason).toBe('refused');
    expect(refused.hint).toContain('Check that the account has the member stack');
    expect(throttled).toBeInstanceOf(AccountAccessError);
    expect(throttled.reason).toBe('other');
    expect(throttled.message).toContain('Rate exceeded');
    expect(throttled.hint).not.toContain('member stack');
    expect(throttled.hint).toContain('Try again');
    expect(throttled.hint).toContain('exposed-keys respond --account 210987654321 --key <key>');
  });
});
