import { codePointLength, cutEnd } from '../common/untrusted-text.js';

/** Room for the note `cutEnd` adds ("… (999,999,999 more characters)"). */
const NOTE_ROOM = 32;

/** `text` cut at the end, with its note, so that the whole holds at most `max` code points: for hard limits. */
export function fitWithin(text: string, max: number): string {
  return codePointLength(text) <= max ? text : cutEnd(text, Math.max(1, max - NOTE_ROOM));
}

/**
 * `text` cut at a code point so that, with `note` after it, it holds at most `maxBytes` bytes of
 * UTF-8; whole when it fits. For limits counted in bytes (an SNS message), where a cut may fall anywhere.
 */
export function fitBytes(text: string, maxBytes: number, note: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const room = Math.max(0, maxBytes - encoder.encode(note).length);
  // encodeInto writes whole characters only: what it read ends at a code point.
  const { read } = encoder.encodeInto(text, new Uint8Array(room));
  return `${text.slice(0, read)}${note}`;
}
