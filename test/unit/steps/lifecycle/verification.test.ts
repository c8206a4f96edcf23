import { describe, expect, it } from 'vitest';
import type { ActivityQuery, ActivitySource } from '../../../../src/activity/activity-source.js';
import type { ActivitySummary } from '../../../../src/activity/activity-summary.js';
import { type FollowUpReport, followUpOutcome } from '../../../../src/steps/incident-outcome.js';
import { MAX_SESSION_KEYS_FOLLOWED } from '../../../../src/steps/investigate.js';
import { MAX_SESSION_KEYS_CHECKED } from '../../../../src/steps/lifecycle/calls-since-containment.js';
import type { VerificationResult } from '../../../../src/steps/lifecycle/follow-up-result.js';
import { verifyContainment } from '../../../../src/steps/lifecycle/verification.js';
import { summaryFor } from '../../../support/summaries.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SESSION = 'ASIAIOSFODNN7EXAMPLE';
const CONTAINED_AT = '2026-11-27T03:00:00.000Z';
const NOW = new Date('2026-11-27T03:30:00.000Z');

function summary(accessKeyId: string, fields: Partial<ActivitySummary> = {}): ActivitySummary {
  return summaryFor(accessKeyId, { userName: null, ...fields });
}

/**
 * A source that answers a search before containment with the session keys each key minted (the
 * key, SESSION, unless told), and one since containment with `after`.
 */
function source(
  after: (key: string) => Partial<ActivitySummary>,
  minted: string[] | Record<string, string[]> = [SESSION],
) {
  const mints = Array.isArray(minted) ? { [KEY]: minted } : minted;
  const queries: ActivityQuery[] = [];
  const fake: ActivitySource = {
    name: 'lookup-events',
    unsearchable: (message) => new Error(message),
    async summarize(query) {
      queries.push(query);
      const since = query.window.start.toISOString() === CONTAINED_AT;
      return query.accessKeyIds.map((key) => summary(key, since ? after(key) : { sessionKeys: mints[key] ?? [] }));
    },
  };
  return { fake, queries };
}

/** The searches since containment among `queries`. */
function sinceContainment(queries: readonly ActivityQuery[]): ActivityQuery[] {
  return queries.filter((query) => query.window.start.toISOString() === CONTAINED_AT);
}

/** `count` session key ids, in order. */
function sessionKeys(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `ASIA${String(index).padStart(16, '0')}`);
}

const REQUEST = {
  kind: 'verification',
  accessKeyId: KEY,
  userName: 'alice',
  accountId: null,
  containedAt: CONTAINED_AT,
  deleteAt: null,
} as const;

/** The follow-up report of a verification that ended with `result`. */
function done(result: VerificationResult): FollowUpReport {
  return { ...REQUEST, step: { status: 'done', result } };
}

