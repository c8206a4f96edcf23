import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareText } from '../../common/compare-text.js';
import type { ListedEntry } from './log-file-ref.js';

/** The largest chunk read at once: a file is never held whole, however large. */
const CHUNK_BYTES = 1 << 20;

/*
 * Reading alone, the calling thread is the bottleneck (parsing and counting), and every
 * asynchronous fs call costs it a hand-off to the thread pool and back, which with thousands of
 * small files costs more than the reading itself. So the metadata calls (open, fstat, close: quick, from caches) are made
 * synchronously, and only the reads, which wait for a cold disk, go to the pool, where they
 * overlap with the parsing of other files. (fs.createReadStream was slower still: a stream per
 * file costs more than the file.) Measured in bench/investigate-logs.bench.ts.
 */
function readInto(fd: number, buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, 0, buffer.length, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))),
  );
}

/** The bytes of a local file, in chunks of at most 1 MiB, each a fresh buffer. */
export async function* localFileChunks(path: string): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let remaining = size;
    for (;;) {
      // Sized to what is left, so a small file costs one small buffer; size 0 means "unknown".
      const buffer = Buffer.allocUnsafe(remaining > 0 ? Math.min(CHUNK_BYTES, remaining) : CHUNK_BYTES);
      const bytesRead = await readInto(fd, buffer);
      if (bytesRead === 0) return;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      remaining -= bytesRead;
      if (size > 0 && remaining <= 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

type EntryKind = 'folder' | 'file' | 'other';

function kindOf(entry: { isDirectory(): boolean; isFile(): boolean }): EntryKind {
  return entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
}

/**
 * Every regular file under `root` (or `root` itself when it is a file), depth first in name
 * order, following symbolic links once. Sockets, pipes and devices are left out: opening a pipe
 * would wait for a writer. A folder that cannot be listed is yielded as an unlisted part.
 *
 * @throws the error of `stat` when `root` does not exist or cannot be reached.
 */
export async function* listLocalFiles(root: string): AsyncGenerator<ListedEntry> {
  const kind = kindOf(await stat(root));
  if (kind === 'file') yield { path: root, open: () => localFileChunks(root) };
  else if (kind === 'folder') yield* walk(root, new Set<string>());
}

async function* walk(folder: string, visited: Set<string>): AsyncGenerator<ListedEntry> {
  let entries: { name: string; kind: EntryKind; isLink: boolean }[];
  try {
    const real = await realpath(folder);
    if (visited.has(real)) return;
    visited.add(real);
    entries = (await readdir(folder, { withFileTypes: true }))
      .map((entry) => ({ name: entry.name, kind: kindOf(entry), isLink: entry.isSymbolicLink() }))
      .sort((a, b) => compareText(a.name, b.name));
  } catch (error) {
    yield { path: folder, listingError: error };
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    let kind = entry.kind;
    if (entry.isLink) {
      try {
        kind = kindOf(await stat(path));
      } catch (error) {
        yield { path, listingError: error };
        continue;
      }
    }
    if (kind === 'folder') yield* walk(path, visited);
    else if (kind === 'file') yield { path, open: () => localFileChunks(path) };
  }
}
