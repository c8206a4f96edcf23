import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLogFiles } from '../../../../src/activity/log-files/log-files.js';
import { forEachConcurrently } from '../../../../src/common/bounded-concurrency.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';

describe('forEachConcurrently', () => {
  it('runs at most `limit` tasks at once and pulls items only as tasks finish', async () => {
    let pulled = 0;
    let finished = 0;
    let running = 0;
    let mostRunning = 0;
    let mostAhead = 0;
    async function* items() {
      for (let index = 0; index < 2000; index += 1) {
        pulled += 1;
        mostAhead = Math.max(mostAhead, pulled - finished);
        yield index;
      }
    }

    await forEachConcurrently(items(), 8, async (index) => {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((resolve) => setTimeout(resolve, index % 3));
      running -= 1;
      finished += 1;
    });

    expect(finished).toBe(2000);
    expect(mostRunning).toBe(8);
    expect(mostAhead).toBeLessThanOrEqual(8);
  });

  it('waits for the running tasks, stops pulling, and throws the first error', async () => {
    const done: number[] = [];
    let pulled = 0;
    async function* items() {
      for (let index = 0; index < 100; index += 1) {
        pulled += 1;
        yield index;
      }
    }

    const run = forEachConcurrently(items(), 4, async (index) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (index === 5) throw new Error('task 5 failed');
      done.push(index);
    });

    await expect(run).rejects.toThrow('task 5 failed');
    expect(pulled).toBeLessThan(12);
    const settled = done.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(done.length).toBe(settled);
  });
});

/*
 * Heap after a full collection, sampled while files are being read: it holds what is counted and
 * the files in flight. Reading four times the files (the same events, delivered again) must not
 * raise it by anything like the size of the extra files (some 60 MB of parsed records here).
 */
describe('readLogFiles memory', () => {
  let root: string;
  let collect: () => void;

  beforeAll(async () => {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
    root = await mkdtemp(join(tmpdir(), 'log-files-memory-'));
    const records = loadInvictusRecords();
    const texts = Array.from({ length: 8 }, (_, part) =>
      JSON.stringify({ Records: records.filter((_, index) => index % 8 === part) }),
    );
    for (const [folder, copies] of [
      ['small', 2],
      ['large', 8],
    ] as const)
      for (let copy = 0; copy < copies; copy += 1) {
        await mkdir(join(root, folder, `copy-${copy}`), { recursive: true });
        for (const [part, text] of texts.entries())
          await writeFile(
            join(root, folder, `copy-${copy}`, `218007301253_CloudTrail_us-east-1_20230710T1145Z_c${part}.json`),
            text,
          );
      }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function peakHeap(folder: string) {
    let peak = 0;
    collect();
    const result = await readLogFiles(
      {},
      {
        location: join(root, folder),
        accessKeyIds: [INVICTUS_KEY],
        window: INVICTUS_WINDOW,
        concurrency: 2,
        onProgress: (progress) => {
          if (progress.filesRead % 4 === 0) {
            collect();
            peak = Math.max(peak, process.memoryUsage().heapUsed);
          }
        },
      },
    );
    return { peak, files: result.files.read, events: result.summaries[0]?.totalEvents };
  }

  it('does not grow with the number of files read', async () => {
    const small = await peakHeap('small');
    const large = await peakHeap('large');

    expect(small).toMatchObject({ files: 16, events: 2104 });
    expect(large).toMatchObject({ files: 64, events: 2104 });
    expect(large.peak - small.peak).toBeLessThan(16 * 1024 * 1024);
  });
});
