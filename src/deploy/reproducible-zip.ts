import { zipSync } from 'fflate';

/**
 * The zip format stores local date and time fields: a Date built from local fields, at each call (the
 * time zone may change), writes the same bytes in every time zone. 1980 is the earliest year it holds.
 */
function fixedModificationTime(): Date {
  return new Date(1980, 0, 1, 12, 0, 0);
}

// Regular file, rw-r--r--, in the upper half of the external attributes, as Unix zip tools write it.
const FILE_ATTRIBUTES = 0o100644 * 0x10000;
const UNIX = 3;

/**
 * Zips `files` (name → bytes) so that the same files give the same bytes: entries sorted by name,
 * fixed modification time, fixed permissions, fixed compression level.
 */
export function zipReproducibly(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const names = [...files.keys()].sort();
  const mtime = fixedModificationTime();
  return zipSync(
    Object.fromEntries(
      names.map((name) => [
        name,
        [files.get(name) as Uint8Array, { mtime, os: UNIX, attrs: FILE_ATTRIBUTES, level: 9 }],
      ]),
    ),
  );
}
