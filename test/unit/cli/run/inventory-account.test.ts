import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { investigationExitCode, runInvestigation } from '../../../../src/cli/run/investigate.js';
import { ExitCode } from '../../../../src/errors.js';

/*
 * An organisation trail's logs name a member's key; the inventory is asked with the hub's
 * credentials. IAM answers for the hub's account, where all the attacker made would look gone: the
 * inventory must be refused there, and point to --account.
 */

const KEY = 'AKIAEXPOSEDKEY000001';
const MEMBER = '111111111111';
const HUB = '123456789012';
const folder = mkdtempSync(join(tmpdir(), 'inventory-account-'));
const record = (eventID: string, eventName: string, requestParameters: object, responseElements: object | null) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', accountId: MEMBER, accessKeyId: KEY, userName: 'victim' },
  eventTime: '2026-01-10T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName,
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.9',
  userAgent: 'aws-cli',
  requestParameters,
  responseElements,
  eventID,
  eventType: 'AwsApiCall',
  recipientAccountId: MEMBER,
});
writeFileSync(
  join(folder, `${MEMBER}_CloudTrail_us-east-1_20260110T1000Z_abc.json`),
  JSON.stringify({
    Records: [
      record('e1', 'CreateUser', { userName: 'backdoor' }, { user: { userName: 'backdoor' } }),
      record(
        'e2',
        'CreateAccessKey',
        { userName: 'backdoor' },
        { accessKey: { accessKeyId: 'AKIABACKDOOR00000001', userName: 'backdoor', status: 'Active' } },
      ),
    ],
  }),
);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
beforeEach(() => {
  sts.reset();
  iam.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: HUB });
  iam.on(GetUserCommand).resolves({ User: { UserName: 'backdoor' } as never });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
});

function investigated(warnings: string[] = []) {
  const clients = new AwsClients({
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }),
  });
  return runInvestigation(clients, {
    accessKeyId: KEY,
    window: { start: new Date('2026-01-10T00:00:00Z'), end: new Date('2026-01-11T00:00:00Z') },
    logs: { location: folder },
    followSessions: false,
    inventory: true,
    onWarning: (text) => warnings.push(text),
  });
}

describe('the inventory of a key found in an organisation trail', () => {
  it('is refused in an account that is not the key’s, with nothing asked of IAM, and exit 3 naming --account', async () => {
    sts.on(GetAccessKeyInfoCommand, { AccessKeyId: KEY }).resolves({ Account: MEMBER });

    const result = await investigated();

    expect(result.activity.totalEvents).toBe(2);
    expect(result.inventory?.items).toEqual([]);
    expect(result.inventory?.error).toContain(`key ${KEY} is account ${MEMBER}'s`);
    expect(result.inventory?.error).toContain(`add --account ${MEMBER}`);
    expect(iam.calls()).toHaveLength(0);
    expect(investigationExitCode(result, false)).toBe(ExitCode.awsFailed);
  });

  it('is taken when the key is the account’s own', async () => {
    sts.on(GetAccessKeyInfoCommand, { AccessKeyId: KEY }).resolves({ Account: HUB });

    const result = await investigated();

    expect(result.inventory?.error).toBeUndefined();
    expect(result.inventory?.items.map((item) => `${item.kind} ${item.name} ${item.state}`)).toEqual([
      'user backdoor exists',
      'access-key AKIABACKDOOR00000001 gone',
    ]);
  });

  it('is taken in the account --account names, with a warning of what is left unchecked', async () => {
    sts.on(GetAccessKeyInfoCommand, { AccessKeyId: KEY }).resolves({ Account: MEMBER });
    const warnings: string[] = [];
    const clients = new AwsClients({
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }),
    });

    const result = await runInvestigation(clients, {
      accessKeyId: KEY,
      window: { start: new Date('2026-01-10T00:00:00Z'), end: new Date('2026-01-11T00:00:00Z') },
      logs: { location: folder },
      followSessions: false,
      inventory: true,
      // The caller's own account, named: the inventory is taken with the caller's clients.
      account: { accountId: HUB, roleName: 'exposed-keys-responder' },
      onWarning: (text) => warnings.push(text),
    }).catch((error: unknown) => error);

    // Acting through a role needs STS AssumeRole, which the mock does not answer: only the warning is checked.
    expect(warnings).toContainEqual(
      expect.stringContaining(
        `Key ${KEY} is account ${MEMBER}'s: the inventory is taken in account ${HUB}, as --account asks`,
      ),
    );
    expect(result).toBeDefined();
  });

  it('is not checked against the key’s account when LookupEvents read the account it is taken in', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({ Account: MEMBER });
    const { CloudTrailClient, LookupEventsCommand } = await import('@aws-sdk/client-cloudtrail');
    const { EC2Client, DescribeRegionsCommand } = await import('@aws-sdk/client-ec2');
    const cloudTrail = mockClient(CloudTrailClient);
    const ec2 = mockClient(EC2Client);
    cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1' }] });
    try {
      const clients = new AwsClients({
        region: 'us-east-1',
        credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }),
      });
      const now = Date.now();
      const result = await runInvestigation(clients, {
        accessKeyId: KEY,
        window: { start: new Date(now - 3_600_000), end: new Date(now) },
        regions: ['us-east-1'],
        followSessions: false,
        inventory: true,
      });

      expect(result.inventory?.error).toBeUndefined();
      expect(sts.commandCalls(GetAccessKeyInfoCommand)).toHaveLength(0);
    } finally {
      cloudTrail.restore();
      ec2.restore();
    }
  });

  it('is taken, with a warning that says where, when STS cannot say whose the key is', async () => {
    sts.on(GetAccessKeyInfoCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDenied' }));
    const warnings: string[] = [];

    const result = await investigated(warnings);

    expect(result.inventory?.error).toBeUndefined();
    expect(result.inventory?.items.length).toBe(2);
    expect(warnings).toEqual([expect.stringContaining(`Could not tell whose key ${KEY} is`)]);
  });
});