describe('verifyContainment', () => {
  it('checks the key and the sessions it minted before containment, from containment to now', async () => {
    const { fake, queries } = source(() => ({}));

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 48 });

    expect(result).toMatchObject({ quiet: true, sessionKeysChecked: [SESSION], activity: [] });
    expect(sinceContainment(queries).map((query) => query.accessKeyIds)).toEqual([[KEY, SESSION]]);
    expect(sinceContainment(queries)[0]?.window).toEqual({ start: new Date(CONTAINED_AT), end: NOW });
    expect(queries[0]?.window.start).toEqual(new Date('2026-11-25T03:00:00.000Z'));
    expect(queries[1]?.accessKeyIds).toEqual([SESSION]);
  });

  it('looks for the sessions minted over the 36 hours one may live, when the look-back is shorter', async () => {
    const { fake, queries } = source(() => ({}));

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 4 });

    expect(queries[0]?.window).toEqual({ start: new Date('2026-11-25T15:00:00.000Z'), end: new Date(CONTAINED_AT) });
    expect(result.lookback).toEqual({ start: '2026-11-25T15:00:00.000Z', end: CONTAINED_AT });
  });

  it('reports the calls made after containment, and by which key', async () => {
    const { fake } = source((key) =>
      key === SESSION ? { totalEvents: 3, eventNames: [{ name: 'ListBuckets', count: 3 }] } : {},
    );

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 });

    expect(result.quiet).toBe(false);
    expect(result.activity).toEqual([
      expect.objectContaining({
        accessKeyId: SESSION,
        role: 'session',
        totalEvents: 3,
        calls: [{ name: 'ListBuckets', count: 3 }],
      }),
    ]);
  });

  it('reports a region not searched for a session key, with that key, rather than calling it quiet', async () => {
    const { fake } = source((key) =>
      key === SESSION
        ? { regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-3', error: 'Throttled' }] } }
        : {},
    );

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 });

    expect(result.regionsFailed).toEqual([{ region: 'eu-west-3', error: 'Throttled', accessKeyId: SESSION }]);
    expect(followUpOutcome(done(result))).toBe('verification-incomplete');
  });

  it('checks every session key the key minted, past the 25 an investigation follows', async () => {
    const minted = sessionKeys(30);
    const { fake, queries } = source(() => ({}), minted);

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 });

    expect(sinceContainment(queries).flatMap((query) => query.accessKeyIds)).toEqual([KEY, ...minted]);
    expect(result).toMatchObject({ quiet: true, sessionKeysChecked: minted, sessionKeysNotChecked: 0 });
  });

  it('checks the session keys minted by the session keys the key minted, hop by hop', async () => {
    const second = 'ASIAIOSFODNN7SECONDX';
    const third = 'ASIAIOSFODNN7THIRDXX';
    const { fake } = source((key) => (key === third ? { totalEvents: 2 } : {}), {
      [KEY]: [SESSION],
      [SESSION]: [second],
      [second]: [third],
    });

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 });

    expect(result.sessionKeysChecked).toEqual([SESSION, second, third]);
    expect(result.quiet).toBe(false);
    expect(result.activity).toEqual([expect.objectContaining({ accessKeyId: third, role: 'session', totalEvents: 2 })]);
  });

  it('leaves at least half its time to the search since containment', async () => {
    const { fake, queries } = source(() => ({}));

    await verifyContainment({ source: fake, now: () => NOW, clock: () => 0 }, REQUEST, {
      lookbackHours: 24,
      deadline: 10_000,
    });

    expect(queries.map((query) => query.deadline)).toEqual([3_000, 5_000, 10_000]);
  });

  it('names the session keys found but not followed, whose own session keys are not known', async () => {
    const minted = sessionKeys(30);
    const { fake } = source(() => ({}), minted);

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 });

    expect(result.sessionKeysNotFollowed).toMatchObject({
      count: 30 - MAX_SESSION_KEYS_FOLLOWED,
      keys: minted
        .slice(MAX_SESSION_KEYS_FOLLOWED)
        .map((accessKeyId) => ({ accessKeyId, mintedBy: KEY, reason: 'limit' })),
    });
    expect(followUpOutcome(done(result))).toBe('verification-incomplete');
  });

  it('names the session keys minted past those it checks, rather than calling the key quiet', async () => {
    const minted = sessionKeys(MAX_SESSION_KEYS_CHECKED + 5);
    const { fake, queries } = source(() => ({}), minted);

    const result = await verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 });

    expect(sinceContainment(queries).flatMap((query) => query.accessKeyIds)).toEqual([
      KEY,
      ...minted.slice(0, MAX_SESSION_KEYS_CHECKED),
    ]);
    expect(result).toMatchObject({
      quiet: true,
      sessionKeysNotChecked: 5,
      sessionKeysNotCheckedListed: minted
        .slice(MAX_SESSION_KEYS_CHECKED)
        .map((accessKeyId) => ({ accessKeyId, mintedBy: KEY, reason: 'limit' })),
      lookback: { start: '2026-11-25T15:00:00.000Z', end: CONTAINED_AT },
    });
    expect(followUpOutcome(done(result))).toBe('verification-incomplete');
  });

  it('names the session keys the time ran out before, rather than calling the key quiet', async () => {
    const minted = sessionKeys(60);
    const { fake, queries } = source(() => ({}), minted);
    let clock = 0;
    const counting: ActivitySource = {
      ...fake,
      async summarize(query) {
        const read = await fake.summarize(query);
        // The search since containment that checks the key uses up the time.
        if (query.accessKeyIds[0] === KEY && query.window.start.toISOString() === CONTAINED_AT) clock = 2_000;
        return read;
      },
    };

    const result = await verifyContainment({ source: counting, now: () => NOW, clock: () => clock }, REQUEST, {
      lookbackHours: 24,
      deadline: 1_000,
    });

    expect(sinceContainment(queries)).toHaveLength(1);
    expect(result.sessionKeysChecked).toHaveLength(25);
    expect(result.sessionKeysNotChecked).toBe(35);
    expect(result.sessionKeysNotCheckedListed?.[0]).toEqual({ accessKeyId: minted[25], mintedBy: KEY, reason: 'time' });
    expect(followUpOutcome(done(result))).toBe('verification-incomplete');
  });

  it('fails when not one region could be searched, rather than calling it quiet', async () => {
    const { fake } = source(() => ({ regions: { searched: [], failed: [{ region: 'us-east-1', error: 'down' }] } }));

    await expect(verifyContainment({ source: fake, now: () => NOW }, REQUEST, { lookbackHours: 24 })).rejects.toThrow(
      /No region could be searched/,
    );
  });
});
