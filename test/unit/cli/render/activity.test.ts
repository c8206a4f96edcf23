import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import {
  investigationJson,
  notSearched,
  renderFilesReport,
  renderInvestigation,
  searchAgainLines,
} from '../../../../src/cli/render/activity.js';
import { summaryFor } from '../../../support/summaries.js';

describe('renderFilesReport', () => {
  it('says what became of the log files in one line when all could be read', () => {
    expect(
      renderFilesReport({ read: 10, skipped: 2, outsideWindow: 0, failed: 0, failedFiles: [], readAgain: null }),
    ).toEqual(['Log files: 10 read, 2 skipped (digest, Insight or not CloudTrail), 0 unreadable.']);
  });

  const failedFiles = Array.from({ length: 12 }, (_, index) => ({
    path: `logs/part-${String(index).padStart(2, '0')}.json.gz`,
    error: 'inflates to more than 128 MiB (--max-file-mb)',
  }));
  const manyFailed = { read: 3, skipped: 0, outsideWindow: 1, failed: 12, failedFiles, readAgain: null };

  it('names each file that could not be read, with the reason, up to ten, and says how to see the rest', () => {
    const lines = renderFilesReport(manyFailed);

    expect(lines[0]).toBe(
      'Log files: 3 read, 0 skipped (digest, Insight or not CloudTrail), 1 outside the window, 12 unreadable:',
    );
    expect(lines[1]).toBe('  logs/part-00.json.gz: inflates to more than 128 MiB (--max-file-mb)');
    expect(lines.slice(1, -1)).toHaveLength(10);
    expect(lines.at(-1)).toBe('  … 2 more (--verbose names them all)');
  });

  it('names every file that could not be read when asked for all (--verbose)', () => {
    const lines = renderFilesReport(manyFailed, true);

    expect(lines.slice(1)).toEqual(failedFiles.map((file) => `  ${file.path}: ${file.error}`));
  });

  it('says when every file was read again on one thread, and why', () => {
    const lines = renderFilesReport({
      read: 40,
      skipped: 0,
      outsideWindow: 0,
      failed: 0,
      failedFiles: [],
      readAgain: 'A log-file worker failed: it stopped (exit code 1)',
    });

    expect(lines).toEqual([
      'Log files: 40 read, 0 skipped (digest, Insight or not CloudTrail), 0 unreadable.',
      '  Read again on one thread (A log-file worker failed: it stopped (exit code 1)); the counts are exact, it only took longer.',
    ]);
  });
});

describe('notSearched', () => {
  it("names each region left out, the key's and then each session key's", () => {
    const failed = (region: string) => ({ searched: ['us-east-1'], failed: [{ region, error: 'AccessDenied' }] });
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { regions: failed('eu-west-1') });
    const sessions = [
      summaryFor('ASIAIOSFODNN7EXAMPL1'),
      summaryFor('ASIAIOSFODNN7EXAMPL2', { regions: failed('ap-southeast-2') }),
    ];

    expect(notSearched({ activity, sessionActivity: sessions })).toEqual([
      'Region not searched: eu-west-1: AccessDenied',
      'Region not searched for session key ASIAIOSFODNN7EXAMPL2: ap-southeast-2: AccessDenied',
    ]);
  });
});

