/** What a log-file worker thread is started with (its `workerData`). */
export interface LogFileWorkerData {
  accessKeyIds: string[];
  /** The most text a file may hold, once inflated (see `readLogFiles`). */
  maxFileBytes: number;
}

/** A file for a worker to scan. */
export interface FileRequest {
  path: string;
  /** Whether to list the regions of the file's records (when its path names none). */
  collectRegions: boolean;
}

/**
 * What the main thread sends a worker: files to scan, a batch at a time (a message per file
 * would cost more than many a file).
 */
export interface ScanRequest {
  batch: number;
  files: FileRequest[];
  /**
   * Event ids that every wanted key's summary counted since the worker's last request: records
   * with them need not be packed (they would be dropped as seen).
   */
  counted: string[];
}

/**
 * The text of records, packed end to end: record `i` is `buffer[ends[i - 1] ?? 0, ends[i])`, its
 * event id `buffer[eventIds[2i], eventIds[2i + 1])` (an empty range when unknown). The buffers
 * are transferred to the main thread, not copied.
 */
export interface PackedRecords {
  buffer: ArrayBuffer;
  ends: Uint32Array;
  eventIds: Uint32Array;
}

/** What a worker found in a file. */
export type FileScan =
  /** A compact delivery: its records that mention a wanted key are the batch's next `records`. */
  | { kind: 'compact'; records: number; regions: string[]; bytes: number }
  /** Anything else, or a file too large to hold whole: the main thread reads it, as without workers. */
  | { kind: 'whole' }
  | { kind: 'failed'; reason: string; bytes: number };

/** What a worker sends back for a batch: a scan per file, in order, and their records' text. */
export interface ScannedBatch {
  batch: number;
  files: FileScan[];
  records: PackedRecords;
}
