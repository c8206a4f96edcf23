/** A log file found in a folder or under an S3 prefix, not yet read. */
export interface LogFileRef {
  /** The local path, or `s3://bucket/key`. */
  path: string;
  /** Its bytes as stored (gzipped or not), one chunk at a time; each call reads the file anew. */
  open(): AsyncIterable<Uint8Array>;
}

/** A part of the location that could not be listed, so its files are unknown. */
export interface UnlistedPart {
  path: string;
  listingError: unknown;
}

/** What a listing yields: files, and the parts it could not list (never dropped silently). */
export type ListedEntry = LogFileRef | UnlistedPart;

/** True when `entry` is a part of the location that could not be listed. */
export function isUnlisted(entry: ListedEntry): entry is UnlistedPart {
  return 'listingError' in entry;
}

/** A delivery to read, and the region its path names, if any. */
export interface FileToRead {
  file: LogFileRef;
  region: string | null;
}
