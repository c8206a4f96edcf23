import type { z } from 'zod';
import { InvalidEventError } from '../errors.js';
import { accessKeyIdProblem } from './access-key-id.js';

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

/** Validates an access key id found at `field`, or throws naming that field. */
export function requireAccessKeyId(value: string, field: string): string {
  const problem = accessKeyIdProblem(value);
  if (problem) throw new InvalidEventError(field, problem);
  return value;
}

/** The characters that make text markup rather than a location. */
const MARKUP = /[<>"`]/;

/** True when `text` holds a control character (C0, DEL or C1). */
export function hasControlCharacters(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
/** Longer than any URL a browser accepts; the field is echoed into notifications. */
const MAX_LOCATION_LENGTH = 2048;

/** Validates the place a key was found, or throws naming the field. Empty means unknown. */
export function optionalLocation(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  if (value.length > MAX_LOCATION_LENGTH)
    throw new InvalidEventError(field, `is ${value.length} characters long; at most ${MAX_LOCATION_LENGTH}`);
  if (hasControlCharacters(value) || MARKUP.test(value))
    throw new InvalidEventError(field, 'contains control characters or markup (<, >, ", `)');
  return value.trim();
}

/** Parses an ISO 8601 or RFC 1123 date into ISO 8601, or throws naming the field. */
export function requireDate(value: string, field: string): string {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw new InvalidEventError(field, `is not a date: ${JSON.stringify(value.slice(0, 40))}`);
  return new Date(millis).toISOString();
}

/** Parses a string of epoch milliseconds into ISO 8601, or throws naming the field. */
export function requireEpochMillis(value: string, field: string): string {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidEventError(field, 'must be epoch milliseconds (digits only)');
  return new Date(Number(value)).toISOString();
}
