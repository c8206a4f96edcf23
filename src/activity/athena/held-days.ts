import { shownValue } from '../../common/untrusted-text.js';
import type { TimeWindow } from '../activity-summary.js';
import type { TableLayout } from './activity-sql.js';
import type { Unsearched } from './read-scope.js';

const DAY_MS = 86_400_000;
/**
 * CloudTrail delivers most events within 15 minutes: those of a day's last minutes are in the next
 * day's folder, so a table without that folder cannot vouch for them.
 */
const DELIVERY_MARGIN_MS = 15 * 60_000;

/** A fixed end of a range, in the date partition's `yyyy/MM/dd`. */
const FIXED = /^(\d{4})\/(\d{2})\/(\d{2})$/;
/** A relative end, as AWS's partition projection documents it: `NOW`, `NOW-3YEARS`, `NOW+1DAY`. */
const RELATIVE = /^NOW\s*(?:([+-])\s*(\d+)\s*(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?\s*)?$/;

/** The first and the last day a table's date partition holds, each as midnight UTC. */
export interface HeldDays {
  first: Date;
  last: Date;
}

function fixedDay(text: string): Date | undefined {
  const [, year, month, day] = FIXED.exec(text) ?? [];
  if (!year || !month || !day) return undefined;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // 2024/02/30 is no day.
  return date.toISOString().slice(0, 10) === `${year}-${month}-${day}` ? date : undefined;
}

function relativeDay(text: string, now: Date): Date | undefined {
  const match = RELATIVE.exec(text);
  if (!match) return undefined;
  const [, sign, count, unit] = match;
  const at = new Date(now.getTime());
  const by = (sign === '-' ? -1 : 1) * Number(count ?? 0);
  if (unit === 'YEAR' || unit === 'MONTH') {
    // As java.time does (Athena's engine): 31 March less a month is 29 February, not 2 March.
    const months = at.getUTCFullYear() * 12 + at.getUTCMonth() + (unit === 'YEAR' ? 12 * by : by);
    const year = Math.floor(months / 12);
    const month = months - year * 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    at.setUTCFullYear(year, month, Math.min(at.getUTCDate(), lastDay));
  } else if (unit) {
    const ms = { WEEK: 7 * DAY_MS, DAY: DAY_MS, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1_000 }[unit] ?? 0;
    at.setTime(at.getTime() + by * ms);
  }
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/**
 * The days a date partition projected with `range` (`projection.<column>.range`, two ends, both
 * held) holds at `now`: each end a `yyyy/MM/dd` day or a date relative to now (`NOW`,
 * `NOW-3YEARS`). Days are UTC, as CloudTrail's folders are. Undefined when the range cannot be read.
 */
export function heldDays(range: string, now: Date): HeldDays | undefined {
  const ends = range.split(',').map((end) => end.trim());
  if (ends.length !== 2) return undefined;
  const [first, last] = ends.map((end) => fixedDay(end) ?? relativeDay(end, now));
  return first && last && first <= last ? { first, last } : undefined;
}

/** `yyyy/MM/dd` of a midnight UTC. */
function day(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '/');
}

/** What of a window the table holds: the part to read, and the parts it does not hold. */
export type HeldWindow =
  | { window: TimeWindow; cut: boolean; unsearched: Unsearched[] }
  | { window?: undefined; why: (accessKeyId: string) => string };

/**
 * The part of `window` the date partition of `layout` holds, by its projected range: the window
 * itself, or cut to the days held (`cut`), with the days left out as not searched (`(days before
 * 2020/01/01) athena:…`, `(days after …)`), or nothing when the window is outside them. A folder
 * holds the files delivered that day, so the days `first` to `last` hold the events from `first`'s
 * midnight to `last`'s end, less its last minutes, delivered the day after: those are reported as
 * not searched with the days after, once that day has begun (`now`); until then the days held
 * hold every event delivered so far, and a window ending now is read to its end.
 */
export function heldWindow(layout: TableLayout, window: TimeWindow, now: Date, table: string): HeldWindow {
  const held = layout.partitions.date && layout.dateRange ? heldDays(layout.dateRange, now) : undefined;
  if (!held) return { window, cut: false, unsearched: [] };
  const start = held.first;
  const dayAfter = held.last.getTime() + DAY_MS;
  // Before the day after the last has begun its folder holds nothing: every event delivered so far
  // is in the days held (a range ending NOW, read before midnight), and none is left out.
  const end = now.getTime() < dayAfter ? undefined : new Date(dayAfter - DELIVERY_MARGIN_MS);
  const holds = `the table ${table} holds the days ${day(held.first)} to ${day(held.last)} only (projection.${layout.partitions.date}.range is ${shownValue(layout.dateRange ?? '', 60)})`;
  const elsewhere = (key: string, from: Date, to: Date) =>
    `search it with another table, with log files (--logs), or, within the last 90 days, with LookupEvents: exposed-keys investigate --key ${key} --start ${from.toISOString()} --end ${to.toISOString()}`;
  if (window.end < start || (end && window.start >= end))
    return { why: (key) => `${holds}: the window is outside them; ${elsewhere(key, window.start, window.end)}` };
  const unsearched: Unsearched[] = [];
  if (window.start < start)
    unsearched.push({
      region: `(days before ${day(held.first)}) ${table}`,
      why: (key) => `${holds}: ${elsewhere(key, window.start, start)}`,
    });
  if (end && window.end > end)
    unsearched.push({
      region: `(after ${end.toISOString()}) ${table}`,
      why: (key) =>
        `${holds}, and the events of the last 15 minutes of ${day(held.last)} are delivered to the next day's folder: ${elsewhere(key, end, window.end)}`,
    });
  const read = {
    start: new Date(Math.max(window.start.getTime(), start.getTime())),
    end: end && end < window.end ? end : window.end,
  };
  return { window: read, cut: unsearched.length > 0, unsearched };
}
