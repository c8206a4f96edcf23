import type { QueryStatistics } from '../../activity/athena/athena-query.js';
import { ATHENA_PRICE } from '../../constants.js';
import { formatBytes } from './progress.js';

/** What the Athena queries of an investigation scanned and are estimated to cost, in one line. */
export function renderQueriesReport(queries: readonly QueryStatistics[]): string {
  const bytes = queries.reduce((sum, query) => sum + query.bytesScanned, 0);
  const cost = queries.reduce((sum, query) => sum + query.estimatedCostUsd, 0);
  const seconds = queries.reduce((sum, query) => sum + query.elapsedMs, 0) / 1000;
  const count = queries.length === 1 ? '1 query' : `${queries.length} queries`;
  return `Athena scanned ${formatBytes(bytes)} in ${count} (${seconds.toFixed(1)} s): about USD ${cost.toFixed(4)} at USD ${ATHENA_PRICE.usdPerTerabyte} per TB, 10 MB at least per query (${ATHENA_PRICE.source}); ids ${queries.map((query) => query.queryExecutionId).join(', ')}`;
}
