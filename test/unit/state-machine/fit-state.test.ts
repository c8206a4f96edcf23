import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivitySummary, CountEntry, RiskyEvent } from '../../../src/activity/activity-summary.js';
import { buildNotification } from '../../../src/message/email.js';
import { messageOf } from '../../../src/message/message-of.js';
import { fitInvestigation, MAX_INVESTIGATION_BYTES } from '../../../src/state-machine/fit-state.js';
import { deletedReport } from '../../support/reports.js';
import { crowdedActivity, deniedInRegions, summaryFor } from '../../support/summaries.js';

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function entries(count: number, width: number): CountEntry[] {
  return Array.from({ length: count }, (_, index) => ({ name: `${index}-${'v'.repeat(width)}`, count: count - index }));
}

function risky(count: number, width: number): RiskyEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    eventName: `CreateUser${'x'.repeat(width)}`,
    eventTime: '2026-11-26T10:00:00.000Z',
    awsRegion: 'us-east-1',
    eventId: `${index}-${'e'.repeat(width)}`,
    category: 'persistence',
    errorCode: null,
    resources: [],
  }));
}

function huge(width: number, count: number, keys = 25, failedRegions = 1): ActivitySummary {
  return summaryFor('AKIAIOSFODNN7EXAMPLE', {
    totalEvents: count,
    eventNames: entries(count, width),
    userAgents: entries(count, width),
    resourceNames: entries(count, width),
    riskyEvents: risky(count, width),
    sessionKeys: Array.from({ length: keys }, (_, index) => `ASIA${String(index).padStart(16, '0')}`),
    regions: {
      searched: ['us-east-1'],
      failed: Array.from({ length: failedRegions }, (_, index) => ({
        region: `eu-west-${index + 1}`,
        error: 'e'.repeat(width),
      })),
    },
  });
}

