import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { CompactDeliveryScanner } from '../../../../src/activity/log-files/compact-delivery-scanner.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../../../src/activity/log-files/max-file-bytes.js';
import { readLogFile } from '../../../../src/activity/log-files/read-log-file.js';
import { wantedKeys } from '../../../../src/activity/log-files/wanted-keys.js';
import { INVICTUS_KEY, loadInvictusRecords } from '../../../support/fixtures.js';

const MIB = 1024 * 1024;
const keys = wantedKeys([INVICTUS_KEY]);

/** A record made with the key whose user agent is `bytes` long, between two ordinary records. */
function deliveryWithLongRecord(bytes: number) {
  const records = loadInvictusRecords().filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY);
  const long: CloudTrailRecord = { ...(records[1] as CloudTrailRecord), userAgent: 'a'.repeat(bytes) };
  const delivery = [records[0] as CloudTrailRecord, long, records[2] as CloudTrailRecord];
  return { delivery, text: Buffer.from(JSON.stringify({ Records: delivery })) };
}

function chunked(text: Buffer, count: number): Buffer[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, index) => text.subarray(index * size, (index + 1) * size));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CompactDeliveryScanner, one record over many chunks', () => {
  it('copies its bytes a bounded number of times, not once per chunk', () => {
    const { delivery, text } = deliveryWithLongRecord(2 * MIB);
    const concat = Buffer.concat;
    let copied = 0;
    vi.spyOn(Buffer, 'concat').mockImplementation((list, length) => {
      const joined = concat(list, length);
      copied += joined.length;
      return joined;
    });
    const scanner = new CompactDeliveryScanner(keys, false);

    const accepted = chunked(text, 2000).every((chunk) => scanner.push(chunk));
    const content = scanner.end();

    expect(accepted).toBe(true);
    expect(content?.records).toEqual(delivery);
    expect(copied).toBeLessThan(2 * text.length);
  });
});

describe('readLogFile, one record of 64 MiB', () => {
  it('reads it in seconds (a quadratic join of its chunks takes minutes)', { timeout: 20_000 }, async () => {
    const { delivery, text } = deliveryWithLongRecord(64 * MIB);
    const stored = gzipSync(text);
    const file = {
      path: 'long.json.gz',
      async *open() {
        yield stored;
      },
    };

    const outcome = await readLogFile(file, keys, {
      collectRegions: true,
      onBytes: () => {},
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    });

    expect(outcome).toEqual({ kind: 'read', records: delivery, regions: ['us-east-1'], recipient: '123837392027' });
  });
});
