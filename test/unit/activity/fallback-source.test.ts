import { describe, expect, it } from 'vitest';
import type { ActivityQuery, ActivitySource } from '../../../src/activity/activity-source.js';
import { withFallback } from '../../../src/activity/fallback-source.js';
import { InterruptedError, InvestigationError } from '../../../src/errors.js';
import { summaryFor } from '../../support/summaries.js';

const QUERY: ActivityQuery = {
  accessKeyIds: ['AKIAEXAMPLEKEY000000'],
  window: { start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') },
  deadline: 100_000,
};

function source(name: 'athena' | 'lookup-events', summarize: ActivitySource['summarize']) {
  const asked: ActivityQuery[] = [];
  const made: ActivitySource = {
    name,
    unsearchable: (message) => new InvestigationError(`${name}: ${message}`),
    summarize: (query) => {
      asked.push(query);
      return summarize(query);
    },
  };
  return { source: made, asked };
}

const lookup = () =>
  source('lookup-events', async (query) => query.accessKeyIds.map((key) => summaryFor(key, { totalEvents: 7 })));

describe('withFallback', () => {
  it('answers from the first source when it searched, within its share of the time', async () => {
    const athena = source('athena', async (query) =>
      query.accessKeyIds.map((key) => summaryFor(key, { source: 'athena', totalEvents: 3 })),
    );
    const fallback = lookup();

    const [summary] = await withFallback(athena.source, fallback.source, { now: () => 0 }).summarize(QUERY);

    expect(summary?.source).toBe('athena');
    expect(athena.asked[0]?.deadline).toBe(50_000);
    expect(fallback.asked).toHaveLength(0);
  });

  it('reads from the fallback when the first source could not search, and says why in each summary', async () => {
    const athena = source('athena', async (query) =>
      query.accessKeyIds.map((key) =>
        summaryFor(key, {
          source: 'athena',
          regions: { searched: [], failed: [{ region: 'athena:db.t', error: 'Athena query q-1 failed: boom' }] },
        }),
      ),
    );
    const fallback = lookup();

    const [summary] = await withFallback(athena.source, fallback.source, { now: () => 0 }).summarize(QUERY);

    expect(summary?.totalEvents).toBe(7);
    expect(summary?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [{ region: 'athena:db.t', error: 'Athena query q-1 failed: boom; lookup-events was searched instead' }],
    });
    expect(fallback.asked[0]?.deadline).toBe(100_000);
  });

  it('says why Athena failed when the places it left out sort before its own failure', async () => {
    const athena = source('athena', async (query) =>
      query.accessKeyIds.map((key) =>
        summaryFor(key, {
          source: 'athena',
          regions: {
            searched: [],
            failed: [
              { region: '(days before 2020/01/01) athena:db.t', error: 'the table holds the days from 2020/01/01' },
              { region: 'ap-east-2', error: 'the table holds no partition for this region' },
              { region: 'athena:db.t', error: 'Athena query q-1 failed: TABLE_NOT_FOUND' },
            ],
          },
        }),
      ),
    );

    const [summary] = await withFallback(athena.source, lookup().source, { now: () => 0 }).summarize(QUERY);

    expect(summary?.regions.failed).toEqual([
      {
        region: 'athena:db.t',
        error: 'Athena query q-1 failed: TABLE_NOT_FOUND; lookup-events was searched instead',
      },
    ]);
  });

  it('files why under the first source’s name when it held nothing asked, never under a region the fallback searched', async () => {
    const athena = source('athena', async (query) =>
      query.accessKeyIds.map((key) =>
        summaryFor(key, {
          source: 'athena',
          regions: {
            searched: [],
            failed: [{ region: 'us-east-1', error: 'the table holds no partition for this region' }],
          },
        }),
      ),
    );

    const [summary] = await withFallback(athena.source, lookup().source, { now: () => 0 }).summarize(QUERY);

    expect(summary?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [
        {
          region: 'athena',
          error: 'us-east-1: the table holds no partition for this region; lookup-events was searched instead',
        },
      ],
    });
  });

  it('reads from the fallback when the first source throws, and keeps to it for the later reads', async () => {
    const athena = source('athena', async () => {
      throw new Error('no table');
    });
    const both = withFallback(athena.source, lookup().source);

    const [summary] = await both.summarize(QUERY);
    const [later] = await both.summarize(QUERY);

    const note = { region: 'athena', error: 'Error: no table; lookup-events was searched instead' };
    expect(summary?.regions.failed).toEqual([note]);
    expect(later?.regions.failed).toEqual([note]);
    expect(athena.asked).toHaveLength(1);
  });

  it('does not fall back from a stop the user asked for', async () => {
    const athena = source('athena', async () => {
      throw new InterruptedError('Stopped the Athena query q-1.');
    });
    const fallback = lookup();

    await expect(withFallback(athena.source, fallback.source).summarize(QUERY)).rejects.toBeInstanceOf(
      InterruptedError,
    );
    expect(fallback.asked).toHaveLength(0);
  });
});
