import type { AccumulatorState } from '../../summarizer.js';
import type { SharedEventIdsMemory } from './shared-event-ids.js';

/** What a log-file worker thread is started with (its `workerData`). */
export interface LogFileWorkerData {
  /** The keys to count, distinct: a key's number in the shared event ids is its place here. */
  accessKeyIds: string[];
  /** The window, in milliseconds since the epoch. */
  window: { startMs: number; endMs: number };
  /** The most text a file may hold, once inflated (see `readLogFiles`). */
  maxFileBytes: number;
  /** The event ids counted by any thread (see SharedEventIds). */
  seen: SharedEventIdsMemory;
}

/** A file for a worker to count. */
export interface FileRequest {
  path: string;
  /** Whether to list the regions of the file's records (when its path names none). */
  collectRegions: boolean;
}

/**
 * What the main thread sends a worker: files to count, a batch at a time (a message per file
 * would cost more than many a file); then, once every file is counted, `finish` for what it
 * counted.
 */
export type WorkerRequest = { kind: 'files'; batch: number; files: FileRequest[] } | { kind: 'finish' };

/** What a thread made of a file. */
export type FileCount =
  /** A delivery, whose records were counted; `recipient`: the account that received them, when they say. */
  | { kind: 'read'; regions: string[]; bytes: number; recipient?: string | null }
  /** Anything else, or a file too large to hold whole: the main thread reads it, as without workers. */
  | { kind: 'whole' }
  | { kind: 'failed'; reason: string; bytes: number };

/** What a worker answers. */
export type WorkerAnswer =
  /** A batch counted: what became of each file, in order. */
  | { kind: 'files'; batch: number; files: FileCount[] }
  /** What it counted, one state per key in the order it was given them. */
  | { kind: 'counted'; states: AccumulatorState[] }
  /** It cannot go on (what it counted is lost). */
  | { kind: 'failed'; reason: string };
