import { REQUEST_PARAMETERS_READ, RESPONSE_ELEMENTS_READ } from '../../resources.js';
import type { WantedKeys } from '../wanted-keys.js';

/*
 * What the module is told (assembly/record-fields.ts): the names of the fields it looks for, by
 * context, and the wanted keys, written into its memory; and how it answers, an entry per record
 * handed over (its span and flags, then each field's span, kind and text id).
 */

/** The summary's fields at the record's own level whose values are text, by the module's field id (0 to 7). */
export const TEXT_FIELDS = [
  'eventID',
  'eventTime',
  'eventName',
  'eventSource',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
] as const;
/** The module's ids of the other fields. */
export const ACCESS_KEY = 8;
export const USER_NAME = 9;
export const REQUEST = 10;
export const RESPONSE = 11;
export const RESOURCES = 12;
const IDENTITY = 13;
/** A name under the request or response that the summary reads. */
const INTERESTING = 100;
const FIELDS = 13;
/** The Int32 words of an entry. */
export const ENTRY_INTS = 3 + 4 * FIELDS;
/** The flag of a record to parse whole. */
export const PARSE_WHOLE = 1;

/** The names the module looks for, by context (the record, its userIdentity, request, response). */
const NAMES: readonly (readonly (readonly [string, number])[])[] = [
  [
    ...TEXT_FIELDS.map((name, field) => [name, field] as const),
    ['requestParameters', REQUEST],
    ['responseElements', RESPONSE],
    ['resources', RESOURCES],
    ['userIdentity', IDENTITY],
  ],
  [
    ['accessKeyId', ACCESS_KEY],
    ['userName', USER_NAME],
  ],
  REQUEST_PARAMETERS_READ.map((name) => [name, INTERESTING] as const),
  RESPONSE_ELEMENTS_READ.map((name) => [name, INTERESTING] as const),
];
const LONGEST_NAME = 31;

/** How many bytes {@link writeTables} may take for `wanted`, at most. */
export function tablesBytes(wanted: WantedKeys): number {
  return 8192 + wanted.patterns.reduce((sum, pattern) => sum + 8 + pattern.length, 4);
}

/** The name table and the wanted keys, as the module reads them, from `at`: returns where they are and end. */
export function writeTables(
  memory: Buffer,
  at: number,
  wanted: WantedKeys,
): { names: number; keys: number; end: number } {
  const names = at;
  let free = names + 4 * NAMES.length * (LONGEST_NAME + 1);
  for (const [context, list] of NAMES.entries())
    for (let length = 0; length <= LONGEST_NAME; length += 1) {
      const same = list.filter(([name]) => name.length === length);
      if (same.length === 0) continue;
      memory.writeInt32LE(free, names + 4 * (context * (LONGEST_NAME + 1) + length));
      memory.writeInt32LE(same.length, free);
      let text = free + 4 + 8 * same.length;
      for (const [index, [name, field]] of same.entries()) {
        memory.writeInt32LE(field, free + 4 + 8 * index);
        memory.writeInt32LE(text, free + 8 + 8 * index);
        text += memory.write(name, text, 'latin1');
      }
      free = text + (-text & 3);
    }
  const keys = free;
  memory.writeInt32LE(wanted.patterns.length, keys);
  let text = keys + 4 + 8 * wanted.patterns.length;
  for (const [index, pattern] of wanted.patterns.entries()) {
    memory.writeInt32LE(text, keys + 4 + 8 * index);
    memory.writeInt32LE(pattern.length, keys + 8 + 8 * index);
    memory.set(pattern, text);
    text += pattern.length;
  }
  return { names, keys, end: text };
}
