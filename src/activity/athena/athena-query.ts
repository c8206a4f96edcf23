import {
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { AthenaApi } from '../../aws/narrow-clients.js';
import type { Sleep } from '../../common/sleep.js';
import { ATHENA_PRICE } from '../../constants.js';
import { AthenaQueryError, describeError, InterruptedError } from '../../errors.js';
import type { ActivityProgress } from '../activity-source.js';
import type { ParameterizedSql } from './activity-sql.js';

/** Progress of a running Athena query. */
export type QueryProgress = Extract<ActivityProgress, { kind: 'query' }>;

/** What {@link runAthenaQuery} needs. */
export interface AthenaQueryDeps {
  athena: AthenaApi;
  sleep?: Sleep;
  now?: () => number;
}

/** Where and how a query runs. */
export interface AthenaQueryOptions {
  /** The workgroup (its settings, such as the bytes-scanned limit and the results location, apply). */
  workgroup?: string;
  /** Where Athena writes the results (`s3://…/`), when the workgroup does not say. */
  outputLocation?: string;
  /** Epoch milliseconds at which a query still running is stopped and counted as failed. */
  deadline?: number;
  /** When it aborts, the running query is stopped and {@link InterruptedError} thrown. */
  signal?: AbortSignal;
  /** Time between two looks at the query's state (default 1 s). */
  pollMs?: number;
  onProgress?: (progress: QueryProgress) => void;
  /**
   * Told what the query cost once it ends: as soon as Athena has answered it, before its rows are
   * read (so that a query whose rows cannot be read is still counted), or when it was cancelled or
   * stopped (deadline, Ctrl-C), with what it had scanned by then. Not for a failed query.
   */
  onEnded?: (statistics: QueryStatistics) => void;
}

/** What a query cost, as Athena reported it. */
export interface QueryStatistics {
  queryExecutionId: string;
  state: string;
  bytesScanned: number;
  /** The price of the bytes scanned at Athena's published price ({@link ATHENA_PRICE}). */
  estimatedCostUsd: number;
  elapsedMs: number;
  /**
   * The object Athena writes the query's results to (`s3://…/<id>.csv`), as it names it: every
   * query writes one, a dry run's too. Absent when Athena names none (a workgroup whose results
   * Athena manages itself).
   */
  outputLocation?: string;
}

/** A query's answer: one object per row, each value as text, and what it cost. */
export interface QueryAnswer {
  rows: Record<string, string | null>[];
  statistics: QueryStatistics;
}

/** The price of a query that scanned `bytes`, as Athena bills it: per megabyte, 10 MB at least. */
export function queryCostUsd(bytes: number): number {
  const billed = Math.max(
    Math.ceil(bytes / ATHENA_PRICE.roundedToBytes) * ATHENA_PRICE.roundedToBytes,
    ATHENA_PRICE.minimumBytes,
  );
  return (billed / ATHENA_PRICE.bytesPerTerabyte) * ATHENA_PRICE.usdPerTerabyte;
}

/** An execution parameter as Athena takes it: a SQL literal, quotes doubled. */
export function executionParameter(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(sleep: Sleep | undefined, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (sleep) return sleep(ms);
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Sends one call; a failure becomes the typed error of that operation. */
async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toAwsCallError(operation, error);
  }
}

async function stop(athena: AthenaApi, queryExecutionId: string): Promise<string | undefined> {
  try {
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId }));
    return undefined;
  } catch (error) {
    return describeError(toAwsCallError('athena:StopQueryExecution', error));
  }
}

/**
 * The query's state. When Athena stops answering about it (expired credentials, throttling), the
 * query is stopped before the error is passed on, so that it does not go on scanning unwatched.
 */
async function stateOf(athena: AthenaApi, id: string): Promise<GetQueryExecutionCommandOutput> {
  try {
    return await call('athena:GetQueryExecution', () =>
      athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
    );
  } catch (error) {
    const failure = await stop(athena, id);
    if (!failure) throw error;
    throw new AthenaQueryError(
      id,
      'UNKNOWN',
      `${describeError(error)}; stopping the Athena query ${id} failed too, so it may still run: ${failure}`,
      { hint: `Stop it with: aws athena stop-query-execution --query-execution-id ${id}` },
    );
  }
}

async function readRows(athena: AthenaApi, queryExecutionId: string): Promise<Record<string, string | null>[]> {
  const rows: Record<string, string | null>[] = [];
  let columns: string[] | undefined;
  let nextToken: string | undefined;
  do {
    const page: GetQueryResultsCommandOutput = await call('athena:GetQueryResults', () =>
      athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: nextToken, MaxResults: 1000 }),
      ),
    );
    const pageRows = page.ResultSet?.Rows ?? [];
    // The first row of a SELECT's first page repeats the column names.
    const first = columns === undefined;
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => column.Name ?? '');
    for (const [index, row] of pageRows.entries()) {
      if (first && index === 0) continue;
      const values = row.Data ?? [];
      rows.push(Object.fromEntries(columns.map((name, column) => [name, values[column]?.VarCharValue ?? null])));
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return rows;
}

