import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  SharedEventIds,
  SharedEventIdsFullError,
  sharedEventIdsMemory,
} from '../../../../../src/activity/log-files/workers/shared-event-ids.js';

describe('SharedEventIds', () => {
  it('adds an id once per key, and tells which it holds', () => {
    const ids = new SharedEventIds(sharedEventIdsMemory(1024, 64 * 1024));
    // Astral-plane and odd-length text, a lone surrogate, and ids that differ in one code unit only.
    const tricky = ['a', 'ab', 'abc', '😀', 'x😀y', '\ud800', 'é', 'e\u0301', '0123456789abcdef0123456789abcdef01'];

    expect(tricky.map((id) => ids.add(0, id))).toEqual(tricky.map(() => true));
    expect(tricky.map((id) => ids.add(0, id))).toEqual(tricky.map(() => false));
    expect(tricky.map((id) => ids.has(0, id))).toEqual(tricky.map(() => true));
    expect(ids.has(1, 'a')).toBe(false);
    expect(ids.add(1, 'a')).toBe(true);
    expect(ids.has(0, 'abd')).toBe(false);
    expect(ids.has(0, '😁')).toBe(false);
    expect(ids.forKey(2).add('a')).toBe(true);
    expect(ids.forKey(2).has('a')).toBe(true);
  });

  it('stays exact when every id falls in one bucket', () => {
    const ids = new SharedEventIds(sharedEventIdsMemory(1, 1024 * 1024));
    const all = Array.from({ length: 2000 }, () => randomUUID());

    const added = all.map((id) => ids.add(0, id));
    const again = all.map((id) => ids.add(0, id));

    expect(added.every(Boolean)).toBe(true);
    expect(again.some(Boolean)).toBe(false);
  });

  it('says when it is full, rather than lose an id', () => {
    const ids = new SharedEventIds(sharedEventIdsMemory(16, 1024));
    let added = 0;

    expect(() => {
      for (;;) if (ids.add(0, randomUUID())) added += 1;
    }).toThrow(SharedEventIdsFullError);
    // 1,024 bytes hold 11 entries of a 36-character id (88 bytes each) after the first word.
    expect(added).toBe(11);
  });

  it('gives each id to exactly one of the threads that add it at once', async () => {
    const memory = sharedEventIdsMemory(64, 16 * 1024 * 1024);
    const ids = Array.from({ length: 20_000 }, (_, index) => `event-${index}-${randomUUID()}`);
    // Four threads add the same ids, each in its own order, starting together.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { code, memory, ids, order, start } = workerData;
      const { SharedEventIds } = eval(code);
      const set = new SharedEventIds(memory);
      const mine = order === 0 ? ids : order === 1 ? [...ids].reverse() : ids.filter((_, i) => i % 2 === order % 2).concat(ids);
      Atomics.wait(new Int32Array(start), 0, 0);
      parentPort.postMessage(mine.filter((id) => set.add(0, id)));`;
    const code = await bundledSharedEventIds();
    const start = new SharedArrayBuffer(4);
    const threads = [0, 1, 2, 3].map(
      (order) => new Worker(source, { eval: true, workerData: { code, memory, ids, order, start } }),
    );
    const answers = threads.map(
      (thread) => new Promise<string[]>((resolve, reject) => thread.once('message', resolve).once('error', reject)),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);

    const won = (await Promise.all(answers)).flat();
    await Promise.all(threads.map((thread) => thread.terminate()));

    expect(won).toHaveLength(ids.length);
    expect(new Set(won).size).toBe(ids.length);
    const here = new SharedEventIds(memory);
    expect(ids.every((id) => here.has(0, id))).toBe(true);
  });
});

/** The module as a CommonJS expression a worker can evaluate (its source is TypeScript). */
async function bundledSharedEventIds(): Promise<string> {
  const { build } = await import('esbuild');
  const output = await build({
    entryPoints: [
      new URL('../../../../../src/activity/log-files/workers/shared-event-ids.ts', import.meta.url).pathname,
    ],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'shared',
    platform: 'node',
    logLevel: 'silent',
  });
  return `${output.outputFiles[0]?.text}; shared`;
}
