import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  executionParameter,
  type QueryProgress,
  queryCostUsd,
  runAthenaQuery,
} from '../../../../src/activity/athena/athena-query.js';
import { AthenaQueryError, InterruptedError } from '../../../../src/errors.js';

const athenaMock = mockClient(AthenaClient);
const QUERY = { sql: 'SELECT 1 WHERE x = ?', parameters: ["it's"] };

function execution(state: string, bytes = 0, reason?: string) {
  return {
    QueryExecution: {
      Status: { State: state, ...(reason ? { StateChangeReason: reason } : {}) },
      Statistics: { DataScannedInBytes: bytes },
    },
  } as never;
}

function row(...values: (string | null)[]) {
  return { Data: values.map((value) => (value === null ? {} : { VarCharValue: value })) };
}

const columns = {
  ColumnInfo: [
    { Name: 'facet', Type: 'varchar' },
    { Name: 'events', Type: 'bigint' },
  ],
} as never;

beforeEach(() => {
  athenaMock.reset();
  athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
});

describe('runAthenaQuery', () => {
  it('sends each input as a quoted execution parameter, in the workgroup, never in the text', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athenaMock
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { Rows: [row('facet', 'events')], ResultSetMetadata: columns } });

    await runAthenaQuery({ athena: new AthenaClient({}) }, QUERY, { workgroup: 'wg', outputLocation: 's3://out/x/' });

    expect(athenaMock).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: QUERY.sql,
      ExecutionParameters: ["'it''s'"],
      WorkGroup: 'wg',
      ResultConfiguration: { OutputLocation: 's3://out/x/' },
    });
  });

  it('reports state, bytes and time while the query runs, then reads every page without the header row', async () => {
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING', 5_000_000))
      .resolves(execution('SUCCEEDED', 12_345_678));
    athenaMock
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: { Rows: [row('facet', 'events'), row('total', '3')], ResultSetMetadata: columns },
        NextToken: 't',
      })
      .resolves({ ResultSet: { Rows: [row('eventNames|GetUser', null)], ResultSetMetadata: columns } });
    const progress: QueryProgress[] = [];

    const answer = await runAthenaQuery({ athena: new AthenaClient({}), sleep: async () => {} }, QUERY, {
      onProgress: (report) => progress.push(report),
    });

    expect(progress.map((report) => [report.state, report.bytesScanned])).toEqual([
      ['QUEUED', 0],
      ['RUNNING', 5_000_000],
      ['SUCCEEDED', 12_345_678],
    ]);
    expect(answer.rows).toEqual([
      { facet: 'total', events: '3' },
      { facet: 'eventNames|GetUser', events: null },
    ]);
    expect(answer.statistics).toMatchObject({ queryExecutionId: 'q-1', bytesScanned: 12_345_678 });
    expect(answer.statistics.estimatedCostUsd).toBeCloseTo((13e6 / 1e12) * 5, 12);
  });

  it('names the object Athena wrote the results to, as Athena names it, and none when it names none', async () => {
    const written = 's3://out/x/q-1.csv';
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce({
        QueryExecution: {
          Status: { State: 'SUCCEEDED' },
          Statistics: { DataScannedInBytes: 0 },
          ResultConfiguration: { OutputLocation: written },
        },
      })
      .resolves(execution('SUCCEEDED'));
    athenaMock.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [], ResultSetMetadata: columns } });
    const deps = { athena: new AthenaClient({}) };

    const named = await runAthenaQuery(deps, QUERY, { outputLocation: 's3://out/x/' });
    const unnamed = await runAthenaQuery(deps, QUERY, { workgroup: 'managed' });

    expect(named.statistics.outputLocation).toBe(written);
    expect(unnamed.statistics).not.toHaveProperty('outputLocation');
  });

  it('keeps the id and the cost of a query whose results cannot be read, and says how to read them', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', 400e9));
    athenaMock
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: { Rows: [row('facet', 'events'), row('total', '3')], ResultSetMetadata: columns },
        NextToken: 't',
      })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const ended: string[] = [];

    const failure = runAthenaQuery({ athena: new AthenaClient({}), sleep: async () => {} }, QUERY, {
      onEnded: (statistics) => ended.push(`${statistics.queryExecutionId} ${statistics.bytesScanned}`),
    });

    await expect(failure).rejects.toBeInstanceOf(AthenaQueryError);
    await expect(failure).rejects.toMatchObject({
      queryExecutionId: 'q-1',
      message: expect.stringMatching(/q-1 succeeded, but its results could not be read: .*ThrottlingException/),
      hint: expect.stringContaining('aws athena get-query-results --query-execution-id q-1'),
    });
    expect(ended).toEqual(['q-1 400000000000']);
  });

  it('throws a typed error with Athena’s reason when the query fails', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('FAILED', 0, 'TABLE_NOT_FOUND: line 1'));

    const failure = runAthenaQuery({ athena: new AthenaClient({}), sleep: async () => {} }, QUERY);

    await expect(failure).rejects.toBeInstanceOf(AthenaQueryError);
    await expect(failure).rejects.toThrow(/q-1 failed: TABLE_NOT_FOUND/);
    expect(athenaMock).not.toHaveReceivedCommand(GetQueryResultsCommand);
  });

  it('stops the query when asked to (Ctrl-C), and says so', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING', 1));
    const stop = new AbortController();
    let polls = 0;

    const stopped = runAthenaQuery(
      {
        athena: new AthenaClient({}),
        sleep: async () => {
          polls += 1;
          if (polls === 2) stop.abort();
        },
      },
      QUERY,
      { signal: stop.signal },
    );

    await expect(stopped).rejects.toBeInstanceOf(InterruptedError);
    expect(athenaMock).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-1' });
  });

  it('stops a query still running at the deadline, and fails it as timed out', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    let clock = 0;

    const late = runAthenaQuery(
      {
        athena: new AthenaClient({}),
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      },
      QUERY,
      { deadline: 10_000, pollMs: 1_000 },
    );

    await expect(late).rejects.toMatchObject({ state: 'TIMED_OUT', queryExecutionId: 'q-1' });
    expect(athenaMock).toHaveReceivedCommandTimes(StopQueryExecutionCommand, 1);
  });

  it('tells what a query stopped or cancelled had scanned, which Athena bills, and not a failed one', async () => {
    const ended: number[] = [];
    const onEnded = (statistics: { bytesScanned: number }) => ended.push(statistics.bytesScanned);
    const stop = new AbortController();
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING', 900e9));

    const late = runAthenaQuery({ athena: new AthenaClient({}), now: () => 10_000 }, QUERY, { deadline: 0, onEnded });
    await expect(late).rejects.toMatchObject({ state: 'TIMED_OUT' });
    const ctrlC = async () => stop.abort();
    const interrupted = runAthenaQuery({ athena: new AthenaClient({}), sleep: ctrlC }, QUERY, {
      signal: stop.signal,
      onEnded,
    });
    await expect(interrupted).rejects.toBeInstanceOf(InterruptedError);
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', 300e9, 'Bytes scanned limit was exceeded'));
    const cancelled = runAthenaQuery({ athena: new AthenaClient({}) }, QUERY, { onEnded });
    await expect(cancelled).rejects.toMatchObject({ state: 'CANCELLED' });
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('FAILED', 100e9, 'TABLE_NOT_FOUND'));
    await expect(runAthenaQuery({ athena: new AthenaClient({}) }, QUERY, { onEnded })).rejects.toThrow(/failed/);

    expect(ended).toEqual([900e9, 900e9, 300e9]);
  });

  it('stops a query Athena no longer answers about, so that it does not scan on unwatched', async () => {
    athenaMock
      .on(GetQueryExecutionCommand)
      .rejects(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }));
    athenaMock.on(StopQueryExecutionCommand).resolves({});

    await expect(runAthenaQuery({ athena: new AthenaClient({}) }, QUERY)).rejects.toThrow(/athena:GetQueryExecution/);
    expect(athenaMock).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-1' });

    athenaMock.on(StopQueryExecutionCommand).rejects(new Error('also refused'));
    const failure = runAthenaQuery({ athena: new AthenaClient({}) }, QUERY);
    await expect(failure).rejects.toBeInstanceOf(AthenaQueryError);
    await expect(failure).rejects.toThrow(/may still run: .*also refused/);
  });

  it('turns a refused start into an AWS call error', async () => {
    athenaMock
      .on(StartQueryExecutionCommand)
      .rejects(Object.assign(new Error('WorkGroup is disabled'), { name: 'InvalidRequestException' }));

    await expect(runAthenaQuery({ athena: new AthenaClient({}) }, QUERY)).rejects.toThrow(
      /athena:StartQueryExecution failed: InvalidRequestException/,
    );
  });
});

describe('queryCostUsd', () => {
  it('prices bytes as Athena bills them: USD 5 per TB, per whole MB, 10 MB at least', () => {
    expect(queryCostUsd(0)).toBeCloseTo(0.00005, 12);
    expect(queryCostUsd(1e12)).toBeCloseTo(5, 12);
    expect(queryCostUsd(10e6 + 1)).toBeCloseTo((11e6 / 1e12) * 5, 12);
  });
});

describe('executionParameter', () => {
  it('writes a value as a SQL literal, quotes doubled', () => {
    expect(executionParameter("a'b")).toBe("'a''b'");
  });
});
