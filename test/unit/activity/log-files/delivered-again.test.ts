import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { readLogFiles } from '../../../../src/activity/log-files/log-files.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { summarizeRecords } from '../../../support/summaries.js';

const ACCOUNT = '218007301253';
const OTHER_KEY = 'ASIATFQR7NSCTM3XVF6B';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'delivered-again-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

/** Writes `records` under `folder` as compact gzipped deliveries of 60, named in order. */
async function deliver(folder: string, records: CloudTrailRecord[]): Promise<void> {
  await mkdir(join(root, folder), { recursive: true });
  for (let offset = 0; offset < records.length; offset += 60) {
    const name = `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_${String(offset).padStart(6, '0')}.json.gz`;
    await writeFile(
      join(root, folder, name),
      gzipSync(JSON.stringify({ Records: records.slice(offset, offset + 60) })),
    );
  }
}

/**
 * The data set delivered twice with the same event ids, so that which copy is read first does not
 * matter, yet passing over a copy because its id was counted is right only when it is exact: a
 * third of the first copies are outside the window (not counted: their second copy, calling
 * something else, is); a third of the second copies are made with another key (counted for that
 * key, though the first key counted the id); the rest are the same twice.
 */
function twoDeliveries(): { first: CloudTrailRecord[]; again: CloudTrailRecord[] } {
  const records = loadInvictusRecords();
  const first = records.map((record, index) =>
    index % 3 === 0 ? { ...record, eventTime: '2023-07-09T12:00:00Z' } : record,
  );
  const again = records.map((record, index) =>
    index % 3 === 0
      ? { ...record, eventName: `Again${record.eventName}` }
      : index % 3 === 1
        ? { ...record, userIdentity: { ...record.userIdentity, accessKeyId: OTHER_KEY } }
        : record,
  );
  return { first, again };
}

describe('readLogFiles, the same events delivered again', () => {
  it('gives exactly what parsing every record gives', async () => {
    const { first, again } = twoDeliveries();
    await deliver('a-first', first);
    await deliver('b-again', again);
    const expected = (key: string) =>
      summarizeRecords([...first, ...again], key, INVICTUS_WINDOW, {
        source: 'cloudtrail-logs',
        regionsSearched: ['us-east-1'],
      });

    for (const workers of [0, 1, 2]) {
      const result = await readLogFiles(
        {},
        { location: root, accessKeyIds: [INVICTUS_KEY, OTHER_KEY], window: INVICTUS_WINDOW, workers },
      );

      expect(result.summaries[0], `${workers} workers`).toEqual(expected(INVICTUS_KEY));
      expect(result.summaries[1], `${workers} workers`).toEqual(expected(OTHER_KEY));
    }
  });

  it('does not parse a record whose event id was counted already', async () => {
    const records = loadInvictusRecords();
    await deliver('a-first', records);
    await deliver('b-again', records);
    await deliver('c-again', records);
    const parse = vi.spyOn(JSON, 'parse');

    for (const workers of [0, 1]) {
      parse.mockClear();
      const result = await readLogFiles(
        {},
        { location: root, accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, workers },
      );

      expect(result.summaries[0]?.totalEvents).toBe(2104);
      // Each of the key's 2,104 records once, and the few whose id cannot be read exactly (a backslash in them).
      expect(parse.mock.calls.length, `${workers} workers`).toBeLessThan(2104 * 1.1);
    }
  });
});
