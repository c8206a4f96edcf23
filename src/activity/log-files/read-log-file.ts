import { CompactDeliveryScanner, type DeliveryContent } from './compact-delivery-scanner.js';
import { decodedChunks } from './decoded-chunks.js';
import { parseDelivery } from './delivery-parser.js';
import type { LogFileRef } from './log-file-ref.js';
import type { WantedKeys } from './wanted-keys.js';

/** What reading one log file gave. A file counts wholly or not at all: a failed one gives no records. */
export type LogFileOutcome =
  | ({ kind: 'read' } & DeliveryContent)
  /** Valid JSON without a `Records` array: a digest or another document. */
  | { kind: 'not-a-delivery' }
  | { kind: 'failed'; reason: string };

/** Options of {@link readLogFile}. */
export interface ReadLogFileOptions {
  /** Whether to list the `awsRegion` of the file's records (when its path names no region). */
  collectRegions: boolean;
  /** Told how many stored bytes were read, as they are. */
  onBytes: (bytes: number) => void;
}

async function collect(file: LogFileRef, onBytes: (bytes: number) => void): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of decodedChunks(file.open(), onBytes)) chunks.push(chunk);
  return chunks;
}

async function contentOf(
  file: LogFileRef,
  wanted: WantedKeys,
  options: ReadLogFileOptions,
): Promise<DeliveryContent | null> {
  const scanner = new CompactDeliveryScanner(wanted, options.collectRegions);
  let whole: Buffer[] | null = null;
  let readAgain = false;
  for await (const chunk of decodedChunks(file.open(), options.onBytes)) {
    if (whole) whole.push(chunk);
    else if (!scanner.push(chunk)) {
      if (scanner.kept) whole = [...scanner.kept];
      else {
        readAgain = true;
        break;
      }
    }
  }
  if (!whole && !readAgain) {
    const content = scanner.end();
    if (content) return content;
    if (scanner.kept) whole = scanner.kept;
  }
  whole ??= await collect(file, options.onBytes);
  return parseDelivery(Buffer.concat(whole), wanted, options.collectRegions);
}

/** Why a file could not be read, inflated or parsed, as the failed-files list says it. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Reads one log file (gzipped or not) and finds the records made with the wanted keys: compact
 * CloudTrail deliveries record by record, anything else parsed whole. Never throws: a file that
 * cannot be read, inflated or parsed is a failed outcome with the reason.
 */
export async function readLogFile(
  file: LogFileRef,
  wanted: WantedKeys,
  options: ReadLogFileOptions,
): Promise<LogFileOutcome> {
  try {
    const content = await contentOf(file, wanted, options);
    return content ? { kind: 'read', ...content } : { kind: 'not-a-delivery' };
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error) };
  }
}
