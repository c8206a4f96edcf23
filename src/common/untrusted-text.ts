/*
 * Text that comes from outside (events, CloudTrail fields, file names, error messages) is shown to
 * people on terminals, in e-mails and in chat. Before it gets there it is made inert (every
 * control, format, invisible and line-breaking character becomes a visible escape, so that no escape sequence,
 * carriage return or bidirectional override acts) and cut to a cap by code point, so that a
 * character outside the Basic Multilingual Plane is never split into half a surrogate pair.
 */

/**
 * Characters that act instead of showing, or hide: every control (C0, C1, DEL) and every format
 * character (Unicode's Cf: the bidirectional marks, embeddings, overrides and isolates, zero-width
 * characters and joiners, the soft hyphen, the invisible tag characters U+E0000–E007F that can carry
 * hidden text), every other default-ignorable character (the variation selectors U+FE00–FE0F and
 * U+E0100–E01EF, which can carry hidden bytes after any character, the combining grapheme joiner,
 * the Hangul fillers), the blank Braille pattern U+2800, line and paragraph separators, and lone
 * surrogates (a half pair makes the whole text invalid UTF-8 for SNS and for most terminals).
 *
 * One exception: a single U+FE0E or U+FE0F right after an emoji picks how that emoji is drawn, and
 * shows as part of it, so it stays. A second one, or one after anything else, hides and is escaped.
 * Joiners (U+200D, Cf) stay escaped even inside an emoji sequence, which then shows as its emoji
 * with `\u200D` between them: rare in these texts, and a joiner anywhere else is invisible.
 */
const ACTIVE =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u2800]|(?![\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}|(?<!\p{Extended_Pictographic})[\uFE0E\uFE0F]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

/** `\x1B`, `\u202E`, `\u{E0041}`: a character as its escape, which shows and does nothing. */
function visible(character: string): string {
  const code = character.codePointAt(0) as number;
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
}

/** `text` with every active character (see above) replaced by its visible escape. */
export function inert(text: string): string {
  return text.replace(ACTIVE, visible);
}

/** How many code points `text` holds (a character outside the BMP counts once). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The first `count` code points of `text`. */
function firstCodePoints(text: string, count: number): string {
  let end = 0;
  let taken = 0;
  for (const character of text) {
    if (taken === count) break;
    end += character.length;
    taken += 1;
  }
  return text.slice(0, end);
}

/** The last `count` code points of `text`. */
function lastCodePoints(text: string, count: number): string {
  if (count <= 0) return '';
  const points = Array.from(text);
  return points.slice(Math.max(0, points.length - count)).join('');
}

/**
 * `text` cut to at most `max` code points at the end, with an ellipsis and how much was left out:
 * for prose (an error message), where the start says the most.
 */
export function cutEnd(text: string, max: number): string {
  const length = codePointLength(text);
  if (length <= max) return text;
  return `${firstCodePoints(text, max)}… (${(length - max).toLocaleString('en-US')} more characters)`;
}

/**
 * `text` cut to at most `max` code points in the middle, keeping its start and its end: for values
 * in a table (user agents, resource names), where what tells two values apart is often at the end,
 * so that distinct values never look the same.
 */
export function cutMiddle(text: string, max: number): string {
  const length = codePointLength(text);
  if (length <= max) return text;
  if (max < 3) return firstCodePoints(text, max);
  const room = max - 1;
  const head = Math.ceil(room / 2);
  return `${firstCodePoints(text, head)}…${lastCodePoints(text, room - head)}`;
}

/** Untrusted text to show in a table cell or a one-line field: inert, then cut in the middle. */
export function shownValue(text: string, max = 120): string {
  return cutMiddle(inert(text), max);
}

/** Untrusted prose to show (an error message): inert, then cut at the end. */
export function shownText(text: string, max = 2_000): string {
  return cutEnd(inert(text), max);
}

/**
 * Untrusted values to show side by side (the rows of a table), each inert and cut in the middle to
 * `max`, and never two alike when the values differ: values that would look the same once cut are
 * shown longer, whole if need be; values still alike once made inert get a mark of their row.
 */
export function shownValues(values: readonly string[], max = 120): string[] {
  const shown = values.map((value) => shownValue(value, max));
  for (let round = 0; round < 3; round += 1) {
    const rows = new Map<string, number[]>();
    for (const [index, text] of shown.entries()) rows.set(text, [...(rows.get(text) ?? []), index]);
    const clashing = [...rows.values()].filter((indexes) => new Set(indexes.map((index) => values[index])).size > 1);
    if (clashing.length === 0) return shown;
    for (const indexes of clashing)
      for (const index of indexes) {
        const value = inert(values[index] as string);
        // Longer each round; the last round shows the whole value.
        shown[index] = round < 2 ? cutMiddle(value, max * 4 ** (round + 1)) : value;
      }
  }
  const seen = new Map<string, number>();
  return shown.map((text) => {
    const count = (seen.get(text) ?? 0) + 1;
    seen.set(text, count);
    return count === 1 ? text : `${text} [${count}]`;
  });
}
