import { codePointLength, cutEnd } from '../common/untrusted-text.js';

/** Room for the note `cutEnd` adds ("… (999,999,999 more characters)"). */
const NOTE_ROOM = 32;

/** `text` cut at the end, with its note, so that the whole holds at most `max` code points: for hard limits. */
export function fitWithin(text: string, max: number): string {
  return codePointLength(text) <= max ? text : cutEnd(text, Math.max(1, max - NOTE_ROOM));
}
