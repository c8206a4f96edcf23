import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { readLogFiles } from '../../src/activity/log-files/log-files.js';
import { logFilesSource } from '../../src/activity/log-files/log-files-source.js';
import type { S3Api } from '../../src/aws/narrow-clients.js';
import { AwsCallError, InvalidInputError } from '../../src/errors.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../support/fixtures.js';
import { gzipBomb } from '../support/gzip-bomb.js';
import { useMoto } from '../support/moto.js';
import { referenceSummary } from '../support/reference-summary.js';
import { summarizeRecords } from '../support/summaries.js';

const ACCOUNT = '218007301253';
const BUCKET = 'trail-logs';
const DAY_MS = 86_400_000;

const moto = useMoto();

interface Delivery {
  key: string;
  records: CloudTrailRecord[];
}

/** The records as gzipped deliveries in the AWSLogs layout under `prefix`, 50 to a file. */
function deliveries(prefix: string, records: CloudTrailRecord[]): Delivery[] {
  const groups = new Map<string, CloudTrailRecord[]>();
  for (const record of records) {
    const group = `${record.awsRegion}/${String(record.eventTime).slice(0, 10).replaceAll('-', '/')}`;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  return [...groups].flatMap(([group, grouped], groupIndex) => {
    const region = group.split('/')[0];
    return Array.from({ length: Math.ceil(grouped.length / 50) }, (_, index) => {
      const name = `${ACCOUNT}_CloudTrail_${region}_20230710T1200Z_g${groupIndex}f${index}.json.gz`;
      return {
        key: `${prefix}AWSLogs/${ACCOUNT}/CloudTrail/${group}/${name}`,
        records: grouped.slice(index * 50, index * 50 + 50),
      };
    });
  });
}

async function put(s3: S3Client, key: string, body: string | Uint8Array): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function putDeliveries(s3: S3Client, files: Delivery[]): Promise<void> {
  for (const file of files) await put(s3, file.key, gzipSync(JSON.stringify({ Records: file.records })));
}

/** The data set, and a copy of it a day later in eu-west-1 (new event ids). */
function twoRegions(): CloudTrailRecord[] {
  const records = loadInvictusRecords();
  return records.concat(
    records.map((record) => ({
      ...record,
      eventID: `${record.eventID}-eu`,
      awsRegion: 'eu-west-1',
      eventTime: new Date(Date.parse(String(record.eventTime)) + DAY_MS).toISOString(),
    })),
  );
}

const WINDOW = { start: INVICTUS_WINDOW.start, end: new Date(INVICTUS_WINDOW.end.getTime() + DAY_MS) };

describe('readLogFiles from S3', () => {
  it('summarises the deliveries under a prefix as the reference does, skipping and failing as for a folder', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const records = twoRegions();
    const files = deliveries('trail/', records);
    await putDeliveries(s3, files);
    const [broken, ...good] = files as [Delivery, ...Delivery[]];
    await put(s3, broken.key, '{"Records":[{"eventVersion":"1.08"');
    await put(
      s3,
      `trail/AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2023/07/10/${ACCOUNT}_CloudTrail-Digest_us-east-1_t_us-east-1_20230710T120000Z.json.gz`,
      gzipSync('{"awsAccountId":"218007301253","logFiles":[]}'),
    );
    await put(s3, 'trail/README.txt', 'CloudTrail logs of the trail');
    // Outside the prefix: never read (it would add events).
    await putDeliveries(
      s3,
      deliveries(
        'elsewhere/',
        records.map((record) => ({ ...record, eventID: `x${record.eventID}` })),
      ),
    );

    const result = await readLogFiles(
      { s3 },
      { location: `s3://${BUCKET}/trail/`, accessKeyIds: [INVICTUS_KEY], window: WINDOW },
    );

    const kept = good.flatMap((file) => file.records);
    const [summary] = result.summaries;
    expect(summary).toMatchObject(referenceSummary(kept, INVICTUS_KEY, WINDOW.start, WINDOW.end));
    expect(summary).toEqual(
      summarizeRecords(kept, INVICTUS_KEY, WINDOW, {
        source: 'cloudtrail-logs',
        regionsSearched: ['eu-west-1', 'us-east-1'],
      }),
    );
    expect(result.files).toMatchObject({
      read: good.length,
      skipped: 2,
      outsideWindow: 0,
      failed: [{ path: `s3://${BUCKET}/${broken.key}`, error: expect.stringMatching(/^not valid JSON/) }],
    });
    expect(summary?.totalEvents).toBeGreaterThan(4000);
  });

  it('reads every page of a long listing', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const records = loadInvictusRecords();
    const files = deliveries('', records);
    await putDeliveries(s3, files);
    let pages = 0;
    const paging: S3Api = {
      send: ((command: unknown) => {
        if (command instanceof ListObjectsV2Command) {
          pages += 1;
          command.input.MaxKeys = 7;
        }
        return s3.send(command as never);
      }) as S3Api['send'],
    };

    const result = await readLogFiles(
      { s3: paging },
      // A prefix that is not a folder is listed whole, a page after another.
      { location: `s3://${BUCKET}/AWSLogs`, accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, concurrency: 3 },
    );

    expect(pages).toBe(Math.ceil(files.length / 7));
    expect(result.files.read).toBe(files.length);
    expect(result.summaries[0]).toMatchObject(
      referenceSummary(records, INVICTUS_KEY, INVICTUS_WINDOW.start, INVICTUS_WINDOW.end),
    );
  });

  it('lists the rest of a listing that stopped part-way as not searched, though files were read', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await putDeliveries(s3, deliveries('', twoRegions()));
    let pages = 0;
    const stopping: S3Api = {
      send: ((command: unknown) => {
        if (command instanceof ListObjectsV2Command) {
          pages += 1;
          command.input.MaxKeys = 7;
          if (pages === 2)
            return Promise.reject(
              Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
            );
        }
        return s3.send(command as never);
      }) as S3Api['send'],
    };
    const prefix = `AWSLogs/${ACCOUNT}/CloudTrail`;

    const result = await readLogFiles(
      { s3: stopping },
      { location: `s3://${BUCKET}/${prefix}`, accessKeyIds: [INVICTUS_KEY], window: WINDOW },
    );

    expect(result.files.read).toBe(7);
    expect(result.summaries[0]?.regions).toEqual({
      searched: ['eu-west-1'],
      failed: [
        {
          region: 'unknown',
          error: expect.stringMatching(
            `^s3://${BUCKET}/${prefix}: could not be listed: listing stopped after 7 objects: s3:ListObjectsV2 failed: AccessDenied`,
          ),
        },
      ],
    });
  });

  it('lists only the date folders of the window ±1 day under the layout, not every object of the bucket', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // A year of deliveries, one a day, none of them holding a record.
    for (let day = 0; day < 365; day += 1) {
      const date = new Date(Date.UTC(2023, 0, 1) + day * DAY_MS).toISOString().slice(0, 10);
      const name = `${ACCOUNT}_CloudTrail_us-east-1_${date.replaceAll('-', '')}T1200Z_d.json`;
      await put(s3, `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${date.replaceAll('-', '/')}/${name}`, '{"Records":[]}');
    }
    await put(s3, 'notes/readme.txt', 'not a log');
    const listed: string[] = [];
    const counting: S3Api = {
      send: (async (command: unknown) => {
        const output = await s3.send(command as never);
        if (command instanceof ListObjectsV2Command)
          listed.push(
            ...((output as { Contents?: { Key?: string }[] }).Contents ?? []).map((object) => `${object.Key}`),
          );
        return output;
      }) as S3Api['send'],
    };
    const window = { start: new Date('2023-12-31T00:00:00Z'), end: new Date('2023-12-31T23:59:59Z') };

    const result = await readLogFiles(
      { s3: counting },
      { location: `s3://${BUCKET}/`, accessKeyIds: [INVICTUS_KEY], window },
    );

    expect(listed.map((key) => key.replace(/^.*\/CloudTrail\/us-east-1\/(\d{4}\/\d{2}\/\d{2})\/.*$/, '$1'))).toEqual([
      '2023/12/29',
      '2023/12/30',
      '2023/12/31',
      'notes/readme.txt',
    ]);
    expect(result.files).toMatchObject({ read: 3, skipped: 1, outsideWindow: 0, failed: [] });
    // Last year's logs read for a day of this year: nothing to read, which is refused, not 0 events.
    const thisYear = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-02T00:00:00Z') };
    const source = logFilesSource({ s3: counting }, { location: `s3://${BUCKET}/` });
    await expect(source.summarize({ accessKeyIds: [INVICTUS_KEY], window: thisYear })).rejects.toThrow(
      /^No CloudTrail log files were found under s3:\/\/trail-logs\/ for the window \(2024-03-01T00:00:00\.000Z to /,
    );
  });

  it('finds the deliveries of trails whose key prefixes are folders under CloudTrail/, given the prefix or the folder above', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const records = twoRegions();
    const organization = deliveries('CloudTrail/org-trail/', records);
    const legacy = deliveries(
      'CloudTrail/legacy/',
      records.map((record) => ({ ...record, eventID: `legacy-${record.eventID}` })),
    );
    await putDeliveries(s3, [...organization, ...legacy]);
    const read = (prefix: string) =>
      readLogFiles({ s3 }, { location: `s3://${BUCKET}/${prefix}`, accessKeyIds: [INVICTUS_KEY], window: WINDOW });

    const trail = await read('CloudTrail/org-trail/');
    const both = await read('CloudTrail/');

    const expected = referenceSummary(records, INVICTUS_KEY, WINDOW.start, WINDOW.end);
    expect(trail.files.read).toBe(organization.length);
    expect(trail.summaries[0]).toMatchObject(expected);
    expect(trail.summaries[0]?.regions).toEqual({ searched: ['eu-west-1', 'us-east-1'], failed: [] });
    expect(both.files.read).toBe(organization.length + legacy.length);
    expect(both.summaries[0]?.totalEvents).toBe(2 * (trail.summaries[0]?.totalEvents ?? 0));
  });

  it('lists a region whose date folders could not be listed as not searched, and reads the others', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const records = twoRegions();
    const files = deliveries('', records);
    await putDeliveries(s3, files);
    const refusing: S3Api = {
      send: ((command: unknown) => {
        if (command instanceof ListObjectsV2Command && command.input.Prefix?.includes('/eu-west-1/'))
          return Promise.reject(
            Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
          );
        return s3.send(command as never);
      }) as S3Api['send'],
    };

    const result = await readLogFiles(
      { s3: refusing },
      { location: `s3://${BUCKET}/AWSLogs/`, accessKeyIds: [INVICTUS_KEY], window: WINDOW },
    );

    const europe = `s3://${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1`;
    expect(result.summaries[0]?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [
        {
          region: 'eu-west-1',
          error: expect.stringMatching(
            `^6 parts of the location could not be listed: ${europe}/2023/07/08/: could not be listed: listing stopped after 0 objects: s3:ListObjectsV2 failed: AccessDenied`,
          ),
        },
      ],
    });
    const american = files.filter((file) => file.key.includes('/us-east-1/'));
    expect(result.files.read).toBe(american.length);
  });

  it('lists an object that cannot be fetched as failed, and reads the others', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const files = deliveries('', loadInvictusRecords());
    await putDeliveries(s3, files);
    const denied = files[2] as Delivery;
    const refusing: S3Api = {
      send: ((command: unknown) => {
        if (command instanceof GetObjectCommand && command.input.Key === denied.key)
          return s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${denied.key}.missing` }));
        return s3.send(command as never);
      }) as S3Api['send'],
    };

    const result = await readLogFiles(
      { s3: refusing },
      { location: `s3://${BUCKET}/AWSLogs/`, accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW },
    );

    const kept = files.filter((file) => file !== denied).flatMap((file) => file.records);
    expect(result.files.failed).toEqual([
      { path: `s3://${BUCKET}/${denied.key}`, error: expect.stringMatching(/^s3:GetObject failed: NoSuchKey/) },
    ]);
    // The other objects of us-east-1 were read: the region was searched, the object is what failed.
    expect(result.summaries[0]?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(result.summaries[0]).toMatchObject(
      referenceSummary(kept, INVICTUS_KEY, INVICTUS_WINDOW.start, INVICTUS_WINDOW.end),
    );
  });

  it('lists an object that inflates to more than maxFileBytes as failed, with the reason', async () => {
    const { s3 } = moto();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const records = loadInvictusRecords();
    const files = deliveries('', records);
    await putDeliveries(s3, files);
    const bombKey = (files[0] as Delivery).key.replace(/\.json\.gz$/, 'bomb.json.gz');
    await put(s3, bombKey, await gzipBomb(300, records[0] as CloudTrailRecord));

    const result = await readLogFiles(
      { s3 },
      { location: `s3://${BUCKET}`, accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, maxFileBytes: 1024 * 1024 },
    );

    expect(result.files.failed).toEqual([
      { path: `s3://${BUCKET}/${bombKey}`, error: 'inflates to more than 1 MiB (--max-file-mb)' },
    ]);
    expect(result.files.read).toBe(files.length);
    expect(result.summaries[0]).toMatchObject(
      referenceSummary(records, INVICTUS_KEY, INVICTUS_WINDOW.start, INVICTUS_WINDOW.end),
    );
  });

  it('refuses a bucket that does not exist as a location given wrong, as a missing folder is', async () => {
    const { s3 } = moto();

    const reading = readLogFiles(
      { s3 },
      { location: 's3://no-such-bucket/AWSLogs/', accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW },
    );

    await expect(reading).rejects.toBeInstanceOf(InvalidInputError);
    await expect(reading).rejects.toThrow(
      /There is no bucket named no-such-bucket \(s3:\/\/no-such-bucket\/AWSLogs\/\)/,
    );
  });

  it('fails at once, as an AWS call, when the bucket cannot be listed for another reason', async () => {
    const s3 = {
      send: async () => {
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      },
    } as unknown as S3Api;

    const reading = readLogFiles(
      { s3 },
      { location: 's3://locked-bucket/AWSLogs/', accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW },
    );

    await expect(reading).rejects.toBeInstanceOf(AwsCallError);
    await expect(reading).rejects.toThrow(/s3:ListObjectsV2 failed: AccessDenied/);
  });
});
