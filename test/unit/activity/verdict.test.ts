import { describe, expect, it } from 'vitest';
import type { RiskyEvent } from '../../../src/activity/activity-summary.js';
import { verdictOf } from '../../../src/activity/verdict.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../support/fixtures.js';
import { summarizeRecords, summaryFor } from '../../support/summaries.js';

function risky(eventName: string, errorCode: string | null = null): RiskyEvent {
  return {
    eventName,
    eventTime: '2026-11-26T10:00:00.000Z',
    awsRegion: 'us-east-1',
    eventId: eventName,
    category: 'persistence',
    errorCode,
  };
}

describe('verdictOf', () => {
  it('says what was done and what was tried, most frequent first', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      totalEvents: 20,
      sourceIps: [{ name: '203.0.113.7', count: 20 }],
      riskyEvents: [
        risky('CreateUser'),
        risky('CreateUser'),
        risky('CreateUser'),
        risky('CreateUser'),
        risky('CreateAccessKey'),
        risky('CreateAccessKey'),
        risky('StopLogging', 'AccessDenied'),
        risky('StopLogging', 'AccessDenied'),
        risky('StopLogging', 'AccessDenied'),
      ],
    });

    expect(verdictOf(summary)).toBe(
      'Created 4 users and 2 access keys; tried to stop logging 3 times (20 calls from 1 address).',
    );
  });

  it('counts all the policy grants together', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      totalEvents: 3,
      riskyEvents: [risky('AttachRolePolicy'), risky('PutRolePolicy'), risky('AttachUserPolicy')],
    });

    expect(verdictOf(summary)).toMatch(/^Granted 3 policies/);
  });

  it('says so when nothing was found, or nothing risky', () => {
    expect(verdictOf(summaryFor('AKIAIOSFODNN7EXAMPLE'))).toMatch(/No activity/);
    expect(verdictOf(summaryFor('AKIAIOSFODNN7EXAMPLE', { totalEvents: 2 }))).toMatch(/nothing risky/);
  });

  it('stays short on the attack-simulation data set', () => {
    const summary = summarizeRecords(loadInvictusRecords(), INVICTUS_KEY, INVICTUS_WINDOW, {
      source: 'cloudtrail-logs',
      regionsSearched: [],
    });

    const verdict = verdictOf(summary);

    expect(verdict).toMatch(/^Created 13 roles and 4 users; granted 12 policies; assumed roles 10 times/);
    expect(verdict).toMatch(/tried to assume roles 13 times, .* and stop logging 3 times/);
    expect(verdict).toMatch(/and 9 more kinds of risky call \(2104 calls from 1 address\)\.$/);
  });
});