/**
 * Every page of a finished query's answer. A page that cannot be read loses the answer, not the
 * query: the error names it, so that its results can still be read, and what it cost.
 */
async function readAnswer(athena: AthenaApi, statistics: QueryStatistics): Promise<Record<string, string | null>[]> {
  const id = statistics.queryExecutionId;
  try {
    return await readRows(athena, id);
  } catch (error) {
    throw new AthenaQueryError(
      id,
      statistics.state,
      `Athena query ${id} succeeded, but its results could not be read: ${describeError(error)}`,
      { hint: `Read them with: aws athena get-query-results --query-execution-id ${id}`, cause: error },
    );
  }
}

function statisticsOf(execution: QueryExecution | undefined, id: string, elapsedMs: number): QueryStatistics {
  const bytesScanned = execution?.Statistics?.DataScannedInBytes ?? 0;
  const outputLocation = execution?.ResultConfiguration?.OutputLocation;
  return {
    queryExecutionId: id,
    state: execution?.Status?.State ?? 'UNKNOWN',
    bytesScanned,
    estimatedCostUsd: queryCostUsd(bytesScanned),
    elapsedMs,
    ...(outputLocation ? { outputLocation } : {}),
  };
}

/**
 * Runs one query in Athena: starts it with its parameters, reports its state, bytes scanned and
 * time while it runs, then reads every page of its answer. A query that fails or is cancelled, or
 * whose answer cannot be read, throws {@link AthenaQueryError}; one still running at the deadline,
 * or when the signal aborts, is stopped first (StopQueryExecution), so that it stops scanning and
 * costing. What a query cost is told (`onEnded`) however it ends, except when it failed, which
 * Athena does not bill.
 */
export async function runAthenaQuery(
  deps: AthenaQueryDeps,
  query: ParameterizedSql,
  options: AthenaQueryOptions = {},
): Promise<QueryAnswer> {
  const { athena } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  if (options.signal?.aborted) throw new InterruptedError('Stopped before the Athena query started.');
  const start = await call('athena:StartQueryExecution', () =>
    athena.send(
      new StartQueryExecutionCommand({
        QueryString: query.sql,
        ...(query.parameters.length > 0 ? { ExecutionParameters: query.parameters.map(executionParameter) } : {}),
        ...(options.workgroup ? { WorkGroup: options.workgroup } : {}),
        ...(options.outputLocation ? { ResultConfiguration: { OutputLocation: options.outputLocation } } : {}),
      }),
    ),
  );
  const id = start.QueryExecutionId;
  if (!id) throw new AthenaQueryError(undefined, 'UNKNOWN', 'Athena started the query but gave no execution id.');

  let last: QueryStatistics | undefined;
  for (;;) {
    let answer: GetQueryExecutionCommandOutput;
    try {
      answer = await stateOf(athena, id);
    } catch (error) {
      // Stopped unwatched: it scanned at least what it was last seen to.
      if (last) options.onEnded?.(last);
      throw error;
    }
    const execution = answer.QueryExecution;
    const statistics = statisticsOf(execution, id, now() - started);
    last = statistics;
    options.onProgress?.({
      kind: 'query',
      queryExecutionId: id,
      state: statistics.state,
      bytesScanned: statistics.bytesScanned,
      elapsedMs: statistics.elapsedMs,
    });
    const state = statistics.state;
    if (state === 'SUCCEEDED') {
      options.onEnded?.(statistics);
      return { rows: await readAnswer(athena, statistics), statistics };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      // Athena bills a cancelled query (a workgroup's limit cancels it too) for what it scanned.
      if (state === 'CANCELLED') options.onEnded?.(statistics);
      const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage;
      throw new AthenaQueryError(
        id,
        state,
        `Athena query ${id} ${state.toLowerCase()}: ${reason ?? 'no reason given'}`,
      );
    }
    if (options.signal?.aborted) {
      const failure = await stop(athena, id);
      options.onEnded?.(statistics);
      throw new InterruptedError(
        failure ? `Stopped; the Athena query ${id} may still run: ${failure}` : `Stopped the Athena query ${id}.`,
        failure ? { hint: `Stop it with: aws athena stop-query-execution --query-execution-id ${id}` } : {},
      );
    }
    if (options.deadline !== undefined && now() >= options.deadline) {
      const failure = await stop(athena, id);
      options.onEnded?.(statistics);
      throw new AthenaQueryError(
        id,
        'TIMED_OUT',
        `Athena query ${id} was still ${state} when the time to investigate ran out, so it was stopped${failure ? ` (the stop failed: ${failure})` : ''}.`,
      );
    }
    await pause(deps.sleep, options.pollMs ?? 1_000, options.signal);
  }
}
