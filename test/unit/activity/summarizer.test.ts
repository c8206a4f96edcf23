import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../src/activity/cloudtrail-record.js';
import { ActivityAccumulator } from '../../../src/activity/summarizer.js';
import { ACTIVITY_SUMMARY_FIELDS } from '../../support/contract.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../support/fixtures.js';
import { referenceSummary } from '../../support/reference-summary.js';
import { summarizeRecords } from '../../support/summaries.js';

const context = { source: 'cloudtrail-logs' as const, regionsSearched: ['us-east-1'] };

function record(overrides: Partial<CloudTrailRecord> & { key?: string }): CloudTrailRecord {
  const { key = 'AKIAIOSFODNN7EXAMPLE', ...rest } = overrides;
  return {
    eventID: crypto.randomUUID(),
    eventTime: '2026-11-26T10:00:00Z',
    eventName: 'GetCallerIdentity',
    eventSource: 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    userIdentity: { type: 'IAMUser', accessKeyId: key, userName: 'alice' },
    ...rest,
  };
}

const WINDOW = { start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') };

describe('summarizeRecords on the attack-simulation data set', () => {
  it('equals a reference computed independently from the same records', () => {
    const records = loadInvictusRecords();

    const summary = summarizeRecords(records, INVICTUS_KEY, INVICTUS_WINDOW, context);

    const reference = referenceSummary(records, INVICTUS_KEY, INVICTUS_WINDOW.start, INVICTUS_WINDOW.end);
    expect(summary).toMatchObject(reference);
    expect(summary.totalEvents).toBe(2104);
    expect(summary.userName).toBe('bert-jan');
    expect(summary.sessionKeys).toHaveLength(10);
  });

  it("names the attacker's risky calls: roles created and assumed", () => {
    const summary = summarizeRecords(loadInvictusRecords(), INVICTUS_KEY, INVICTUS_WINDOW, context);

    const named = (name: string) => summary.riskyEvents.filter((event) => event.eventName === name);
    expect(named('CreateRole')).toHaveLength(13);
    expect(named('AssumeRole')).toHaveLength(23);
    expect(named('AssumeRole').filter((event) => event.errorCode === 'AccessDenied')).toHaveLength(13);
  });
});

describe('summarizeRecords', () => {
  it("counts only the key's events inside the window, each event id once", () => {
    const duplicate = record({ eventID: 'same' });
    const records = [
      duplicate,
      { ...duplicate },
      record({ key: 'AKIAOTHERKEYEXAMPLE2' }),
      record({ eventTime: '2026-11-25T23:59:59Z' }),
      record({ eventTime: '2026-11-27T00:00:00Z' }),
      record({ eventTime: 'garbage' }),
      record({ userIdentity: null }),
    ];

    const summary = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(summary.totalEvents).toBe(2);
    expect(summary.lastSeen).toBe('2026-11-27T00:00:00.000Z');
  });

  it('sorts every count list by count descending, then name ascending', () => {
    const records = [
      record({ eventName: 'b' }),
      record({ eventName: 'a' }),
      record({ eventName: 'c' }),
      record({ eventName: 'c' }),
      record({ eventName: 'B' }),
    ];

    const summary = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(summary.eventNames).toEqual([
      { name: 'c', count: 2 },
      { name: 'B', count: 1 },
      { name: 'a', count: 1 },
      { name: 'b', count: 1 },
    ]);
  });

  it('counts failed calls by error code, and missing fields as (unknown) so lists add up', () => {
    const records = [
      record({ errorCode: 'AccessDenied' }),
      record({ errorCode: 'AccessDenied' }),
      record({ awsRegion: undefined, eventSource: undefined }),
    ];

    const summary = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(summary.errorCodes).toEqual([{ name: 'AccessDenied', count: 2 }]);
    expect(summary.awsRegions).toContainEqual({ name: '(unknown)', count: 1 });
    expect(summary.eventSources.reduce((sum, entry) => sum + entry.count, 0)).toBe(3);
  });

  it('lists the session keys minted by AssumeRole, GetSessionToken and GetFederationToken, shaped like key ids', () => {
    const minted = (eventName: string, key: string) =>
      record({ eventName, responseElements: { credentials: { accessKeyId: key } } });
    const records = [
      minted('GetSessionToken', 'ASIAZZZZZZZZZZZZZZZ2'),
      minted('AssumeRole', 'ASIAAAAAAAAAAAAAAAA2'),
      minted('GetFederationToken', 'ASIAMMMMMMMMMMMMMMM2'),
      minted('AssumeRole', 'ASIAAAAAAAAAAAAAAAA2'),
      minted('CreateAccessKey', 'ASIANOTMINTEDBYSTS22'),
      // Not shaped like a key id: a second search would refuse it, and with it the first one's summary.
      minted('AssumeRole', 'ASIA-not/a key'),
      minted('AssumeRole', ''),
      minted('GetSessionToken', `ASIA${'X'.repeat(130)}`),
    ];

    const summary = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(summary.sessionKeys).toEqual(['ASIAAAAAAAAAAAAAAAA2', 'ASIAMMMMMMMMMMMMMMM2', 'ASIAZZZZZZZZZZZZZZZ2']);
  });

  it('says how each session key was minted: when, by which call, until when, and in which account', () => {
    const records = [
      record({
        eventName: 'AssumeRole',
        eventTime: '2026-11-26T10:05:00Z',
        requestParameters: { roleArn: 'arn:aws:iam::999999999999:role/Admin' },
        responseElements: {
          credentials: { accessKeyId: 'ASIAAAAAAAAAAAAAAAA2', expiration: 'Nov 26, 2026, 11:05:00 AM' },
          assumedRoleUser: { arn: 'arn:aws:sts::999999999999:assumed-role/Admin/s' },
        },
      }),
      // The same session recorded again, later (a second copy): the earlier record is kept.
      record({
        eventName: 'AssumeRole',
        eventTime: '2026-11-26T10:06:00Z',
        responseElements: { credentials: { accessKeyId: 'ASIAAAAAAAAAAAAAAAA2' } },
      }),
      record({
        eventName: 'GetSessionToken',
        eventTime: '2026-11-26T11:00:00Z',
        responseElements: {
          credentials: { accessKeyId: 'ASIAZZZZZZZZZZZZZZZ2', expiration: 'Nov 27, 2026 11:00:00 PM' },
        },
      }),
    ];

    const summary = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(summary.sessionKeysMinted).toEqual([
      {
        accessKeyId: 'ASIAAAAAAAAAAAAAAAA2',
        eventName: 'AssumeRole',
        eventTime: '2026-11-26T10:05:00.000Z',
        expiration: '2026-11-26T11:05:00.000Z',
        accountId: '999999999999',
      },
      {
        accessKeyId: 'ASIAZZZZZZZZZZZZZZZ2',
        eventName: 'GetSessionToken',
        eventTime: '2026-11-26T11:00:00.000Z',
        expiration: '2026-11-27T23:00:00.000Z',
        accountId: null,
      },
    ]);
    expect(summarizeRecords([], 'AKIAIOSFODNN7EXAMPLE', WINDOW, context)).not.toHaveProperty('sessionKeysMinted');
  });

  it('puts risky events in time order with their category and error', () => {
    const records = [
      record({
        eventName: 'StopLogging',
        eventSource: 'cloudtrail.amazonaws.com',
        eventTime: '2026-11-26T12:00:00Z',
        errorCode: 'AccessDenied',
        eventID: 'e2',
      }),
      record({
        eventName: 'CreateUser',
        eventSource: 'iam.amazonaws.com',
        eventTime: '2026-11-26T11:00:00Z',
        eventID: 'e1',
      }),
      record({
        eventName: 'AttachUserPolicy',
        eventSource: 'iam.amazonaws.com',
        eventTime: '2026-11-26T13:00:00Z',
        eventID: 'e3',
      }),
      record({
        eventName: 'CreateFunction20150331',
        eventSource: 'lambda.amazonaws.com',
        eventTime: '2026-11-26T14:00:00Z',
        eventID: 'e4',
      }),
      record({
        eventName: 'PutBucketPolicy',
        eventSource: 's3.amazonaws.com',
        eventTime: '2026-11-26T15:00:00Z',
        eventID: 'e5',
      }),
    ];

    const summary = summarizeRecords(records, 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(summary.riskyEvents.map((event) => [event.eventId, event.category, event.errorCode])).toEqual([
      ['e1', 'persistence', null],
      ['e2', 'defense-evasion', 'AccessDenied'],
      ['e3', 'persistence', null],
      ['e4', 'resource-abuse', null],
    ]);
  });

  it('fills in the summary context: source, regions sorted, failures kept, user given', () => {
    const accumulator = new ActivityAccumulator('AKIAIOSFODNN7EXAMPLE', WINDOW);

    const summary = accumulator.summary({
      source: 'lookup-events',
      regionsSearched: ['us-west-2', 'eu-west-1', 'us-west-2'],
      regionsFailed: [{ region: 'ap-south-1', error: 'AccessDenied' }],
      userName: 'alice',
    });

    expect(summary).toMatchObject({
      source: 'lookup-events',
      regions: {
        searched: ['eu-west-1', 'us-west-2'],
        failed: [{ region: 'ap-south-1', error: 'AccessDenied' }],
      },
      userName: 'alice',
      totalEvents: 0,
      firstSeen: null,
      lastSeen: null,
      truncated: false,
      window: { start: '2026-11-26T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' },
    });
  });

  it('prints its fields in the order of the contract', () => {
    const summary = summarizeRecords([], 'AKIAIOSFODNN7EXAMPLE', WINDOW, context);

    expect(Object.keys(summary)).toEqual(ACTIVITY_SUMMARY_FIELDS);
  });
});

describe('ActivityAccumulator.merge', () => {
  /** A set of ids two accumulators share, as those of two threads do. */
  function sharedIds() {
    const ids = new Set<string>();
    return { add: (id: string) => ids.size !== ids.add(id).size, has: (id: string) => ids.has(id) };
  }

  it('gives what one accumulator gives, when two counted parts of the records with one set of ids', () => {
    const records = loadInvictusRecords();
    // Every record in one part or the other, a third of them in both (an event delivered twice).
    const first = records.filter((_, index) => index % 3 !== 2);
    const second = records.filter((_, index) => index % 3 !== 0).reverse();
    const seen = sharedIds();
    const one = new ActivityAccumulator(INVICTUS_KEY, INVICTUS_WINDOW, seen);
    const other = new ActivityAccumulator(INVICTUS_KEY, INVICTUS_WINDOW, seen);
    for (const item of first) one.add(item);
    for (const item of second) other.add(item);

    // Posted to another thread: what crosses is what structured cloning keeps.
    one.merge(structuredClone(other.state()));

    expect(one.summary(context)).toEqual(summarizeRecords(records, INVICTUS_KEY, INVICTUS_WINDOW, context));
    expect(one.totalEvents).toBe(2104);
  });

  it('keeps first and last seen of an empty part out of the result, and refuses another key', () => {
    const counted = new ActivityAccumulator('AKIAIOSFODNN7EXAMPLE', WINDOW);
    counted.add(record({ eventTime: '2026-11-26T10:00:00Z' }));
    const empty = new ActivityAccumulator('AKIAIOSFODNN7EXAMPLE', WINDOW);

    counted.merge(structuredClone(empty.state()));

    expect(counted.summary(context)).toMatchObject({
      totalEvents: 1,
      firstSeen: '2026-11-26T10:00:00.000Z',
      lastSeen: '2026-11-26T10:00:00.000Z',
    });
    expect(() => counted.merge(new ActivityAccumulator('AKIAI44QH8DHBEXAMPLE', WINDOW).state())).toThrow(
      /Cannot merge the activity of AKIAI44QH8DHBEXAMPLE/,
    );
  });
});
