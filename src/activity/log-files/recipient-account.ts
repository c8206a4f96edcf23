import { BACKSLASH } from './json-bytes.js';

const FIELD = Buffer.from('"recipientAccountId"', 'latin1');
/** What follows the field's name: white space, a colon, the account's 12 digits in quotes. */
const VALUE = /^[ \t\r\n]*:[ \t\r\n]*"(\d{12})"/;
/** Enough text after the name for its value. */
const VALUE_BYTES = 40;

/**
 * The account that received the last record of a delivery's text (its `recipientAccountId`,
 * the account whose trail recorded it), or null when `text` ends in none.
 *
 * A file's path names an account too, but a copied or renamed file keeps only its records' word:
 * the attack-simulation data set, published with paths of one account, holds records another
 * received. CloudTrail writes `recipientAccountId` near a record's end, after the request and
 * response, so the text is searched from its end, where no value the caller chose precedes it;
 * an occurrence inside a string (escaped quotes) is not taken.
 */
export function recipientAccountOf(text: Buffer): string | null {
  let at = text.lastIndexOf(FIELD);
  while (at >= 0) {
    if (text[at - 1] !== BACKSLASH) {
      const from = at + FIELD.length;
      return VALUE.exec(text.toString('latin1', from, from + VALUE_BYTES))?.[1] ?? null;
    }
    at = at === 0 ? -1 : text.lastIndexOf(FIELD, at - 1);
  }
  return null;
}
