import type { IncidentRecord } from './incident-record.js';

/**
 * How long the first response may take to record its containment: containment runs first, within
 * its function's minute and the state machine's retries, so a quarter of an hour is ample.
 */
export const RESPONSE_OVERDUE_MS = 15 * 60_000;

/** An ISO 8601 time as exposed-keys writes it (`toISOString`), in ms; null for anything else. */
function readTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return null;
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text ? time : null;
}

/**
 * True when a record's first response may still be running: it has recorded nothing, and began,
 * at a time the record gives and that is not in the future, less than {@link RESPONSE_OVERDUE_MS}
 * before `now`. `now` is taken once the record has answered, so on one clock the opening of the
 * incident always comes before it.
 */
export function responseUnderWay(record: IncidentRecord, now: Date): boolean {
  const opened = readTime(record.openedAt);
  return (
    record.response === undefined &&
    opened !== null &&
    opened <= now.getTime() &&
    now.getTime() - opened <= RESPONSE_OVERDUE_MS
  );
}