describe('searchAgainLines: what investigate says to run next', () => {
  const failed = (...regions: string[]) => ({
    searched: ['us-east-1'],
    failed: regions.map((region) => ({ region, error: 'AccessDeniedException: explicit deny' })),
  });

  it('gives the command that searches again the regions LookupEvents could not, over the window searched', () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { regions: failed('eu-west-1', 'ap-south-1') });

    expect(searchAgainLines({ activity, sessionActivity: [summaryFor('ASIAIOSFODNN7EXAMPL1')] })).toEqual([
      'Search them again: exposed-keys investigate --key AKIAIOSFODNN7EXAMPLE --regions eu-west-1,ap-south-1 --start 2026-11-26T03:00:00.000Z --end 2026-11-27T03:00:00.000Z',
    ]);
  });

  it("gives one command for the session keys' regions too: the key's read finds them again and follows them", () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { regions: failed('eu-west-1') });
    const sessions = ['ASIAIOSFODNN7EXAMPL1', 'ASIAIOSFODNN7EXAMPL2'].map((key) =>
      summaryFor(key, { regions: failed('eu-west-1', 'us-west-2') }),
    );

    expect(searchAgainLines({ activity, sessionActivity: sessions })).toEqual([
      'Search them again: exposed-keys investigate --key AKIAIOSFODNN7EXAMPLE --regions eu-west-1,us-west-2 --start 2026-11-26T03:00:00.000Z --end 2026-11-27T03:00:00.000Z --follow-sessions',
    ]);
  });

  it('names the member account the search was made in (--account)', () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { regions: failed('eu-west-1') });

    expect(searchAgainLines({ activity, sessionActivity: [] }, ' --account 210987654321 --role-name ir-role')).toEqual([
      'Search them again: exposed-keys investigate --key AKIAIOSFODNN7EXAMPLE --account 210987654321 --role-name ir-role --regions eu-west-1 --start 2026-11-26T03:00:00.000Z --end 2026-11-27T03:00:00.000Z',
    ]);
  });

  it('gives none when every region was searched, nor for log files or Athena, whose places name their own way', () => {
    const logs = summaryFor('AKIAIOSFODNN7EXAMPLE', { source: 'cloudtrail-logs', regions: failed('eu-west-1') });

    expect(searchAgainLines({ activity: summaryFor('AKIAIOSFODNN7EXAMPLE'), sessionActivity: [] })).toEqual([]);
    expect(searchAgainLines({ activity: logs, sessionActivity: [] })).toEqual([]);
  });
});

describe('notSearched, for a window the source read only part of', () => {
  const asked = { start: new Date('2026-07-01T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') };

  it('says from when it searched, and why, when the summary starts later than asked and is truncated', () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      window: { start: '2026-08-29T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' },
      truncated: true,
    });

    expect(notSearched({ activity, sessionActivity: [] }, asked)).toEqual([
      'Searched from 2026-08-29T00:00:00.000Z, not 2026-07-01T00:00:00.000Z: LookupEvents holds only the last 90 days (older activity: investigate --logs, or --athena-table).',
    ]);
  });

  it('does not blame LookupEvents for an Athena table that holds only part of the window: its days are among the places not searched', () => {
    const failed = [
      { region: '(days before 2026/08/29) athena:cloudtrail.events', error: 'the table holds the days …' },
    ];
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      source: 'athena',
      window: { start: '2026-08-29T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' },
      regions: { searched: ['us-east-1'], failed },
      truncated: true,
    });

    expect(notSearched({ activity, sessionActivity: [] }, asked)).toEqual([
      'Region not searched: (days before 2026/08/29) athena:cloudtrail.events: the table holds the days …',
    ]);
  });

  it('says nothing of the window when the summary covers it, or was cut by only a moment', () => {
    const whole = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      window: { start: asked.start.toISOString(), end: asked.end.toISOString() },
      truncated: true,
    });
    const moment = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      window: { start: '2026-07-01T00:00:01.000Z', end: asked.end.toISOString() },
    });

    expect(notSearched({ activity: whole, sessionActivity: [] }, asked)).toEqual([]);
    expect(notSearched({ activity: moment, sessionActivity: [] }, asked)).toEqual([]);
  });
});

describe('what investigate --json prints', () => {
  const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { sessionKeys: ['ASIAIOSFODNN7EXAMPLE'] });
  const sessionActivity = [summaryFor('ASIAIOSFODNN7EXAMPLE')];

  it('keeps the shape asked for when the inventory asked for was not taken (stopped, or refused)', () => {
    expect(investigationJson({ activity, sessionActivity }, { followSessions: true, inventory: true })).toEqual({
      activity,
      sessionActivity,
      inventory: null,
    });
  });

  it('is the summary alone, the contract, with --json and nothing else', () => {
    expect(investigationJson({ activity, sessionActivity: [] }, { followSessions: false, inventory: false })).toBe(
      activity,
    );
  });
});