describe('fitInvestigation', () => {
  it('keeps the first of every kind of risky act, and the sizes before the cut, when thousands crowd them out', () => {
    const activity = crowdedActivity('AKIAIOSFODNN7EXAMPLE');

    const fitted = fitInvestigation({ activity, sessionActivity: [] });

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    const kept = fitted.activity.riskyEvents.map((risky) => risky.eventName);
    expect(kept.slice(0, 3)).toEqual(['CreateUser', 'StopLogging', 'GetParameter']);
    expect(kept.length).toBeLessThan(activity.riskyEvents.length);
    expect(fitted.activity.riskyEvents.at(-1)?.eventId).toBe('GetParameter-1501');
    expect(fitted.cut).toEqual({
      riskyEvents: 1_502,
      distinct: expect.objectContaining({ sourceIps: 1_501, eventNames: 0 }),
      sessionActivity: 0,
      sessionKeys: 0,
    });
  });

  it('names every region not searched and counts every session key minted, when attacker-sized names crowd the state', () => {
    const denied = deniedInRegions('AKIAIOSFODNN7EXAMPLE');
    const activity = {
      ...denied,
      sessionKeysMinted: denied.sessionKeys.map((accessKeyId) => ({
        accessKeyId,
        eventName: 'AssumeRole',
        eventTime: '2026-11-26T10:00:00.000Z',
        expiration: '2026-11-26T11:00:00.000Z',
        accountId: '999999999999',
      })),
    };

    const fitted = fitInvestigation({ activity, sessionActivity: [] });

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    expect(fitted.activity.regions.failed.map((failed) => failed.region)).toEqual(
      activity.regions.failed.map((failed) => failed.region),
    );
    expect(fitted.activity.regions.searched).toEqual(['us-east-1']);
    expect(fitted.activity.sessionKeys.length).toBeLessThan(activity.sessionKeys.length);
    expect(fitted.activity.sessionKeysMinted?.map((minted) => minted.accessKeyId)).toEqual(fitted.activity.sessionKeys);
    expect(fitted.cut?.sessionKeys).toBe(activity.sessionKeys.length);
  });

  it('keeps the count of the session keys not searched, and names the first of them, when it cuts', () => {
    const keys = Array.from({ length: 100 }, (_, index) => ({
      accessKeyId: `ASIA${String(index).padStart(16, '0')}`,
      mintedBy: 'AKIAIOSFODNN7EXAMPLE',
      reason: 'limit' as const,
    }));

    const fitted = fitInvestigation({
      activity: crowdedActivity('AKIAIOSFODNN7EXAMPLE'),
      sessionActivity: [],
      sessionKeysNotSearched: { count: 400, keys },
    });

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    expect(fitted.sessionKeysNotSearched).toEqual({ count: 400, keys: keys.slice(0, 25) });
  });

  it('keeps what a session key did when the state is cut to its smallest, and counts it from before the cut', () => {
    const launches: RiskyEvent[] = Array.from({ length: 400 }, (_, index) => ({
      eventName: 'RunInstances',
      eventTime: new Date(Date.UTC(2026, 10, 26, 11, 0, index)).toISOString(),
      awsRegion: 'us-east-1',
      eventId: `launch-${index}`,
      category: 'resource-abuse',
      errorCode: null,
      resources: [],
    }));
    const session = summaryFor('ASIAIOSFODNN7EXAMPLE', {
      totalEvents: 12_000,
      riskyEvents: launches,
      sourceIps: entries(300, 10),
      regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-1', error: 'AccessDenied' }] },
    });
    const investigation = { activity: deniedInRegions('AKIAIOSFODNN7EXAMPLE'), sessionActivity: [session] };

    const fitted = fitInvestigation(investigation);

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    expect(fitted.cut?.sessions?.[0]).toMatchObject({ riskyEvents: 400, distinct: { sourceIps: 300 } });
    const report = deletedReport({ investigation: { status: 'done', result: fitted } });
    const message = messageOf(report);
    expect(message.attackerDid.join('\n')).toMatch(
      /through 1 session key it minted: launched instances \d+ times \(counted from \d+ of their 400 risky calls, the first of each kind\)/,
    );
    const email = buildNotification(report).message;
    expect(email).toContain('In brief: 12,000 calls from 300 addresses, 400 risky calls among them.');
    expect(email).not.toMatch(/nothing risky/);
    expect(email).toMatch(/NOT searched: eu-west-1/);
  });

  it('leaves an investigation that fits as it is', () => {
    const small = { activity: huge(10, 10), sessionActivity: [] };

    expect(fitInvestigation(small)).toBe(small);
  });

  it('keeps within the bound whatever the sizes of the values, keeping totals, regions and session keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 40 }),
        (width, count, sessions, failedRegions) => {
          const activity = huge(width, count, 25, failedRegions);
          const investigation = {
            activity,
            sessionActivity: Array.from({ length: sessions }, () => huge(width, Math.min(count, 20), 0)),
          };

          const fitted = fitInvestigation(investigation);

          expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
          expect(fitted.activity.totalEvents).toBe(activity.totalEvents);
          expect(fitted.activity.sessionKeys).toEqual(activity.sessionKeys);
          expect(fitted.activity.regions.searched).toEqual(activity.regions.searched);
          expect(fitted.activity.regions.failed.map((failed) => failed.region)).toEqual(
            activity.regions.failed.map((failed) => failed.region),
          );
          // A region not searched for a session key is named too, whatever else was cut.
          expect(
            fitted.sessionActivity.map((session) => session.regions.failed.map((failed) => failed.region)),
          ).toEqual(
            investigation.sessionActivity.map((session) => session.regions.failed.map((failed) => failed.region)),
          );
        },
      ),
      { numRuns: 24 },
    );
    // Summaries of up to 24 MB each: some seconds on an idle machine, many times that on a busy one.
  }, 180_000);

  it('keeps within the bound when risky events name thousands of resources each, and says it cut them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 100, max: 5_000 }), (events, each) => {
        const launches: RiskyEvent[] = Array.from({ length: events }, (_, index) => ({
          eventName: 'RunInstances',
          eventTime: new Date(Date.UTC(2026, 10, 26, 10, 0, index)).toISOString(),
          awsRegion: 'us-east-1',
          eventId: `event-${index}`,
          category: 'resource-abuse',
          errorCode: null,
          resources: Array.from({ length: each }, (_, n) => ({
            type: 'AWS::EC2::Instance',
            name: `i-${String(index).padStart(5, '0')}${String(n).padStart(12, '0')}`,
          })),
        }));
        const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { totalEvents: events, riskyEvents: launches });

        const fitted = fitInvestigation({ activity, sessionActivity: [] });

        expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
        expect(fitted.activity.totalEvents).toBe(events);
        if (bytes(activity) > MAX_INVESTIGATION_BYTES) expect(fitted.activity.truncated).toBe(true);
        // The first launch (the first of its kind), then the latest ones, are the ones kept.
        const kept = fitted.activity.riskyEvents.map((event) => event.eventId);
        const expected =
          kept.length === 0 || kept.length === launches.length
            ? launches.slice(0, kept.length)
            : [launches[0] as RiskyEvent, ...launches.slice(launches.length - kept.length + 1)];
        expect(kept).toEqual(expected.map((event) => event.eventId));
        if (kept.length < launches.length) expect(fitted.cut?.riskyEvents).toBe(events);
      }),
      { numRuns: 25 },
    );
  });
});
