/** The format of an AWS access key id: a four-letter prefix and 16 base-32 characters. */
export const ACCESS_KEY_ID_PATTERN = /^(AKIA|ASIA)[A-Z2-7]{16}$/;

/** True when `value` is a syntactically valid access key id. */
export function isAccessKeyId(value: string): boolean {
  return ACCESS_KEY_ID_PATTERN.test(value);
}

/**
 * IAM's own constraint on an access key id (16 to 128 word characters), looser than
 * {@link ACCESS_KEY_ID_PATTERN}: log files of real incidents hold ids outside the AKIA/ASIA
 * base-32 shape (anonymised data sets), and searches must still find them. What CloudTrail data
 * names as a key is taken for one only in this shape.
 */
export const KEY_ID_SHAPE = /^\w{16,128}$/;

/** True when `value` has the shape of an access key id (see {@link KEY_ID_SHAPE}). */
export function hasKeyIdShape(value: string): boolean {
  return KEY_ID_SHAPE.test(value);
}

/** True for `ASIA…` keys: temporary credentials, which IAM cannot delete or deactivate. */
export function isTemporaryKey(accessKeyId: string): boolean {
  return accessKeyId.startsWith('ASIA');
}

/** Why `value` is not an access key id, or null when it is one. */
export function accessKeyIdProblem(value: string): string | null {
  if (isAccessKeyId(value)) return null;
  if (isAccessKeyId(value.toUpperCase())) return 'must be upper case (access key ids are AKIA… or ASIA… in capitals)';
  if (value.length !== 20) return `must be 20 characters (AKIA… or ASIA…), got ${value.length}`;
  return 'must match ^(AKIA|ASIA)[A-Z2-7]{16}$';
}
