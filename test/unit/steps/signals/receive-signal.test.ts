import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
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

/** The record of an incident whose first response ended with `outcome`. */
function responded(outcome: string, contained: boolean) {
  return {
    ...item('ta-event'),
    outcome: { S: outcome },
    contained: { BOOL: contained },
    respondedAt: { S: '2026-11-26T22:00:09.000Z' },
  };
}

/** IAM shows the key active, alice's, with nothing recorded of it on her. */
function activeKey(): void {
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Active' }] });
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
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

  it("files the key of a report that names no user (AWS Health) under the owner IAM gives, never as the report's word", async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('event-1') });
    iamMock
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY })
      .resolves({ UserName: 'Bob' })
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: OTHER })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, null) });
    const other = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(OTHER, null) });

    expect(receipt.role).toBe('first');
    expect(other.role).toBe('first');
    const updates = dbMock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(updates.map((update) => update.Key?.pk?.S).filter((pk) => pk?.startsWith('user#'))).toEqual([
      'user#123456789012#bob',
    ]);
    // The claim records no user the report named.
    expect(updates.filter((update) => update.ExpressionAttributeValues?.[':user'])).toEqual([]);
    expectNoMutation();
  });

  it('gives the owner IAM names for a report that names a user too, and claims without it when IAM does not answer', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('event-1') });
    iamMock
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY })
      .resolves({ UserName: 'Alice' })
      .on(GetAccessKeyLastUsedCommand, { AccessKeyId: OTHER })
      .rejects(Object.assign(new Error('throttled'), { name: 'Throttling' }));

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });
    const other = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(OTHER, 'alice') });

    expect(receipt).toMatchObject({ role: 'first', ownerName: 'Alice' });
    expect(other).toMatchObject({ role: 'first', record: { firstEventId: 'event-1' } });
    expect(other).not.toHaveProperty('ownerName');
    // The key is filed under the user the report names, as before.
    const users = dbMock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.Key?.pk?.S)
      .filter((pk) => pk?.startsWith('user#'));
    expect(users).toEqual(['user#123456789012#alice', 'user#123456789012#alice']);
    expectNoMutation();
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

  it('runs the response again when the first has recorded nothing for longer than a response takes and the key is active', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    activeKey();
    const at = (time: string) => ({ ...deps(), now: () => new Date(time) });
    const signal = { kind: 'key', incident: incidentFor(KEY, 'alice') } as const;

    const soon = await receiveSignal(at('2026-11-26T22:10:00.000Z'), signal);
    const late = await receiveSignal(at('2026-11-26T22:16:00.000Z'), signal);

    expect(soon).toMatchObject({ role: 'joined', keyNow: { status: 'active' } });
    expect(soon).not.toHaveProperty('overdue');
    expect(late).toEqual({
      role: 'first',
      record: expect.objectContaining({ firstEventId: 'ta-event' }),
      again: true,
      ownerName: 'alice',
    });
    expectNoMutation();
  });

  it('says the first response is overdue, and joins, when IAM cannot show the key', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: item('ta-event') });
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const receipt = await receiveSignal(
      { ...deps(), now: () => new Date('2026-11-26T22:16:00.000Z') },
      { kind: 'key', incident: incidentFor(KEY, 'alice') },
    );

    expect(receipt).toMatchObject({ role: 'joined', keyNow: { status: 'unknown' }, overdue: true });
  });

  it.each([
    ['no time', undefined],
    ['a time that cannot be read', 'soon'],
    ['a time in the future', '2099-01-01T00:00:00.000Z'],
    ['a time not as exposed-keys writes it', '2026-11-26T22:09:00Z'],
  ])('takes no response as under way when the record gives %s for its opening', async (_, openedAt) => {
    const { openedAt: _written, ...rest } = item('ta-event');
    dbMock
      .on(UpdateItemCommand)
      .resolves({ Attributes: { ...rest, ...(openedAt === undefined ? {} : { openedAt: { S: openedAt } }) } });
    activeKey();
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const signal = { kind: 'key', incident: incidentFor(KEY, 'alice') } as const;
    const at = { ...deps(), now: () => new Date('2026-11-26T22:10:00.000Z') };

    const unknown = await receiveSignal(at, signal);
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    const active = await receiveSignal(at, signal);

    expect(unknown).toMatchObject({ role: 'joined', overdue: true });
    expect(active).toMatchObject({ role: 'first', again: true });
  });

  it.each(['containment-failed', 'owner-mismatch', 'not-found', 'outside-organization'])(
    'runs the response again for a later report of a key IAM shows active, after a first response that ended %s',
    async (outcome) => {
      dbMock.on(UpdateItemCommand).resolves({ Attributes: responded(outcome, false) });
      activeKey();

      const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, null) });

      expect(receipt).toMatchObject({ role: 'first', again: true, record: { response: { outcome } } });
      expectNoMutation();
    },
  );

  it('joins a key active after a response that contained it, or was notify-only, and one gone after a failure', async () => {
    activeKey();
    const signal = { kind: 'key', incident: incidentFor(KEY, 'alice') } as const;

    dbMock.on(UpdateItemCommand).resolves({ Attributes: responded('deactivated', true) });
    const reactivated = await receiveSignal(deps(), signal);
    dbMock.on(UpdateItemCommand).resolves({ Attributes: responded('notify-only', false) });
    const notifyOnly = await receiveSignal({ ...deps(), mode: 'notify-only' }, signal);
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'no', $metadata: {} }));
    dbMock.on(UpdateItemCommand).resolves({ Attributes: responded('containment-failed', false) });
    const gone = await receiveSignal(deps(), signal);

    expect([reactivated.role, notifyOnly.role, gone.role]).toEqual(['joined', 'joined', 'joined']);
  });

  it('runs the response again after a notify-only response once the stack contains keys: the record alone cannot hold it back', async () => {
    activeKey();
    dbMock.on(UpdateItemCommand).resolves({ Attributes: responded('notify-only', false) });

    const receipt = await receiveSignal(
      { ...deps(), mode: 'delete' },
      { kind: 'key', incident: incidentFor(KEY, 'alice') },
    );

    expect(receipt).toMatchObject({ role: 'first', again: true });
  });

  it('runs the response again, whatever the user’s tags say of a release, when no response contained the key', async () => {
    // Anyone allowed iam:TagUser can write a release; none can follow a response that contained nothing.
    dbMock.on(UpdateItemCommand).resolves({ Attributes: responded('containment-failed', false) });
    activeKey();
    iamMock.on(ListUserTagsCommand).resolves({
      Tags: [{ Key: `exposed-keys/contained/${KEY}`, Value: 'reactivated 2026-11-27T09:00:00.000Z' }],
    });

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({ role: 'first', again: true });
  });

  it('joins, showing the release the user’s tags record, a key a response contained that is active again', async () => {
    dbMock.on(UpdateItemCommand).resolves({ Attributes: responded('deactivated', true) });
    activeKey();
    iamMock.on(ListUserTagsCommand).resolves({
      Tags: [{ Key: `exposed-keys/contained/${KEY}`, Value: 'reactivated 2026-11-27T09:00:00.000Z' }],
    });

    const receipt = await receiveSignal(deps(), { kind: 'key', incident: incidentFor(KEY, 'alice') });

    expect(receipt).toMatchObject({
      role: 'joined',
      keyNow: { status: 'active' },
      released: 'reactivated 2026-11-27T09:00:00.000Z',
    });
    expectNoMutation();
  });

  it('makes a new incident of a record past its time that DynamoDB has not yet removed, in one conditional write', async () => {
    const expired = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    dbMock
      .on(UpdateItemCommand)
      .rejectsOnce(expired)
      .resolves({ Attributes: { ...item('event-1'), eventIds: { SS: ['event-1'] } } });

    const now = () => new Date('2026-11-27T12:00:00.000Z');
    const record = { db: new DynamoDBClient({ region: 'us-east-1' }), table: 'incidents', now };

    const receipt = await receiveSignal({ ...deps(), record, now }, { kind: 'key', incident: incidentFor(KEY, null) });

    expect(receipt).toMatchObject({ role: 'first', record: { firstEventId: 'event-1', signals: 1 } });
    const [claim, reopen] = dbMock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(claim?.ConditionExpression).toBe('attribute_not_exists(expiresAt) OR expiresAt > :epoch');
    expect(claim?.ExpressionAttributeValues?.[':epoch']).toEqual({
      N: String(Date.parse('2026-11-27T12:00:00.000Z') / 1000),
    });
    expect(reopen?.ConditionExpression).toBe('expiresAt <= :epoch');
    expect(reopen?.UpdateExpression).toMatch(
      /SET firstEventId = :event, .* REMOVE outcome, contained, respondedAt, userName/,
    );
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
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
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
