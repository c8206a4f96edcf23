import type { QueryStatistics } from '../../activity/athena/athena-query.js';
import { ATHENA_PRICE } from '../../constants.js';
import type { AthenaRequest } from '../options.js';
import { formatBytes } from './progress.js';

/** What the Athena queries of an investigation scanned and are estimated to cost, in one line. */
export function renderQueriesReport(queries: readonly QueryStatistics[]): string {
  const bytes = queries.reduce((sum, query) => sum + query.bytesScanned, 0);
  const cost = queries.reduce((sum, query) => sum + query.estimatedCostUsd, 0);
  const seconds = queries.reduce((sum, query) => sum + query.elapsedMs, 0) / 1000;
  const count = queries.length === 1 ? '1 query' : `${queries.length} queries`;
  return `Athena scanned ${formatBytes(bytes)} in ${count} (${seconds.toFixed(1)} s): about USD ${cost.toFixed(4)} at USD ${ATHENA_PRICE.usdPerTerabyte} per TB, 10 MB at least per query (${ATHENA_PRICE.source}); ids ${queries.map((query) => query.queryExecutionId).join(', ')}`;
}

/**
 * Where Athena will write the results of the queries asked for, before any runs: --athena-output,
 * unless the workgroup enforces its own location, else the workgroup's.
 */
export function athenaResultsLocation(request: AthenaRequest): string {
  const workgroup = `workgroup ${request.workgroup ?? 'primary'}`;
  return request.outputLocation
    ? `${request.outputLocation} (unless ${workgroup} enforces its own)`
    : `the results location of ${workgroup}`;
}

/**
 * What a dry run wrote, said plainly: Athena writes every query's results (no API of Athena runs a
 * query without), so a dry run that investigates with Athena leaves them, and nothing else. Each
 * object is named as Athena named it; `expected`, where the queries were to write, stands for those
 * it named none for.
 */
export function renderDryRunWrites(queries: readonly QueryStatistics[], expected: string): string {
  const named = queries.flatMap((query) => (query.outputLocation ? [query.outputLocation] : []));
  const where =
    named.length === queries.length
      ? `to S3 for every query: ${named.join(', ')}`
      : `for every query, to ${expected}${named.length > 0 ? ` (${named.join(', ')})` : ''}`;
  return `Dry run: nothing was changed but for Athena's query results, which Athena writes ${where}.`;
}
