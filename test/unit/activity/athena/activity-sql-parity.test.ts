import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimeWindow } from '../../../../src/activity/activity-summary.js';
import { summariesOfRows } from '../../../../src/activity/athena/activity-rows.js';
import { activitySql, type TableLayout } from '../../../../src/activity/athena/activity-sql.js';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { DuckDbAthena } from '../../../support/duckdb-athena.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { referenceSummary } from '../../../support/reference-summary.js';
import { summarizeRecords } from '../../../support/summaries.js';

/*
 * The proof that the SQL is right: the query the Athena source sends, run by a real SQL engine
 * (DuckDB) over the data set every source is tested on, must give exactly the summary the
 * summarizer gives for the same records, the second hop included.
 */

const LAYOUT: TableLayout = {
  name: { database: 'cloudtrail', table: 'events' },
  partitions: { date: 'timestamp', region: 'region', account: 'account' },
};

interface Scope {
  window?: TimeWindow;
  regions?: string[];
  accounts?: string[];
  userName?: string;
}

async function summariesFrom(duck: DuckDbAthena, accessKeyIds: string[], scope: Scope = {}) {
  const window = scope.window ?? INVICTUS_WINDOW;
  const rows = await duck.query(activitySql(LAYOUT, { accessKeyIds, window, ...scope }));
  return summariesOfRows(accessKeyIds, rows, { window, regionsSearched: ['us-east-1'], userName: scope.userName });
}

function expected(records: CloudTrailRecord[], key: string, window: TimeWindow = INVICTUS_WINDOW) {
  return summarizeRecords(records, key, window, { source: 'athena', regionsSearched: ['us-east-1'] });
}

describe('the activity query, run by a SQL engine over the data set', () => {
  let duck: DuckDbAthena;
  const records = loadInvictusRecords();

  beforeAll(async () => {
    duck = await DuckDbAthena.open();
  });
  afterAll(() => duck.close());

  it('gives the summary the summarizer and the reference give', async () => {
    const [summary] = await summariesFrom(duck, [INVICTUS_KEY]);

    expect(summary).toEqual(expected(records, INVICTUS_KEY));
    expect(summary).toMatchObject(referenceSummary(records, INVICTUS_KEY, INVICTUS_WINDOW.start, INVICTUS_WINDOW.end));
    expect(summary?.totalEvents).toBe(2104);
    expect(summary?.riskyEvents.some((event) => event.resources.length > 0)).toBe(true);
    expect(summary?.resourceNames.length).toBeGreaterThan(10);
  });

  it('gives the second hop: what each session key the key minted did', async () => {
    const [first] = await summariesFrom(duck, [INVICTUS_KEY]);
    const sessionKeys = first?.sessionKeys ?? [];

    const hop = await summariesFrom(duck, sessionKeys);

    expect(sessionKeys).toHaveLength(10);
    expect(hop.map((summary) => summary.accessKeyId)).toEqual(sessionKeys);
    for (const [index, key] of sessionKeys.entries()) expect(hop[index]).toEqual(expected(records, key));
    expect(hop.reduce((sum, summary) => sum + summary.totalEvents, 0)).toBeGreaterThan(0);
  });

  it('keeps to the window, both ends included', async () => {
    const window = { start: new Date('2023-07-10T12:00:00Z'), end: new Date('2023-07-10T12:10:00Z') };

    const [summary] = await summariesFrom(duck, [INVICTUS_KEY], { window });

    expect(summary).toEqual(expected(records, INVICTUS_KEY, window));
    expect(summary?.totalEvents).toBeGreaterThan(0);
    expect(summary?.totalEvents).toBeLessThan(2104);
  });

  it('reads only the regions and accounts asked for, where the table is partitioned by them', async () => {
    const [home] = await summariesFrom(duck, [INVICTUS_KEY], { regions: ['us-east-1'], accounts: ['123837392027'] });
    const [otherRegion] = await summariesFrom(duck, [INVICTUS_KEY], { regions: ['eu-west-1'] });
    const [otherAccount] = await summariesFrom(duck, [INVICTUS_KEY], { accounts: ['000000000000'] });

    expect(home).toEqual(expected(records, INVICTUS_KEY));
    expect(otherRegion?.totalEvents).toBe(0);
    expect(otherAccount?.totalEvents).toBe(0);
    expect(otherAccount?.firstSeen).toBeNull();
  });

  it('gives the incident user to the first key only', async () => {
    const summaries = await summariesFrom(duck, [INVICTUS_KEY, 'AKIAOTHERKEY00000000'], { userName: 'alice' });

    expect(summaries.map((summary) => summary.userName)).toEqual(['alice', null]);
  });
});

