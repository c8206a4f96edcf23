import { createGunzip, type Gunzip, gunzipSync } from 'node:zlib';
import { tooLargeReason } from './max-file-bytes.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

function isGzip(head: Uint8Array): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

async function* counted(
  head: Buffer,
  rest: AsyncIterator<Uint8Array>,
  done: boolean,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (done) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    onBytes(next.value.length);
    yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length);
  }
}

/** Options of {@link decodedChunks}. */
export interface DecodeOptions {
  /** Told how many stored bytes were read, as they are. */
  onBytes: (bytes: number) => void;
  /** The most text bytes the file may hold; decoding stops as soon as it passes them. */
  maxBytes: number;
}

/** Passes `chunks` on, throwing as soon as they add up to more than `maxBytes`. */
async function* capped(chunks: AsyncIterable<Buffer>, maxBytes: number, gzipped: boolean): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > maxBytes) throw new Error(tooLargeReason(maxBytes, gzipped));
    yield chunk;
  }
}

/**
 * The bytes of a file as text bytes: inflated through a zlib stream when they start with the
 * gzip magic number (whatever the file is called), passed through otherwise. Inflating follows
 * the reading of the text (the stream's back-pressure), so a file that would inflate to more
 * than `maxBytes` is stopped there, never inflated further.
 *
 * @throws Error "not valid gzip: …" when the bytes cannot be inflated, "inflates to more than
 * …" (or "holds more than …") when the text passes `maxBytes`, or the reading error.
 */
export async function* decodedChunks(raw: AsyncIterable<Uint8Array>, options: DecodeOptions): AsyncGenerator<Buffer> {
  const { onBytes, maxBytes } = options;
  const iterator = raw[Symbol.asyncIterator]();
  try {
    // Two bytes tell gzip apart; a stream may hand them over one at a time.
    let head: Buffer = Buffer.alloc(0);
    let done = false;
    while (head.length < GZIP_MAGIC.length) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      onBytes(next.value.length);
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length);
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    }
    const source = counted(head, iterator, done, onBytes);
    if (!isGzip(head)) {
      yield* capped(source, maxBytes, false);
      return;
    }
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    // Fed by hand rather than through stream.pipeline: with thousands of small files, pipeline's
    // per-file machinery costs more than the inflating itself.
    void feed(gunzip, source);
    try {
      yield* capped(gunzip, maxBytes, true);
    } catch (error) {
      // The reason a reader of the failed-files list sees: say which layer failed.
      if (isZlibError(error)) throw new Error(`not valid gzip: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  } finally {
    await iterator.return?.();
  }
}

/** Resolves when `stream` wants more input, or is gone (destroyed streams emit no 'drain'). */
function drainedOrClosed(stream: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function feed(gunzip: Gunzip, source: AsyncGenerator<Buffer>): Promise<void> {
  try {
    for await (const chunk of source) {
      if (gunzip.destroyed) return;
      if (!gunzip.write(chunk) && !gunzip.destroyed) await drainedOrClosed(gunzip);
    }
    if (!gunzip.destroyed) gunzip.end();
  } catch (error) {
    gunzip.destroy(error as Error);
  }
}

/**
 * The text bytes of a file held whole: inflated at once when they start with the gzip magic
 * number, as they are otherwise; null when they would inflate to more than `maxBytes` (stream
 * such a file with {@link decodedChunks} instead).
 *
 * @throws Error "not valid gzip: …" when the bytes cannot be inflated.
 */
export function decodedWhole(stored: Buffer, maxBytes: number): Buffer | null {
  if (!isGzip(stored)) return stored;
  try {
    return gunzipSync(stored, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return null;
    if (isZlibError(error)) throw new Error(`not valid gzip: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
