import { describe, expect, it } from 'vitest';
import { messageOf } from '../../../src/message/message-of.js';
import { notSearchedInBrief } from '../../../src/message/verification-gaps.js';
import { MAX_INVESTIGATION_BYTES } from '../../../src/state-machine/fit-state.js';
import { fitVerification } from '../../../src/state-machine/fit-verification.js';
import type { CallsAfterContainment, VerificationResult } from '../../../src/steps/lifecycle/follow-up-result.js';
import { everyRegionNotSearched } from '../../../src/steps/lifecycle/regions-not-searched.js';
import { followUpReport, REPORT_KEY, verificationResult } from '../../support/reports.js';

const REGIONS = Array.from({ length: 20 }, (_, index) => `xx-test-${index + 1}`);
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function sessionKey(index: number): string {
  return `ASIA${String(index).padStart(16, '0')}`;
}

/** `count` rows of astral-plane names, most frequent first. */
function rows(count: number, what: string): { name: string; count: number }[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `${what}-${index}-${'🐙'.repeat(100)}`,
    count: count - index,
  }));
}

function calls(accessKeyId: string, role: CallsAfterContainment['role'], totalEvents: number): CallsAfterContainment {
  return {
    accessKeyId,
    role,
    totalEvents,
    firstSeen: '2026-11-26T23:00:00.000Z',
    lastSeen: '2026-11-27T01:00:00.000Z',
    calls: rows(500, 'Call'),
    errorCodes: rows(500, 'Error'),
    sourceIps: rows(500, 'Ip'),
  };
}

/**
 * The largest verification the step returns: the key and its 125 session keys all active since
 * containment, each with 500 calls, and 20 regions not searched for each, why in 2,000 astral
 * characters of its own.
 */
function largest(): VerificationResult {
  const keys = [REPORT_KEY, ...Array.from({ length: 125 }, (_, index) => sessionKey(index))];
  return verificationResult({
    quiet: false,
    sessionKeysChecked: keys.slice(1),
    activity: keys.map((key, index) => calls(key, index === 0 ? 'key' : 'session', 1_000 + index)),
    regionsFailed: keys.flatMap((key, index) =>
      REGIONS.map((region) => ({ region, accessKeyId: key, error: `${index}: ${'😀'.repeat(2_000)}` })),
    ),
  });
}