describe('the activity query on records made to be awkward', () => {
  const KEY = 'AKIAAWKWARDKEY000000';
  const base = { userIdentity: { accessKeyId: KEY, userName: 'mallory' }, recipientAccountId: '111122223333' };
  const at = (minute: number) => `2023-07-10T12:${String(minute).padStart(2, '0')}:00Z`;
  const records: CloudTrailRecord[] = [
    {
      ...base,
      eventID: 'a',
      eventTime: at(1),
      eventName: 'CreateUser',
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { userName: 'backdoor' },
      responseElements: { user: { userName: 'backdoor' } },
    },
    // The same event delivered twice counts once.
    {
      ...base,
      eventID: 'a',
      eventTime: at(1),
      eventName: 'CreateUser',
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { userName: 'backdoor' },
    },
    // Events without an id are never taken for one another, even when alike.
    {
      ...base,
      eventTime: at(2),
      eventName: 'StopLogging',
      eventSource: 'cloudtrail.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { name: 'org-trail' },
    },
    {
      ...base,
      eventTime: at(2),
      eventName: 'StopLogging',
      eventSource: 'cloudtrail.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { name: 'org-trail' },
    },
    {
      ...base,
      eventID: 'b',
      eventTime: at(3),
      eventName: 'CreateAccessKey',
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'us-east-1',
      errorCode: '',
      requestParameters: { userName: 'backdoor' },
      responseElements: { accessKey: { accessKeyId: 'AKIANEWKEY0000000000', userName: 'backdoor' } },
    },
    {
      ...base,
      eventID: 'c',
      eventTime: at(4),
      eventName: 'RunInstances',
      eventSource: 'ec2.amazonaws.com',
      awsRegion: 'eu-west-1',
      requestParameters: { instancesSet: { items: [{ imageId: 'ami-1', minCount: 3 }] }, keyName: 'k' },
      responseElements: {
        instancesSet: {
          items: [
            { instanceId: 'i-1' },
            { instanceId: 'i-2', networkInterfaceSet: { items: [{ instanceId: 'i-nested' }] } },
            { instanceId: 7 },
          ],
        },
      },
    },
    {
      ...base,
      eventID: 'd',
      eventTime: at(5),
      eventName: 'CreateFunction20150331',
      eventSource: 'lambda.amazonaws.com',
      awsRegion: 'eu-west-1',
      errorCode: 'AccessDenied',
      requestParameters: { functionName: 'miner', roleName: { nested: 'object' }, userName: 42 },
    },
    {
      ...base,
      eventID: 'e',
      eventTime: at(6),
      eventName: 'AttachRolePolicy',
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { roleName: 'r', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      resources: [
        { ARN: 'arn:aws:iam::111122223333:role/r', type: 'AWS::IAM::Role' },
        { ARN: '', type: 'AWS::IAM::Policy' },
      ],
    },
    {
      ...base,
      eventID: 'f',
      eventTime: at(7),
      eventName: 'AssumeRole',
      eventSource: 'sts.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/r', roleSessionName: 's' },
      responseElements: { credentials: { accessKeyId: 'ASIAMINTED0000000000' } },
    },
    // How a key was minted: a role of another account, with an expiration in CloudTrail's form,
    // recorded twice (the earlier kept); a federation token in ISO form; a number for a role ARN.
    ...[
      ['mint-1', at(12), 'Jul 10, 2023, 1:12:00 PM'],
      ['mint-2', at(11), 'Jul 10, 2023, 1:11:00 PM'],
    ].map(([eventID, eventTime, expiration]) => ({
      ...base,
      eventID,
      eventTime,
      eventName: 'AssumeRole',
      eventSource: 'sts.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { roleArn: 'arn:aws:iam::999999999999:role/Admin', roleSessionName: 's' },
      responseElements: {
        credentials: { accessKeyId: 'ASIAELSEWHERE0000000', expiration },
        assumedRoleUser: { arn: 'arn:aws:sts::999999999999:assumed-role/Admin/s' },
      },
    })),
    {
      ...base,
      eventID: 'mint-3',
      eventTime: at(13),
      eventName: 'GetFederationToken',
      eventSource: 'sts.amazonaws.com',
      awsRegion: 'us-east-1',
      responseElements: {
        credentials: { accessKeyId: 'ASIAFEDERATED0000000', expiration: '2023-07-11T00:13:00Z' },
        federatedUser: { arn: 'arn:aws:sts::111122223333:federated-user/f' },
      },
    },
    {
      ...base,
      eventID: 'mint-4',
      eventTime: at(14),
      eventName: 'AssumeRole',
      eventSource: 'sts.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { roleArn: 42 },
      responseElements: { credentials: { accessKeyId: 'ASIANOROLEARN0000000', expiration: 'tomorrow' } },
    },
    {
      ...base,
      eventID: 'g',
      eventTime: at(8),
      eventSource: 's3.amazonaws.com',
      sourceIPAddress: '',
      userAgent: 'ua "quoted" | bar',
    },
    {
      ...base,
      eventID: 'h',
      eventTime: 'not a time',
      eventName: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
    },
    {
      ...base,
      eventID: 'i',
      eventTime: '2023-07-11T00:00:01Z',
      eventName: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
    },
    {
      ...base,
      userIdentity: { accessKeyId: 'AKIASOMEONEELSE00000' },
      eventID: 'j',
      eventTime: at(9),
      eventName: 'CreateUser',
      eventSource: 'iam.amazonaws.com',
    },
    {
      ...base,
      eventID: 'k',
      eventTime: '2023-07-10T12:10:00.250Z',
      eventName: 'GetCallerIdentity',
      eventSource: 'sts.amazonaws.com',
      awsRegion: 'us-east-1',
      userIdentity: { accessKeyId: KEY, userName: 'bob' },
    },
    {
      ...base,
      eventID: 'l',
      eventTime: at(11),
      eventName: 'PutUserPolicy',
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'ap-south-1',
      requestParameters: { userName: 'bäckdöör 😀', policyName: 'p' },
    },
    // What persistence and resource-abuse calls made, as their responses name it.
    ...[
      ['UploadSSHPublicKey', { userName: 'u' }, { sSHPublicKey: { sSHPublicKeyId: 'APKAEXAMPLE' } }],
      ['CreatePolicy', { policyName: 'p' }, { policy: { arn: 'arn:aws:iam::111122223333:policy/p' } }],
      [
        'CreatePolicyVersion',
        { policyArn: 'arn:aws:iam::111122223333:policy/p' },
        { policyVersion: { versionId: 'v2' } },
      ],
      ['SetDefaultPolicyVersion', { policyArn: 'arn:aws:iam::111122223333:policy/p', versionId: 'v1' }, null],
      ['EnableMFADevice', { userName: 'u', serialNumber: 'arn:aws:iam::111122223333:mfa/d' }, null],
      ['CreateSAMLProvider', { name: 's' }, { sAMLProviderArn: 'arn:aws:iam::111122223333:saml-provider/s' }],
    ].map(([eventName, requestParameters, responseElements], index) => ({
      ...base,
      eventID: `m${index}`,
      eventTime: at(12),
      eventName: eventName as string,
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: requestParameters as Record<string, unknown>,
      responseElements: responseElements as Record<string, unknown> | null,
    })),
    ...[
      ['RequestSpotInstances', { spotInstanceRequestSet: { items: [{ spotInstanceRequestId: 'sir-1' }, {}] } }],
      ['RequestSpotFleet', { RequestSpotFleetResponse: { spotFleetRequestId: 'sfr-1' } }],
      ['CreateFleet', { CreateFleetResponse: { fleetId: 'fleet-1' } }],
      ['CreateFleet', { fleetId: 'fleet-2' }],
    ].map(([eventName, responseElements], index) => ({
      ...base,
      eventID: `n${index}`,
      eventTime: at(13),
      eventName: eventName as string,
      eventSource: 'ec2.amazonaws.com',
      awsRegion: 'eu-west-1',
      requestParameters: {},
      responseElements: responseElements as Record<string, unknown>,
    })),
    // Another service's versionId names no policy version.
    {
      ...base,
      eventID: 'o',
      eventTime: at(14),
      eventName: 'GetObject',
      eventSource: 's3.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { bucketName: 'b', versionId: 'v9' },
    },
  ];
  let folder: string;
  let duck: DuckDbAthena;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'athena-parity-'));
    const file = join(folder, 'awkward.json');
    await writeFile(file, JSON.stringify({ Records: records }));
    duck = await DuckDbAthena.open(file);
  });
  afterAll(async () => {
    duck.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('gives the summary the summarizer gives', async () => {
    const [summary] = await summariesFrom(duck, [KEY]);

    expect(summary).toEqual(expected(records, KEY));
    expect(summary?.totalEvents).toBe(26);
    expect(summary?.sessionKeysMinted).toEqual([
      {
        accessKeyId: 'ASIAELSEWHERE0000000',
        eventName: 'AssumeRole',
        eventTime: '2023-07-10T12:11:00.000Z',
        expiration: '2023-07-10T13:11:00.000Z',
        accountId: '999999999999',
      },
      {
        accessKeyId: 'ASIAFEDERATED0000000',
        eventName: 'GetFederationToken',
        eventTime: '2023-07-10T12:13:00.000Z',
        expiration: '2023-07-11T00:13:00.000Z',
        accountId: '111122223333',
      },
      expect.objectContaining({ accessKeyId: 'ASIAMINTED0000000000', accountId: '111122223333', expiration: null }),
      {
        accessKeyId: 'ASIANOROLEARN0000000',
        eventName: 'AssumeRole',
        eventTime: '2023-07-10T12:14:00.000Z',
        expiration: null,
        accountId: null,
      },
    ]);
    expect(summary?.riskyEvents.filter((event) => event.eventName === 'StopLogging')).toHaveLength(2);
    const names = summary?.resourceNames.map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(['i-1', 'i-2', 'AKIANEWKEY0000000000', 'bäckdöör 😀', 'org-trail']));
    expect(names).not.toContain('i-nested');
    expect(summary?.resourceTypes.map((entry) => entry.name)).toEqual(
      expect.arrayContaining([
        'AWS::IAM::SSHPublicKey',
        'AWS::IAM::PolicyVersion',
        'AWS::IAM::MFADevice',
        'AWS::IAM::SAMLProvider',
        'AWS::EC2::SpotInstanceRequest',
        'AWS::EC2::SpotFleet',
        'AWS::EC2::EC2Fleet',
      ]),
    );
    expect(names).toEqual(expect.arrayContaining(['sir-1', 'sfr-1', 'fleet-1', 'fleet-2', 'v1', 'v2']));
    expect(names).not.toContain('v9');
  });
});
