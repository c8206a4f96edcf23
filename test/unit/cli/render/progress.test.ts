import { describe, expect, it } from 'vitest';
import { formatBytes, renderActivityProgress } from '../../../../src/cli/render/progress.js';
import { athenaResultsLocation, renderDryRunWrites, renderQueriesReport } from '../../../../src/cli/render/queries.js';

describe('renderActivityProgress', () => {
  it('says which page of which region is being read, for LookupEvents', () => {
    expect(
      renderActivityProgress({ kind: 'pages', accessKeyId: 'AKIAX', region: 'eu-west-1', pages: 3, events: 150 }),
    ).toBe('Investigating AKIAX: eu-west-1 page 3 (150 events)');
  });

  it('says how many files and megabytes were read, for log files', () => {
    expect(
      renderActivityProgress({
        kind: 'files',
        filesRead: 12,
        filesSkipped: 2,
        filesOutsideWindow: 0,
        filesFailed: 0,
        bytes: 3 * 1_048_576,
      }),
    ).toBe('Reading log files: 12 read, 2 skipped, 3.0 MB');
  });

  it('says the state, bytes scanned and time of a running Athena query, and how to stop it', () => {
    expect(
      renderActivityProgress({
        kind: 'query',
        queryExecutionId: 'q-1',
        state: 'RUNNING',
        bytesScanned: 1_234_567_890,
        elapsedMs: 12_400,
      }),
    ).toBe('Athena query running: 1.23 GB scanned, 12 s (Ctrl-C stops it)');
  });
});

describe('formatBytes', () => {
  it('shows bytes in decimal units, as Athena counts them', () => {
    expect([0, 999, 1_000, 22_100_000, 2.2e12].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.00 KB',
      '22.1 MB',
      '2.20 TB',
    ]);
  });
});

describe('renderQueriesReport', () => {
  it('adds up the bytes, time and estimated cost of the queries, with the price and its source', () => {
    const query = (id: string, bytesScanned: number) => ({
      queryExecutionId: id,
      state: 'SUCCEEDED',
      bytesScanned,
      estimatedCostUsd: (Math.max(Math.ceil(bytesScanned / 1e6), 10) * 5) / 1e6,
      elapsedMs: 1_500,
    });

    expect(renderQueriesReport([query('q-1', 22_100_000), query('q-2', 0)])).toBe(
      'Athena scanned 22.1 MB in 2 queries (3.0 s): about USD 0.0002 at USD 5 per TB, 10 MB at least per query (https://aws.amazon.com/athena/pricing/); ids q-1, q-2',
    );
  });
});

describe('what a dry run with Athena wrote', () => {
  const query = (id: string, outputLocation?: string) => ({
    queryExecutionId: id,
    state: 'SUCCEEDED',
    bytesScanned: 0,
    estimatedCostUsd: 0,
    elapsedMs: 100,
    ...(outputLocation ? { outputLocation } : {}),
  });

  it('names every object Athena wrote its query results to', () => {
    expect(
      renderDryRunWrites([query('q-1', 's3://out/x/q-1.csv'), query('q-2', 's3://out/x/q-2.csv')], 's3://out/x/'),
    ).toBe(
      "Dry run: nothing was changed but for Athena's query results, which Athena writes to S3 for every query: s3://out/x/q-1.csv, s3://out/x/q-2.csv.",
    );
  });

  it('says where they were to go when Athena named no object for a query', () => {
    const expected = athenaResultsLocation({ table: { database: 'db', table: 't' }, workgroup: 'wg' });

    expect(expected).toBe('the results location of workgroup wg');
    expect(renderDryRunWrites([query('q-1', 's3://out/q-1.csv'), query('q-2')], expected)).toBe(
      "Dry run: nothing was changed but for Athena's query results, which Athena writes for every query, to the results location of workgroup wg (s3://out/q-1.csv).",
    );
  });

  it('names --athena-output as the place, before any query, unless the workgroup enforces its own', () => {
    expect(athenaResultsLocation({ table: { database: 'db', table: 't' }, outputLocation: 's3://out/x/' })).toBe(
      's3://out/x/ (unless workgroup primary enforces its own)',
    );
  });
});
