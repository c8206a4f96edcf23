import { InvalidInputError } from '../../errors.js';
import { hasKeyIdShape } from '../../incident/access-key-id.js';

/** The access keys a search looks for, as ids and as the bytes to find them in raw log text. */
export interface WantedKeys {
  ids: ReadonlySet<string>;
  /**
   * Each id's bytes: an id is plain ASCII, and CloudTrail writes it unescaped. (Text written with
   * `\uXXXX` escapes can hide one: a scanner must look at such records too.)
   */
  patterns: readonly Buffer[];
}

/**
 * The keys to look for, checked.
 *
 * @throws InvalidInputError when no key is given or one is not an access key id.
 */
export function wantedKeys(accessKeyIds: readonly string[]): WantedKeys {
  if (accessKeyIds.length === 0) throw new InvalidInputError('accessKeyIds', 'At least one access key id is needed.');
  for (const id of accessKeyIds)
    if (!hasKeyIdShape(id))
      throw new InvalidInputError(
        'accessKeyIds',
        `${JSON.stringify(id)} is not an access key id (16 to 128 letters and digits).`,
      );
  const ids = new Set(accessKeyIds);
  return { ids, patterns: [...ids].map((id) => Buffer.from(id, 'latin1')) };
}
