import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SerialProxy, startSerialProxy } from '../../emulators/serial-proxy.js';
import { claimIncident, joinUserIncidents, recordResponse } from '../../src/steps/signals/incident-record.js';
import { createIncidentTable } from '../support/incident-table.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
// DynamoDB through a proxy that lets one request through at a time: the per-item atomicity DynamoDB has and moto lacks.
let serial: SerialProxy;
let db: DynamoDBClient;
beforeAll(async () => {
  serial = await startSerialProxy(moto().endpoint);
  db = new DynamoDBClient({ region: 'us-east-1', endpoint: serial.endpoint });
});
afterAll(async () => {
  await serial.stop();
});

const KEY = { accountId: '123456789012', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' };
const TA_1 = { ...KEY, eventId: 'ta-1', source: 'trusted-advisor' };
const HEALTH_1 = { ...KEY, eventId: 'health-1', source: 'health' };

describe('the incident record against the AWS emulator', () => {
  it('lets exactly one of many concurrent signals about a key be first, and counts them all', async () => {
    const deps = { db, table: await createIncidentTable(db) };
    const sources = ['trusted-advisor', 'health', 'health', 'trusted-advisor', 'health', 'trusted-advisor'];

    const claims = await Promise.all(
      sources.map((source, index) => claimIncident(deps, { ...KEY, eventId: `event-${index}`, source })),
    );

    expect(claims.filter((claim) => claim.role === 'first')).toHaveLength(1);
    const first = claims.find((claim) => claim.role === 'first');
    const latest = await claimIncident(deps, { ...KEY, eventId: 'event-late', source: 'health' });
    expect(latest).toMatchObject({
      role: 'joined',
      record: {
        firstEventId: first?.record.firstEventId,
        signals: sources.length + 1,
        sources: ['health', 'trusted-advisor'],
      },
    });
  });

  it('would let several be first if a claim read, then wrote (the test above can fail)', async () => {
    const table = await createIncidentTable(db);
    const naiveClaim = async (eventId: string) => {
      const Key = { pk: { S: 'key#naive' } };
      const found = await db.send(new GetItemCommand({ TableName: table, Key }));
      if (found.Item) return 'joined';
      await db.send(new PutItemCommand({ TableName: table, Item: { ...Key, firstEventId: { S: eventId } } }));
      return 'first';
    };

    const roles = await Promise.all(['a', 'b', 'c'].map(naiveClaim));

    expect(roles.filter((role) => role === 'first').length).toBeGreaterThan(1);
  });

  it('keeps the first signal first when it is delivered again', async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...KEY, eventId: 'ta-1', source: 'trusted-advisor' });
    await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health' });

    const again = await claimIncident(deps, { ...KEY, eventId: 'ta-1', source: 'trusted-advisor' });

    expect(again.role).toBe('first');
    expect(again.record.signals).toBe(2);
  });

  it('joins the first signal delivered again once its response ended, unless its containment failed', async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health' });
    await recordResponse(deps, HEALTH_1, { outcome: 'containment-failed', contained: false, userName: null });

    const retried = await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health' });
    await recordResponse(deps, HEALTH_1, { outcome: 'deleted', contained: true, userName: 'alice' });
    const again = await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health' });

    expect(retried.role).toBe('first');
    expect(again).toMatchObject({ role: 'joined', record: { response: { outcome: 'deleted', contained: true } } });
  });

  it('keeps the record of a response that contained the key when one that contained nothing ends after it', async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...TA_1, userName: 'alice' });
    // Two later reports ran the response at once: one deleted the key, the other then found it gone.
    await recordResponse(deps, TA_1, { outcome: 'deleted', contained: true, userName: 'alice' });
    await recordResponse(deps, HEALTH_1, { outcome: 'not-found', contained: false, userName: null });

    const later = await claimIncident(deps, { ...KEY, eventId: 'health-2', source: 'health' });

    expect(later).toMatchObject({ role: 'joined', record: { response: { outcome: 'deleted', contained: true } } });
  });

  it('makes a new incident of a record past its time that DynamoDB has not yet removed, for exactly one claim', async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...TA_1, userName: 'alice' });
    await recordResponse(deps, TA_1, { outcome: 'deactivated', contained: true, userName: 'alice' });
    const Key = { pk: { S: `key#${KEY.accountId}#${KEY.accessKeyId}` } };
    const old = await db.send(new GetItemCommand({ TableName: deps.table, Key }));
    await db.send(new PutItemCommand({ TableName: deps.table, Item: { ...old.Item, expiresAt: { N: '1' } } }));

    const claims = await Promise.all(
      ['ta-9', 'health-9', 'ta-10'].map((eventId) => claimIncident(deps, { ...KEY, eventId, source: 'health' })),
    );

    const first = claims.filter((claim) => claim.role === 'first');
    expect(first).toHaveLength(1);
    expect(first[0]?.record).toMatchObject({ signals: 1, sources: ['health'] });
    expect(first[0]?.record.firstEventId).not.toBe('ta-1');
    expect(first[0]?.record.response).toBeUndefined();
    expect(first[0]?.record.reportedUserName).toBeUndefined();
    expect(new Set(claims.map((claim) => claim.record.firstEventId)).size).toBe(1);
    expect(Math.max(...claims.map((claim) => claim.record.signals))).toBe(3);
    const now = await db.send(new GetItemCommand({ TableName: deps.table, Key }));
    expect(Number(now.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
  });

  it('opens the record with the response of a report whose claim failed, as the claim would have', async () => {
    const deps = { db, table: await createIncidentTable(db), now: () => new Date('2026-11-26T22:00:09.000Z') };
    await recordResponse(deps, TA_1, { outcome: 'deleted', contained: true, userName: 'alice' });

    const later = await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health' });

    expect(later).toMatchObject({
      role: 'joined',
      record: {
        firstEventId: 'ta-1',
        firstSource: 'trusted-advisor',
        openedAt: '2026-11-26T22:00:09.000Z',
        signals: 2,
        sources: ['health', 'trusted-advisor'],
        response: { outcome: 'deleted', contained: true, at: '2026-11-26T22:00:09.000Z' },
      },
    });
  });

  it('keeps the first signal and when it was opened when the response is recorded after the claim', async () => {
    let now = new Date('2026-11-26T22:00:00.000Z');
    const deps = { db, table: await createIncidentTable(db), now: () => now };
    await claimIncident(deps, TA_1);
    now = new Date('2026-11-26T22:00:09.000Z');
    await recordResponse(deps, TA_1, { outcome: 'deleted', contained: true, userName: 'alice' });

    const later = await claimIncident(deps, HEALTH_1);

    expect(later.record).toMatchObject({ firstEventId: 'ta-1', openedAt: '2026-11-26T22:00:00.000Z', signals: 2 });
  });

  it('tells a later signal the owner an earlier one named, before the first response has recorded it', async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health', userName: null });
    await claimIncident(deps, { ...KEY, eventId: 'ta-1', source: 'trusted-advisor', userName: 'alice' });
    await claimIncident(deps, { ...KEY, eventId: 'ta-2', source: 'trusted-advisor', userName: 'mallory' });

    const joined = await claimIncident(deps, { ...KEY, eventId: 'health-2', source: 'health' });

    expect(joined.record.response).toBeUndefined();
    expect(joined.record.reportedUserName).toBe('alice');
  });

  it("tells later signals what the first response did, and files the key under its owner for AWS's quarantine", async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...KEY, eventId: 'ta-1', source: 'trusted-advisor' });
    await recordResponse(deps, TA_1, { outcome: 'deleted', contained: true, userName: 'Alice' });

    const joined = await claimIncident(deps, { ...KEY, eventId: 'health-1', source: 'health' });
    const quarantine = await joinUserIncidents(deps, {
      accountId: KEY.accountId,
      userName: 'alice',
      eventId: 'ct-1',
      source: 'quarantine-policy',
    });

    expect(joined.record.response).toMatchObject({ outcome: 'deleted', contained: true, userName: 'Alice' });
    expect(quarantine).toEqual([
      expect.objectContaining({ accessKeyId: KEY.accessKeyId, signals: 3, firstEventId: 'ta-1' }),
    ]);
    expect(
      await joinUserIncidents(deps, { accountId: KEY.accountId, userName: 'bob', eventId: 'ct-2', source: 'x' }),
    ).toEqual([]);
  });

  it("files the key under the user a report names as soon as it claims the incident, for AWS's quarantine", async () => {
    const deps = { db, table: await createIncidentTable(db) };
    await claimIncident(deps, { ...TA_1, userName: 'alice' });
    await claimIncident(deps, { ...KEY, accessKeyId: 'AKIAI44QH8DHBEXAMPLE', eventId: 'health-2', source: 'health' });

    // Seconds later, before the first response has recorded anything.
    const quarantine = await joinUserIncidents(deps, {
      accountId: KEY.accountId,
      userName: 'Alice',
      eventId: 'ct-1',
      source: 'quarantine-policy',
    });

    expect(quarantine).toEqual([
      expect.objectContaining({ accessKeyId: KEY.accessKeyId, firstEventId: 'ta-1', signals: 2 }),
    ]);
    expect(quarantine[0]?.response).toBeUndefined();
  });

  it("does not bring back, for AWS's quarantine of the user, a key's incident that has ended", async () => {
    const deps = { db, table: await createIncidentTable(db) };
    const other = { ...KEY, accessKeyId: 'AKIAI44QH8DHBEXAMPLE' };
    await claimIncident(deps, { ...KEY, eventId: 'ta-1', source: 'trusted-advisor' });
    await recordResponse(deps, TA_1, { outcome: 'deleted', contained: true, userName: 'alice' });
    await claimIncident(deps, { ...other, eventId: 'ta-2', source: 'trusted-advisor' });
    await recordResponse(
      deps,
      { ...other, eventId: 'ta-2', source: 'trusted-advisor' },
      { outcome: 'deleted', contained: true, userName: 'alice' },
    );
    // The first key's record past its time, not yet removed by DynamoDB; the second's removed.
    const first = await db.send(
      new GetItemCommand({ TableName: deps.table, Key: { pk: { S: `key#${KEY.accountId}#${KEY.accessKeyId}` } } }),
    );
    await db.send(new PutItemCommand({ TableName: deps.table, Item: { ...first.Item, expiresAt: { N: '1' } } }));
    await db.send(
      new DeleteItemCommand({
        TableName: deps.table,
        Key: { pk: { S: `key#${other.accountId}#${other.accessKeyId}` } },
      }),
    );

    const quarantine = await joinUserIncidents(deps, {
      accountId: KEY.accountId,
      userName: 'alice',
      eventId: 'ct-1',
      source: 'quarantine-policy',
    });

    expect(quarantine).toEqual([]);
    const ghost = await db.send(
      new GetItemCommand({ TableName: deps.table, Key: { pk: { S: `key#${other.accountId}#${other.accessKeyId}` } } }),
    );
    expect(ghost.Item).toBeUndefined();
  });
});
