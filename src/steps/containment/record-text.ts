/*
 * The text exposed-keys leaves on a user (the tag `exposed-keys/contained/<key>`, see
 * actions.ts), written and read here only: `deactivated <time> delete at <time>`, `deleted <time>`,
 * `deleted as scheduled <time>`, `found inactive <time>`, `released <time> left inactive|active`, `reactivated <time>`. IAM takes
 * no comma in a tag's value (letters, digits, spaces and `_.:/=+-@` only); records written before
 * that rule was followed had one after the time, and are still read.
 */

import type { ContainmentMode } from './containment-modes.js';

/** The record of a containment: what was done (`deleted`, `deactivated`, `found inactive`), when, and the deletion due. */
export function containmentRecord(what: string, at: Date, deleteAt?: string | null): string {
  return `${what} ${at.toISOString()}${deleteAt ? ` delete at ${deleteAt}` : ''}`;
}

/** The record of a release: reactivated (a false alarm), or left as it was found. */
export function releaseRecord(at: Date, options: { reactivated: boolean; active: boolean }): string {
  return options.reactivated
    ? `reactivated ${at.toISOString()}`
    : `released ${at.toISOString()} left ${options.active ? 'active' : 'inactive'}`;
}

/** True when the record is of a release: no scheduled deletion may follow it. */
export function isReleaseRecord(record: string): boolean {
  return /^(released|reactivated) /.test(record);
}

/**
 * Whether the deletion of a key exposed-keys contained before (its record `earlier`) is still to be
 * scheduled: deactivate-then-delete, and the record names none (scheduling failed then). A release
 * is a person's decision that the key stays: nothing is scheduled after one.
 */
export function deletionUnscheduled(mode: ContainmentMode, earlier: string): boolean {
  return mode === 'deactivate-then-delete' && !isReleaseRecord(earlier) && deletionDueIn(earlier) === null;
}

/** The deletion a record schedules (`… delete at <time>`), if any. */
export function deletionDueIn(record: string): string | null {
  return record.match(/ delete at (\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/)?.[1] ?? null;
}

/** True when the record says the key was usable since exposed-keys contained it (reactivated, or released active). */
export function usableSince(record: string): boolean {
  return record.startsWith('reactivated') || record.endsWith(' left active');
}

/** The time a record begins with, if any (strictly: a day that does not exist is none). */
export function recordTime(record: string | null): string | null {
  const time = record?.match(/^[a-z ]+ (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z)(?:,| |$)/)?.[1];
  if (time === undefined) return null;
  // Date.parse rolls a day that does not exist (02-30) over into the next month: such a time is none.
  const parsed = new Date(time);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === time.slice(0, 19) ? time : null;
}
