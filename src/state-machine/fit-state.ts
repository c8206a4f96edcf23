import { type ActivitySummary, COUNT_LISTS } from '../activity/activity-summary.js';
import type { Investigation } from '../steps/investigate.js';

/** Step Functions refuses a state over 256 KB; the investigation must leave room for the rest. */
export const MAX_INVESTIGATION_BYTES = 160_000;

function size(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function cut(summary: ActivitySummary, rows: number, risky: number): ActivitySummary {
  const cutLists = Object.fromEntries(COUNT_LISTS.map(({ field }) => [field, summary[field].slice(0, rows)]));
  return { ...summary, ...cutLists, riskyEvents: summary.riskyEvents.slice(-risky) };
}

/**
 * The investigation, small enough to travel in the state machine's state. Only the notification
 * reads it there, and it shows the top rows of each list; the full summary is in the function's
 * log and from `exposed-keys investigate`. Totals, regions and session keys are never cut.
 */
export function fitInvestigation(investigation: Investigation): Investigation {
  if (size(investigation) <= MAX_INVESTIGATION_BYTES) return investigation;
  for (const [rows, risky] of [
    [200, 1000],
    [50, 300],
    [15, 100],
  ] as const) {
    const fitted = {
      activity: cut(investigation.activity, rows, risky),
      sessionActivity: investigation.sessionActivity.map((summary) => cut(summary, Math.min(rows, 10), 20)),
    };
    if (size(fitted) <= MAX_INVESTIGATION_BYTES) return fitted;
  }
  return { activity: cut(investigation.activity, 15, 100), sessionActivity: [] };
}
