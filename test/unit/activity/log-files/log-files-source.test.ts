import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { logFilesSource } from '../../../../src/activity/log-files/log-files-source.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { gzipBomb } from '../../../support/gzip-bomb.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'log-files-source-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('logFilesSource', () => {
  it('reads with the most bytes a file may hold that it was given', async () => {
    const records = loadInvictusRecords();
    await writeFile(join(root, 'part-1.json'), JSON.stringify({ Records: records.slice(0, 400) }));
    await writeFile(join(root, 'part-2.json.gz'), await gzipBomb(8, records[500] as CloudTrailRecord));
    const query = { accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW };

    const capped = logFilesSource({}, { location: root, workers: 0, maxFileBytes: 4 * 1024 * 1024 });
    const byDefault = logFilesSource({}, { location: root, workers: 0 });
    await capped.summarize(query);
    await byDefault.summarize(query);

    expect(capped.files).toEqual({
      read: 1,
      skipped: 0,
      outsideWindow: 0,
      failed: 1,
      failedFiles: [{ path: join(root, 'part-2.json.gz'), error: 'inflates to more than 4 MiB (--max-file-mb)' }],
    });
    expect(byDefault.files).toEqual({ read: 2, skipped: 0, outsideWindow: 0, failed: 0, failedFiles: [] });
  });
});
