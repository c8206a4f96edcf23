import { describe, expect, it } from 'vitest';
import type { RiskyEvent } from '../../../src/activity/activity-summary.js';
import type { RiskCategory } from '../../../src/activity/risky-events.js';
import { activityInBrief, verdictLines } from '../../../src/activity/verdict.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../support/fixtures.js';
import { summarizeRecords, summaryFor } from '../../support/summaries.js';

function risky(
  eventName: string,
  options: { errorCode?: string; category?: RiskCategory; resources?: RiskyEvent['resources'] } = {},
): RiskyEvent {
  return {
    eventName,
    eventTime: '2026-11-26T10:00:00.000Z',
    awsRegion: 'us-east-1',
    eventId: eventName,
    category: options.category ?? 'persistence',
    errorCode: options.errorCode ?? null,
    resources: options.resources ?? [],
  };
}

const user = (name: string) => ({ type: 'AWS::IAM::User', name });

describe('verdictLines', () => {
  it('says a call named like what every object inherits as a call of that name', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', { riskyEvents: [risky('constructor'), risky('toString')] });

    expect(verdictLines(summary).map((line) => line.text)).toEqual(['called constructor once', 'called toString once']);
  });

  it('says each kind of act in one line, with its count and the names involved when there are few', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      riskyEvents: [
        risky('CreateUser', { resources: [user('backdoor-1')] }),
        risky('CreateUser', { resources: [user('backdoor-2')] }),
        risky('CreateAccessKey', {
          resources: [user('backdoor-1'), { type: 'AWS::IAM::AccessKey', name: 'AKIAEXAMPLEBACKDOOR1' }],
        }),
      ],
    });

    expect(verdictLines(summary).map((line) => line.text)).toEqual([
      'created 2 users: backdoor-1, backdoor-2',
      'created 1 access key: AKIAEXAMPLEBACKDOOR1',
    ]);
  });

  it('puts the most severe acts first, and says acts that were only refused as tried', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      riskyEvents: [
        risky('RunInstances', { category: 'resource-abuse' }),
        risky('CreateUser', { resources: [user('x')] }),
        risky('StopLogging', { category: 'defense-evasion', errorCode: 'AccessDenied' }),
        risky('StopLogging', { category: 'defense-evasion', errorCode: 'AccessDenied' }),
      ],
    });

    expect(verdictLines(summary).map((line) => [line.category, line.text])).toEqual([
      ['defense-evasion', 'tried to stop logging 2 times, refused (AccessDenied)'],
      ['persistence', 'created 1 user: x'],
      ['resource-abuse', 'launched instances once'],
    ]);
  });

  it('counts all the policy grants together, naming to whom', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      riskyEvents: [
        risky('AttachRolePolicy', { resources: [{ type: 'AWS::IAM::Role', name: 'admin-role' }] }),
        risky('PutRolePolicy', { resources: [{ type: 'AWS::IAM::Role', name: 'admin-role' }] }),
        risky('AttachUserPolicy', { resources: [user('backdoor-1')] }),
        risky('AttachUserPolicy', { errorCode: 'AccessDenied' }),
      ],
    });

    expect(verdictLines(summary).map((line) => line.text)).toEqual([
      'granted 3 policies: admin-role, backdoor-1 (1 more try refused)',
    ]);
  });

  it('says calls that read alike in one line: GetParameter and GetParameters are both reads of parameters', () => {
    const read = (eventName: string) =>
      risky(eventName, {
        category: 'credential-access',
        resources: [{ type: 'AWS::SSM::Parameter', name: `/app/${eventName}` }],
      });
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      riskyEvents: [read('GetParameter'), read('GetParameter'), read('GetParameters')],
    });

    expect(verdictLines(summary).map((line) => line.text)).toEqual([
      'read parameters 3 times: /app/GetParameter, /app/GetParameters',
    ]);
  });

  it('only counts when there are many names, and makes every name inert', () => {
    const summary = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      riskyEvents: ['a', 'b', 'c', 'd', 'e\u001b[2J'].map((name) => risky('CreateUser', { resources: [user(name)] })),
    });

    expect(verdictLines(summary)[0]?.text).toBe('created 5 users');
    expect(verdictLines({ ...summary, riskyEvents: summary.riskyEvents.slice(4) })[0]?.text).toBe(
      'created 1 user: e\\x1B[2J',
    );
  });

  it('gives the recorded attack as a short list, most severe first', () => {
    const summary = summarizeRecords(loadInvictusRecords(), INVICTUS_KEY, INVICTUS_WINDOW, {
      source: 'cloudtrail-logs',
      regionsSearched: [],
    });

    const lines = verdictLines(summary);

    expect(lines[0]?.category).toBe('defense-evasion');
    expect(lines.map((line) => line.text)).toContain('created 13 roles');
    expect(lines.map((line) => line.text)).toContain('created 4 users');
    expect(lines.map((line) => line.text)).toContain('read secrets 60 times');
    expect(
      lines.some((line) => /^tried to stop logging 3 times, refused \(TrailNotFoundException\)$/.test(line.text)),
    ).toBe(true);
    const categories = lines.map((line) => line.category);
    expect(categories).toEqual([...categories].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)));
  });
});

const ORDER: RiskCategory[] = [
  'defense-evasion',
  'persistence',
  'credential-minting',
  'credential-access',
  'resource-abuse',
];

describe('activityInBrief', () => {
  it('says so when nothing was found, or nothing risky, and counts calls and addresses', () => {
    expect(activityInBrief(summaryFor('AKIAIOSFODNN7EXAMPLE'))).toMatch(/^No activity/);
    expect(activityInBrief(summaryFor('AKIAIOSFODNN7EXAMPLE', { totalEvents: 2 }))).toMatch(/nothing risky/);
    expect(
      activityInBrief(
        summaryFor('AKIAIOSFODNN7EXAMPLE', {
          totalEvents: 2104,
          sourceIps: [{ name: '203.0.113.7', count: 2104 }],
          riskyEvents: [risky('CreateUser')],
        }),
      ),
    ).toBe('2,104 calls from 1 address, 1 risky call among them.');
  });

  it('does not call a read that missed log files a search of the whole window, when it found nothing', () => {
    const missed = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      source: 'cloudtrail-logs',
      filesNotRead: { count: 1, files: [{ path: 'logs/a.json.gz', error: 'unexpected end of file' }] },
    });

    expect(activityInBrief(missed)).toBe(
      'No activity of this key was found in what could be searched: the search was not complete (see below).',
    );
  });
});
