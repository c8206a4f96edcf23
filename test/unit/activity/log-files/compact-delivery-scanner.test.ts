import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessKeyOf, type CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { CompactDeliveryScanner } from '../../../../src/activity/log-files/compact-delivery-scanner.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../../../src/activity/log-files/max-file-bytes.js';
import { readLogFile } from '../../../../src/activity/log-files/read-log-file.js';
import { wantedKeys } from '../../../../src/activity/log-files/wanted-keys.js';
import { INVICTUS_KEY, loadInvictusRecords } from '../../../support/fixtures.js';
import { deliveryWithLookAlike } from '../../../support/nested-look-alike.js';

const SESSION_KEY = 'ASIATFQR7NSCS5BLNV76';
const keys = wantedKeys([INVICTUS_KEY, SESSION_KEY]);

/** Some records of the data set: the attacker's, a session key's, others', in data-set order. */
function sample(): CloudTrailRecord[] {
  const records = loadInvictusRecords().slice(1000, 1120);
  const first = records[0] as CloudTrailRecord;
  // Multi-byte characters, so that a chunk boundary can fall inside one.
  first.userAgent = 'Botocore/1.29 ünïcödé 🚀';
  // The key named only in the request: a record that mentions the key but was not made with it.
  const other = records.find((record) => record.userIdentity?.accessKeyId !== INVICTUS_KEY) as CloudTrailRecord;
  other.requestParameters = { accessKeyId: INVICTUS_KEY, userName: 'bert-jan' };
  return records;
}

function expected(records: CloudTrailRecord[]) {
  return records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''));
}

function regionsOf(records: CloudTrailRecord[]) {
  return [...new Set(records.map((record) => record.awsRegion))].sort();
}

/** `bytes` cut at the given points (any integers: taken modulo the length). */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const offsets = [...new Set(points.map((point) => Math.abs(point) % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const offset of [...offsets, bytes.length]) {
    if (offset > from) chunks.push(bytes.subarray(from, offset));
    from = Math.max(from, offset);
  }
  return chunks;
}

function fileOf(chunks: Buffer[]) {
  return {
    path: 'sample.json',
    async *open() {
      for (const chunk of chunks) yield chunk;
    },
  };
}

const cutPoints = fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 40 });
const options = { collectRegions: true, onBytes: () => {}, maxFileBytes: DEFAULT_MAX_FILE_BYTES };

