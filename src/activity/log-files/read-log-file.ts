import { CompactDeliveryScanner, type DeliveryContent } from './compact-delivery-scanner.js';
import type { CountedEventId } from './counted-event-ids.js';
import { decodedChunks } from './decoded-chunks.js';
import { parseDelivery } from './delivery-parser.js';
import { FREE_TEXT_BYTES, type LargeTextTurns } from './large-text-turns.js';
import type { LogFileRef } from './log-file-ref.js';
import { recipientAccountOf } from './recipient-account.js';
import type { WantedKeys } from './wanted-keys.js';

/** What reading one log file gave. A file counts wholly or not at all: a failed one gives no records. */
export type LogFileOutcome =
  /** `recipient`: the account its records were received by, when they say (see recipientAccountOf). */
  | ({ kind: 'read'; recipient?: string | null } & DeliveryContent)
  /** Valid JSON without a `Records` array: a digest or another document. */
  | { kind: 'not-a-delivery' }
  | { kind: 'failed'; reason: string };

/** Options of {@link readLogFile}. */
export interface ReadLogFileOptions {
  /** Whether to list the `awsRegion` of the file's records (when its path names no region). */
  collectRegions: boolean;
  /** Told how many stored bytes were read, as they are. */
  onBytes: (bytes: number) => void;
  /** The most text the file may hold, once inflated; a file that holds more fails, with the reason. */
  maxFileBytes: number;
  /** Shared by the files read at once, so that one at a time holds more than a few MiB of text. */
  largeText?: LargeTextTurns;
  /** Whether a record's event id was counted already: then it need not be parsed. */
  alreadyCounted?: CountedEventId;
}

/** The last chunk of a file's text read, where its last record's recipient is. */
interface LastChunk {
  text: Buffer | null;
}

/** Keeps the text a file holds in check: past {@link FREE_TEXT_BYTES}, it waits for its turn. */
class TextHeld {
  readonly #turns: LargeTextTurns | undefined;
  #giveBack: (() => void) | null = null;

  constructor(turns: LargeTextTurns | undefined) {
    this.#turns = turns;
  }

  async holding(bytes: number): Promise<void> {
    if (this.#turns && !this.#giveBack && bytes > FREE_TEXT_BYTES) this.#giveBack = await this.#turns.take();
  }

  release(): void {
    this.#giveBack?.();
  }
}

async function collect(
  file: LogFileRef,
  options: ReadLogFileOptions,
  held: TextHeld,
  last: LastChunk,
): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of decodedChunks(file.open(), { onBytes: options.onBytes, maxBytes: options.maxFileBytes })) {
    last.text = chunk;
    chunks.push(chunk);
    bytes += chunk.length;
    await held.holding(bytes);
  }
  return chunks;
}

async function contentOf(
  file: LogFileRef,
  wanted: WantedKeys,
  options: ReadLogFileOptions,
  held: TextHeld,
  last: LastChunk,
): Promise<DeliveryContent | null> {
  const scanner = new CompactDeliveryScanner(wanted, options.collectRegions, {
    alreadyCounted: options.alreadyCounted,
  });
  let whole: Buffer[] | null = null;
  let wholeBytes = 0;
  let readAgain = false;
  const decode = { onBytes: options.onBytes, maxBytes: options.maxFileBytes };
  for await (const chunk of decodedChunks(file.open(), decode)) {
    last.text = chunk;
    if (whole) {
      whole.push(chunk);
      wholeBytes += chunk.length;
    } else if (!scanner.push(chunk)) {
      if (scanner.kept) {
        whole = [...scanner.kept];
        wholeBytes = scanner.heldBytes;
      } else {
        readAgain = true;
        break;
      }
    }
    await held.holding(whole ? wholeBytes : scanner.heldBytes);
  }
  if (!whole && !readAgain) {
    const content = scanner.end();
    if (content) return content;
    if (scanner.kept) whole = scanner.kept;
  }
  whole ??= await collect(file, options, held, last);
  return parseDelivery(Buffer.concat(whole), wanted, options.collectRegions);
}

/** Why a file could not be read, inflated or parsed, as the failed-files list says it. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Reads one log file (gzipped or not) and finds the records made with the wanted keys: compact
 * CloudTrail deliveries record by record, anything else parsed whole. The text it holds is
 * bounded by `maxFileBytes`, and past a few MiB waits for its turn (see {@link LargeTextTurns}).
 * Never throws: a file that cannot be read, inflated or parsed, or that holds more text than
 * `maxFileBytes`, is a failed outcome with the reason.
 */
export async function readLogFile(
  file: LogFileRef,
  wanted: WantedKeys,
  options: ReadLogFileOptions,
): Promise<LogFileOutcome> {
  const held = new TextHeld(options.largeText);
  const last: LastChunk = { text: null };
  try {
    const content = await contentOf(file, wanted, options, held, last);
    // A chunk's end may cut the field: then the file's path alone names its account.
    const recipient = last.text && recipientAccountOf(last.text);
    if (!content) return { kind: 'not-a-delivery' };
    return recipient ? { kind: 'read', ...content, recipient } : { kind: 'read', ...content };
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error) };
  } finally {
    held.release();
  }
}
