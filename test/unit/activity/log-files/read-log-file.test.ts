import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { LargeTextTurns } from '../../../../src/activity/log-files/large-text-turns.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../../../src/activity/log-files/max-file-bytes.js';
import { readLogFile } from '../../../../src/activity/log-files/read-log-file.js';
import { wantedKeys } from '../../../../src/activity/log-files/wanted-keys.js';
import { INVICTUS_KEY, loadInvictusRecords } from '../../../support/fixtures.js';
import { gzipBomb } from '../../../support/gzip-bomb.js';

const MIB = 1024 * 1024;
const keys = wantedKeys([INVICTUS_KEY]);

/**
 * A file whose stored bytes come in chunks of `chunkBytes`, as from S3, telling how many were
 * pulled and the most Buffer memory (`arrayBuffers`) there was beyond `baseline` at each pull.
 */
function watchedFile(stored: Buffer, chunkBytes: number) {
  const watch = { pulled: 0, mostBuffered: 0, baseline: process.memoryUsage().arrayBuffers };
  return {
    watch,
    file: {
      path: 's3://trail/bomb.json.gz',
      async *open() {
        for (let at = 0; at < stored.length; at += chunkBytes) {
          const buffered = process.memoryUsage().arrayBuffers - watch.baseline;
          watch.mostBuffered = Math.max(watch.mostBuffered, buffered);
          const chunk = Buffer.from(stored.subarray(at, at + chunkBytes));
          watch.pulled += chunk.length;
          yield chunk;
        }
      },
    },
  };
}

describe('readLogFile, a file that inflates to far more than a delivery holds', () => {
  let record: CloudTrailRecord;
  let bomb: Buffer;

  beforeAll(async () => {
    record = loadInvictusRecords().find((candidate) => candidate.userIdentity?.accessKeyId === INVICTUS_KEY)!;
    bomb = await gzipBomb(300, record);
  });

  it('fails it with the reason, as soon as it passes the cap, holding no more than the cap', async () => {
    const { file, watch } = watchedFile(bomb, 16 * 1024);

    const outcome = await readLogFile(file, keys, {
      collectRegions: false,
      onBytes: () => {},
      maxFileBytes: MIB,
    });

    expect(outcome).toEqual({ kind: 'failed', reason: 'inflates to more than 1 MiB (--max-file-mb)' });
    // 300 MiB of spaces deflate to some 300 KB: inflating stopped within its first quarter.
    expect(bomb.length).toBeLessThan(400 * 1024);
    expect(watch.pulled).toBeLessThan(bomb.length / 4);
    expect(watch.mostBuffered).toBeLessThan(16 * MIB);
  });

  it('fails it under the default cap of 128 MiB too, naming it', async () => {
    const { file, watch } = watchedFile(bomb, 64 * 1024);

    const outcome = await readLogFile(file, keys, {
      collectRegions: false,
      onBytes: () => {},
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    });

    expect(outcome).toEqual({ kind: 'failed', reason: 'inflates to more than 128 MiB (--max-file-mb)' });
    expect(watch.pulled).toBeLessThan(bomb.length);
    expect(watch.mostBuffered).toBeLessThan(DEFAULT_MAX_FILE_BYTES + 16 * MIB);
  });

  it('reads such a file when the cap allows it', async () => {
    const { file } = watchedFile(await gzipBomb(4, record), 64 * 1024);

    const outcome = await readLogFile(file, keys, { collectRegions: false, onBytes: () => {}, maxFileBytes: 8 * MIB });

    expect(outcome).toEqual({ kind: 'read', records: [record], regions: [], recipient: '123837392027' });
  });

  it('fails a plain file that holds more than the cap, with the reason', async () => {
    const text = Buffer.from(JSON.stringify({ Records: loadInvictusRecords() }));
    const { file } = watchedFile(text, 64 * 1024);

    const outcome = await readLogFile(file, keys, { collectRegions: false, onBytes: () => {}, maxFileBytes: MIB });

    expect(text.length).toBeGreaterThan(2 * MIB);
    expect(outcome).toEqual({ kind: 'failed', reason: 'holds more than 1 MiB (--max-file-mb)' });
  });
});

/** Turns that count how many files held one at once. */
class CountedTurns extends LargeTextTurns {
  taken = 0;
  holding = 0;
  mostHolding = 0;

  override async take(): Promise<() => void> {
    const giveBack = await super.take();
    this.taken += 1;
    this.holding += 1;
    this.mostHolding = Math.max(this.mostHolding, this.holding);
    return () => {
      this.holding -= 1;
      giveBack();
    };
  }
}

describe('readLogFile, files read at once', () => {
  it('lets one file at a time hold more than a few MiB of text', async () => {
    const record = loadInvictusRecords()[0] as CloudTrailRecord;
    // Not compact (the head is cut by spaces): each is held whole, 24 MiB, to be parsed.
    const text = Buffer.concat([
      Buffer.from('{"Records":'),
      Buffer.alloc(24 * MIB, 0x20),
      Buffer.from(`[${JSON.stringify(record)}]}`),
    ]);
    const largeText = new CountedTurns();
    const files = [1, 2, 3].map((index) => ({
      path: `export-${index}.json`,
      async *open() {
        for (let at = 0; at < text.length; at += MIB) {
          await new Promise((resolve) => setImmediate(resolve));
          yield text.subarray(at, at + MIB);
        }
      },
    }));

    const outcomes = await Promise.all(
      files.map((file) =>
        readLogFile(file, keys, { collectRegions: false, onBytes: () => {}, maxFileBytes: 64 * MIB, largeText }),
      ),
    );

    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['read', 'read', 'read']);
    expect(largeText.taken).toBe(3);
    expect(largeText.mostHolding).toBe(1);
  });
});
