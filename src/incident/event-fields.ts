import type * as z from 'zod';
import { cutEnd, shownValue } from '../common/untrusted-text.js';
import { InvalidEventError } from '../errors.js';
import { accessKeyIdProblem } from './access-key-id.js';
import { userNameProblem } from './user-name.js';

/*
 * An event has two kinds of fields. The few needed to act (the key id, the account) must be valid,
 * or nothing is done. The others only describe the incident (where the key was found, a case id, a
 * time): they are made inert and cut, never a reason to leave a leaked key active. A value that
 * cannot be used is dropped with a note saying so.
 */

/** Turns the first problem zod found into an {@link InvalidEventError} naming the field. */
export function toInvalidEventError(error: z.ZodError): InvalidEventError {
  const issue = error.issues[0];
  if (!issue) return new InvalidEventError('(event)', 'is invalid');
  const field = issue.path.length === 0 ? '(event)' : issue.path.map(String).join('.');
  const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
  return new InvalidEventError(field, missing ? 'is missing' : `is invalid: ${issue.message}`, {
    cause: error,
  });
}

/** Validates an access key id found at `field` (surrounding spaces ignored), or throws naming that field. */
export function requireAccessKeyId(value: string, field: string): string {
  const trimmed = value.trim();
  const problem = accessKeyIdProblem(trimmed);
  if (problem) throw new InvalidEventError(field, `${problem}: ${JSON.stringify(cutEnd(value, 40))}`);
  return trimmed;
}

/** Validates the 12-digit account at `field`, or throws naming it. */
export function requireAccount(value: string, field: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidEventError(field, `must be a 12-digit account id, not ${JSON.stringify(cutEnd(value, 40))}`);
  return value;
}

/** The longest event text kept for display: longer than any URL a browser accepts. */
const MAX_DISPLAY_LENGTH = 2_048;

/** A field that only describes the incident, made inert and cut; null when absent, empty or not text. */
export function displayText(value: unknown, max = MAX_DISPLAY_LENGTH): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  return shownValue(value.trim(), max);
}

/**
 * The IAM user an event names, or null when it names none. A name that is not a valid IAM user
 * name is not used (containment then takes the owner from IAM): a note says so.
 */
export function eventUserName(value: unknown, field: string, notes: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    notes.push(`${field} is not text; the key's owner is taken from IAM.`);
    return null;
  }
  const name = value.trim();
  if (name === '') return null;
  const problem = userNameProblem(name);
  if (problem === null) return name;
  notes.push(`${field} ${problem} (${shownValue(name, 80)}); the key's owner is taken from IAM.`);
  return null;
}

/**
 * The shapes of the dates events carry: ISO 8601 (`2026-11-26T19:40:00Z`) and RFC 1123 (`Thu, 26
 * Nov 2026 19:40:00 GMT`). `Date.parse` reads far more (`"1"` is 2001), which would show a wrong
 * time as the time of detection.
 */
const DATE_SHAPES = [
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/,
  /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(:\d{2})? (GMT|UTC|[+-]\d{4})$/,
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** False for a day its month does not have (`02-30`), which `Date.parse` rolls over into the next month. */
function dayExists(text: string): boolean {
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  const rfc = /^[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4})/.exec(text);
  const [year, month, day] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : rfc
      ? [Number(rfc[3]), MONTHS.indexOf(rfc[2] as string) + 1, Number(rfc[1])]
      : [0, 0, 0];
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses an ISO 8601 or RFC 1123 date into ISO 8601; null (with a note) when it is not one. */
export function eventDate(value: unknown, field: string, notes: string[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'string' ? value.trim() : '';
  const millis = DATE_SHAPES.some((shape) => shape.test(text)) && dayExists(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isNaN(millis)) return new Date(millis).toISOString();
  notes.push(`${field} is not a date (${shownValue(String(value), 40)}).`);
  return null;
}

/**
 * Parses a string of epoch milliseconds into ISO 8601; null (with a note) when it is not one. Fewer
 * than 12 digits would be before March 1973: epoch seconds, most likely, not taken for milliseconds.
 */
export function eventEpochMillis(value: unknown, field: string, notes: string[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && /^\d{12,15}$/.test(value.trim()))
    return new Date(Number(value.trim())).toISOString();
  notes.push(`${field} is not epoch milliseconds (${shownValue(String(value), 40)}).`);
  return null;
}

/** The event id, for the record: any text, made inert and cut to a sane length. */
export function eventId(value: string): string {
  return shownValue(value, 128);
}