describe('CompactDeliveryScanner', () => {
  it('reads a compact delivery record by record, however it is cut into chunks', () => {
    const records = sample();
    const bytes = Buffer.from(JSON.stringify({ Records: records }));

    fc.assert(
      fc.property(cutPoints, (points) => {
        const scanner = new CompactDeliveryScanner(keys, true);
        const accepted = cut(bytes, points).every((chunk) => scanner.push(chunk));
        const content = scanner.end();

        expect(accepted).toBe(true);
        expect(content?.records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''))).toEqual(expected(records));
        expect(content?.records.length).toBe(expected(records).length + 1);
        expect(content?.regions.sort()).toEqual(regionsOf(records));
      }),
      { numRuns: 150 },
    );
  });

  it('reads a compact delivery pushed a few bytes at a time, record starts cut across chunks', () => {
    const records = sample().slice(0, 20);
    const bytes = Buffer.from(JSON.stringify({ Records: records }));

    for (const size of [1, 5, 15, 16, 17]) {
      const scanner = new CompactDeliveryScanner(keys, true);
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, index) =>
        bytes.subarray(index * size, (index + 1) * size),
      );

      const accepted = chunks.every((chunk) => scanner.push(chunk));
      const content = scanner.end();

      expect(accepted).toBe(true);
      expect(content?.records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''))).toEqual(expected(records));
      expect(content?.regions.sort()).toEqual(regionsOf(records));
    }
  });

  it("lists each record's own region, never an awsRegion nested in it, as a whole parse does", () => {
    const records = sample().slice(0, 4);
    (records[1] as CloudTrailRecord).requestParameters = { tagSet: { items: [{ awsRegion: 'eu-west-3' }] } };
    (records[2] as CloudTrailRecord).awsRegion = 'Eu-West-1';
    const bytes = Buffer.from(JSON.stringify({ Records: records }));
    const scanner = new CompactDeliveryScanner(keys, true);

    expect(scanner.push(bytes)).toBe(true);
    expect(scanner.end()?.regions.sort()).toEqual(regionsOf(records));
    expect(regionsOf(records)).not.toContain('eu-west-3');
  });

  it('gives only the top-level records, never an object nested in one that starts like a record', () => {
    const { delivery } = deliveryWithLookAlike(loadInvictusRecords(), INVICTUS_KEY);
    const bytes = Buffer.from(JSON.stringify({ Records: delivery }));

    fc.assert(
      fc.property(cutPoints, (points) => {
        const scanner = new CompactDeliveryScanner(keys, false);
        const accepted = cut(bytes, points).every((chunk) => scanner.push(chunk));
        const content = scanner.end();

        expect(accepted).toBe(true);
        expect(content?.records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''))).toEqual(
          expected(delivery),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('gives up on a document that is not compact, keeping its bytes to parse whole', () => {
    const bytes = Buffer.from(JSON.stringify({ Records: sample() }, null, 2));
    const scanner = new CompactDeliveryScanner(keys, false);

    const accepted = scanner.push(bytes.subarray(0, 100));

    expect(accepted).toBe(false);
    expect(Buffer.concat(scanner.kept ?? [])).toEqual(bytes.subarray(0, 100));
  });

  it('reads a record that holds a key and a nested object that starts like a record, whole', () => {
    const records = sample();
    const target = records.find((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY) as CloudTrailRecord;
    target.requestParameters = { policy: { eventVersion: '2012-10-17' } };
    const scanner = new CompactDeliveryScanner(keys, false);

    const accepted = scanner.push(Buffer.from(JSON.stringify({ Records: records })));
    const content = accepted ? scanner.end() : null;

    expect(content?.records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''))).toEqual(expected(records));
  });

  it('gives up on an array that holds something other than objects, or a document that goes on after it', () => {
    const record = JSON.stringify(sample()[0]);
    const documents = [`{"Records":[${record},2]}`, `{"Records":[${record}],"more":1}`, `{"Records":[${record},]}`];

    const verdicts = documents.map((text) => {
      const scanner = new CompactDeliveryScanner(keys, false);
      return scanner.push(Buffer.from(text)) && scanner.end() !== null;
    });

    expect(verdicts).toEqual([false, false, false]);
  });
});

describe('readLogFile', () => {
  it('finds the same records in a delivery, plain or gzipped, however it is cut into chunks', async () => {
    const records = sample();
    const text = Buffer.from(JSON.stringify({ Records: records }));
    const variants = [text, gzipSync(text), Buffer.from(JSON.stringify({ Records: records }, null, 1))];

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...variants), cutPoints, async (bytes, points) => {
        const outcome = await readLogFile(fileOf(cut(bytes, points)), keys, options);

        expect(outcome.kind).toBe('read');
        if (outcome.kind !== 'read') return;
        expect(outcome.records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''))).toEqual(expected(records));
        expect(outcome.regions.sort()).toEqual(regionsOf(records));
      }),
      { numRuns: 120 },
    );
  });

  it('finds the records exactly when nested objects start like records, however it is cut', async () => {
    type Nesting = (record: CloudTrailRecord) => CloudTrailRecord;
    const nestings: Nesting[] = [
      ({ eventVersion, ...rest }) => ({ eventVersion, ...rest, responseElements: { a: { eventVersion } } }),
      ({ eventVersion, requestParameters, ...rest }) => ({
        eventVersion,
        requestParameters: { items: [{}, { eventVersion: 2 }] },
        ...rest,
      }),
      // Before the key: the piece after the nested object holds the key and does not parse.
      ({ eventVersion, requestParameters, ...rest }) => ({
        eventVersion,
        requestParameters: { nested: { eventVersion: 3 } },
        ...rest,
      }),
    ];

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...nestings), cutPoints, async (nesting, points) => {
        const records = sample().map((record, index) => (index % 4 === 0 ? nesting(record) : record));
        const bytes = Buffer.from(JSON.stringify({ Records: records }));

        const outcome = await readLogFile(fileOf(cut(bytes, points)), keys, options);

        expect(outcome.kind).toBe('read');
        if (outcome.kind !== 'read') return;
        expect(outcome.records.filter((record) => keys.ids.has(accessKeyOf(record) ?? ''))).toEqual(expected(records));
      }),
      { numRuns: 90 },
    );
  });

  it('fails a delivery cut short anywhere, giving no records from it', async () => {
    const bytes = Buffer.from(JSON.stringify({ Records: sample() }));

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: bytes.length - 1 }), cutPoints, async (length, points) => {
        const outcome = await readLogFile(fileOf(cut(bytes.subarray(0, length), points)), keys, options);

        expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^not valid JSON: /) });
      }),
      { numRuns: 150 },
    );
  });

  it('fails a file whose reading breaks off, with the reason', async () => {
    const file = {
      path: 'broken.json.gz',
      async *open(): AsyncGenerator<Uint8Array> {
        yield gzipSync(JSON.stringify({ Records: sample() })).subarray(0, 100);
        throw new Error('ECONNRESET: the connection was reset');
      },
    };

    const outcome = await readLogFile(file, keys, options);

    expect(outcome).toEqual({ kind: 'failed', reason: 'ECONNRESET: the connection was reset' });
  });

  it('tells a valid JSON document without records apart from a delivery', async () => {
    const digest = Buffer.from(JSON.stringify({ awsAccountId: '218007301253', logFiles: [{ Records: [] }] }));
    const empty = Buffer.from('{"Records":[]}');

    const digestOutcome = await readLogFile(fileOf([digest]), keys, options);
    const emptyOutcome = await readLogFile(fileOf([empty.subarray(0, 5), empty.subarray(5)]), keys, options);

    expect(digestOutcome).toEqual({ kind: 'not-a-delivery' });
    expect(emptyOutcome).toEqual({ kind: 'read', records: [], regions: [] });
  });
});