describe('fitVerification', () => {
  it('keeps a verification that fits as it is', () => {
    const result = { ...largest(), activity: [calls(REPORT_KEY, 'key', 3)], regionsFailed: [] };
    result.activity[0] = { ...calls(REPORT_KEY, 'key', 3), calls: rows(2, 'Call'), errorCodes: [], sourceIps: [] };

    expect(fitVerification(result)).toBe(result);
  });

  it('fits the largest in the state, every active key with its exact total and every region not searched named', () => {
    const result = largest();
    expect(bytes(result)).toBeGreaterThan(MAX_INVESTIGATION_BYTES);

    const fitted = fitVerification(result);

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    // JSON.stringify writes a lone surrogate as an escape, and a whole pair as it is.
    expect(JSON.stringify(fitted)).not.toMatch(LONE_SURROGATE_ESCAPE);
    expect(fitted.cutToFit).toBe(true);
    expect(fitted.activity.map((active) => [active.accessKeyId, active.totalEvents])).toEqual(
      result.activity.map((active) => [active.accessKeyId, active.totalEvents]),
    );
    const named = (failures: VerificationResult['regionsFailed']) =>
      failures.map((failed) => `${failed.accessKeyId} ${failed.region}`).sort();
    expect(named(everyRegionNotSearched(fitted))).toEqual(named(result.regionsFailed));
    expect(fitted.activity[0]?.calls[0]?.count).toBe(500);
    expect(fitted.sessionKeysChecked).toEqual(result.sessionKeysChecked);
  });

  it('leaves the message counting what the whole verification did not search', () => {
    const result = largest();

    const fitted = fitVerification(result);

    expect(notSearchedInBrief(fitted)).toBe(notSearchedInBrief(result));
    expect(notSearchedInBrief(fitted)).toBe(
      '20 region(s) could not be searched, and 2500 region(s) could not be searched for 125 session key(s)',
    );
    const message = messageOf(followUpReport(fitted));
    expect(message.keyNow).toContain('ACTIVITY AFTER CONTAINMENT');
    expect(message.done.join('\n')).toContain('cut to fit');
    expect(message.attackerDid[0]).toContain('the key: 1,000 call(s)');
    expect(message.attackerDid[0]).toContain('and 492 more), 125,250 refused');
  });

  it('fits when only the regions not searched are many, keeping every call of the one active key', () => {
    const result = { ...largest(), activity: [{ ...calls(REPORT_KEY, 'key', 7), calls: rows(3, 'Call') }] };
    result.activity[0] = { ...calls(REPORT_KEY, 'key', 7), calls: rows(3, 'Call'), errorCodes: [], sourceIps: [] };

    const fitted = fitVerification(result);

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    expect(fitted.activity[0]?.calls.map((call) => call.count)).toEqual([3, 2, 1]);
    expect(everyRegionNotSearched(fitted)).toHaveLength(result.regionsFailed.length);
  });

  it('counts, rather than names, the regions of the last session keys when even grouped they do not fit', () => {
    // Ids of 128 characters, each key not searched in 60 regions of its own.
    const keys = Array.from({ length: 125 }, (_, index) => `ASIA${String(index).padStart(124, '0')}`);
    const regionsOf = (index: number) => Array.from({ length: 60 }, (_, at) => `xx-${index}-${at}`);
    const result: VerificationResult = {
      ...largest(),
      sessionKeysChecked: keys,
      activity: [calls(REPORT_KEY, 'key', 9), ...keys.map((key) => calls(key, 'session', 9))],
      regionsFailed: keys.flatMap((key, index) =>
        regionsOf(index).map((region) => ({ region, accessKeyId: key, error: 'denied' })),
      ),
    };

    const fitted = fitVerification(result);

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    const notNamed = fitted.sessionRegionsNotNamed ?? { keys: 0, regions: 0 };
    expect(notNamed.keys).toBeGreaterThan(0);
    expect(everyRegionNotSearched(fitted).length + notNamed.regions).toBe(result.regionsFailed.length);
    const named = new Set(everyRegionNotSearched(fitted).map((failed) => failed.accessKeyId));
    expect(named.size + notNamed.keys).toBe(125);
    const message = messageOf(followUpReport(fitted));
    expect(message.done.join('\n')).toContain(
      `${notNamed.regions.toLocaleString('en-US')} more region(s) NOT searched for ${notNamed.keys} more session key(s)`,
    );
    expect(message.doNow.join('\n')).toContain(
      `the ${notNamed.keys} session key(s) whose regions not searched are not named`,
    );
  });

  it('counts every session key in the brief when one group of them all is too large to name', () => {
    // One reason for every key in the same 36 regions: a single group, its 125 ids of 128 characters.
    const keys = Array.from({ length: 125 }, (_, index) => `ASIA${String(index).padStart(124, '0')}`);
    const regions = Array.from({ length: 36 }, (_, index) => `xx-test-${index + 1}`);
    const result: VerificationResult = {
      ...largest(),
      sessionKeysChecked: keys,
      activity: [calls(REPORT_KEY, 'key', 9), ...keys.map((key) => calls(key, 'session', 9))],
      regionsFailed: keys.flatMap((key) =>
        regions.map((region) => ({ region, accessKeyId: key, error: 'AccessDenied' })),
      ),
    };

    const fitted = fitVerification(result);

    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_INVESTIGATION_BYTES);
    expect(notSearchedInBrief(fitted)).toBe('4500 region(s) could not be searched for 125 session key(s)');
    expect(everyRegionNotSearched(fitted).every((failed) => failed.error === 'AccessDenied')).toBe(true);
    expect(messageOf(followUpReport(fitted)).attackerDid[1]).toContain(
      '9 call(s) (500 distinct call(s), not named here)',
    );
  });

  it('lists the session keys in the order they were checked, whatever groups gathered them', () => {
    const keys = ['A', 'B', 'C', 'D'].map((letter) => `ASIA${letter.repeat(16)}`);
    const regionsOf: Record<string, string[]> = {
      [keys[0] as string]: ['eu-west-1'],
      [keys[1] as string]: ['eu-west-2'],
      [keys[2] as string]: ['eu-west-1'],
      [keys[3] as string]: ['eu-west-2'],
    };
    const result: VerificationResult = {
      ...largest(),
      sessionKeysChecked: keys,
      regionsFailed: keys.flatMap((key) =>
        (regionsOf[key] ?? []).map((region) => ({ region, accessKeyId: key, error: 'AccessDenied' })),
      ),
    };

    const fitted = fitVerification(result);

    expect(fitted.sessionRegionsFailed?.length).toBe(2);
    expect([...new Set(everyRegionNotSearched(fitted).map((failed) => failed.accessKeyId))]).toEqual(keys);
  });
});