describe('the session keys of an investigation, as a person reads them', () => {
  const KEY = 'AKIAIOSFODNN7EXAMPLE';
  const SESSION = 'ASIABBBBBBBBBBBBBBBB';
  const CHAINED = 'ASIACCCCCCCCCCCCCCCC';
  const activity = summaryFor(KEY, { sessionKeys: [SESSION, 'ASIADDDDDDDDDDDDDDDD'] });
  const sessionActivity = [
    summaryFor(SESSION, { totalEvents: 1, sessionKeys: [CHAINED] }),
    summaryFor(CHAINED, { totalEvents: 2, eventNames: [{ name: 'CreateUser', count: 2 }] }),
  ];
  const sessionKeysNotSearched = {
    count: 1,
    keys: [{ accessKeyId: 'ASIADDDDDDDDDDDDDDDD', mintedBy: KEY, reason: 'limit' as const }],
  };

  it('shows each key followed with the key that minted it, and names those NOT searched, with why', () => {
    const text = renderInvestigation({ activity, sessionActivity, sessionKeysNotSearched }, paletteOf(false));

    expect(text).toMatch(/What the session keys did \(minted by the key, or by a session key it minted, 2 keys\)/);
    expect(text).toMatch(new RegExp(`${CHAINED}\\s+${SESSION}\\s+2 .*CreateUser 2`));
    expect(text).toMatch(new RegExp(`${SESSION}\\s+${KEY}\\s+1 `));
    expect(text).toContain(
      `1 session key(s) minted NOT searched, past the 2 followed: ASIADDDDDDDDDDDDDDDD (exposed-keys investigate --key <ASIA…> --start ${activity.window.start} --end ${activity.window.end} searches one).`,
    );
  });

  it('sets them apart from the last table of the key by a blank line, as every section is', () => {
    const text = renderInvestigation({ activity, sessionActivity }, paletteOf(false));

    expect(text).toMatch(/\n\nWhat the session keys did /);
  });

  it('names them on stderr and in --json too', () => {
    expect(notSearched({ activity, sessionActivity, sessionKeysNotSearched }).at(-1)).toMatch(
      /^1 session key\(s\) minted NOT searched, past the 2 followed: ASIADDDDDDDDDDDDDDDD /,
    );
    expect(
      investigationJson(
        { activity, sessionActivity, sessionKeysNotSearched },
        { followSessions: true, inventory: false },
      ),
    ).toEqual({ activity, sessionActivity, sessionKeysNotSearched });
  });
});

describe('a summary with a caveat, as a person reads it', () => {
  it('shows the caveat under the events, as a note', () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { caveats: ['calls of its last minutes may not show yet'] });

    const text = renderInvestigation({ activity, sessionActivity: [] }, paletteOf(false));

    expect(text).toMatch(/\n {2}events {3}0\n {2}note {5}calls of its last minutes may not show yet\n/);
  });
});

describe('a summary read from log files some of which could not be read, as a person reads it', () => {
  it('says in its head that files were NOT read, as --json does, not only in the notes on stderr', () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', {
      source: 'cloudtrail-logs',
      filesNotRead: { count: 2, files: [{ path: 'logs/a.json.gz', error: 'unexpected end of file' }] },
    });

    const text = renderInvestigation({ activity, sessionActivity: [] }, paletteOf(false));

    expect(text).toMatch(/\n {2}regions {2}1 searched\n {2}files {4}2 NOT read: the search is NOT complete/);
  });

  it('says nothing of files when every one was read', () => {
    const activity = summaryFor('AKIAIOSFODNN7EXAMPLE', { source: 'cloudtrail-logs' });

    expect(renderInvestigation({ activity, sessionActivity: [] }, paletteOf(false))).not.toMatch(/\n {2}files /);
  });
});

describe('the session keys followed, when one could not be searched', () => {
  const KEY = 'AKIAIOSFODNN7EXAMPLE';
  const ELSEWHERE = 'ASIAELSEWHEREEXAMPLE';
  const PART = 'ASIAPARTLYSEARCHED01';
  const activity = summaryFor(KEY, { sessionKeys: [ELSEWHERE, PART] });
  const sessionActivity = [
    summaryFor(ELSEWHERE, {
      regions: {
        searched: [],
        failed: [{ region: '(every region) of account 999999999999', error: 'recorded in that account' }],
      },
    }),
    summaryFor(PART, {
      totalEvents: 3,
      regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-1', error: 'AccessDenied' }] },
    }),
  ];

  it('says NOT searched in its row rather than 0 events, and marks a count from a search that missed regions', () => {
    const text = renderInvestigation({ activity, sessionActivity }, paletteOf(false));

    expect(text).toMatch(new RegExp(`${ELSEWHERE}\\s+${KEY}\\s+NOT searched\\s+-\\s+-\\s+-\\s*\n`));
    expect(text).toMatch(new RegExp(`${PART}\\s+${KEY}\\s+3 \\(incomplete\\)\\s`));
  });
});
