import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimeWindow } from '../../../../src/activity/activity-summary.js';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { type LogFilesOptions, readLogFiles } from '../../../../src/activity/log-files/log-files.js';
import { InvalidInputError } from '../../../../src/errors.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { gzipBomb } from '../../../support/gzip-bomb.js';
import { deliveryWithLookAlike } from '../../../support/nested-look-alike.js';
import { referenceSummary } from '../../../support/reference-summary.js';
import { summarizeRecords } from '../../../support/summaries.js';

const ACCOUNT = '218007301253';
const DAY_MS = 86_400_000;

/** A delivery written by {@link writeDeliveries}: where, and which records it holds. */
interface Delivery {
  path: string;
  records: CloudTrailRecord[];
}

interface DeliveryOptions {
  perFile?: number;
  gzip?: boolean;
  /** Put each file in `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` by its first event. */
  layout?: boolean;
  /** A folder under the root to write into. */
  under?: string;
  /** How to turn a file's document into text (compact JSON, as CloudTrail writes, by default). */
  serialize?: (document: { Records: CloudTrailRecord[] }) => string;
}

function stamp(time: string): string {
  return time.slice(0, 16).replaceAll('-', '').replaceAll(':', '').concat('Z');
}

/** Writes `records` as CloudTrail deliveries (by region, and by day in the layout), in order. */
async function writeDeliveries(
  root: string,
  records: CloudTrailRecord[],
  options: DeliveryOptions = {},
): Promise<Delivery[]> {
  const { perFile = 50, gzip = false, layout = false, under = '', serialize = JSON.stringify } = options;
  const groups = new Map<string, CloudTrailRecord[]>();
  for (const record of records) {
    const day = String(record.eventTime).slice(0, 10);
    const group = `${record.awsRegion}|${layout ? day : ''}`;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const deliveries: Delivery[] = [];
  for (const [group, grouped] of groups) {
    const [region] = group.split('|') as [string];
    for (let offset = 0; offset < grouped.length; offset += perFile) {
      const chunk = grouped.slice(offset, offset + perFile);
      const time = String(chunk[0]?.eventTime);
      const folder = layout
        ? join('AWSLogs', ACCOUNT, 'CloudTrail', region, time.slice(0, 4), time.slice(5, 7), time.slice(8, 10))
        : '';
      const unique = String(deliveries.length).padStart(16, 'x');
      const name = `${ACCOUNT}_CloudTrail_${region}_${stamp(time)}_${unique}.json${gzip ? '.gz' : ''}`;
      const path = join(root, under, folder, name);
      const text = serialize({ Records: chunk });
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, gzip ? gzipSync(text) : text);
      deliveries.push({ path, records: chunk });
    }
  }
  return deliveries;
}

function summaryOf(records: CloudTrailRecord[], key: string, window: TimeWindow, regions: string[]) {
  return summarizeRecords(records, key, window, { source: 'cloudtrail-logs', regionsSearched: regions });
}

function reference(records: CloudTrailRecord[], key = INVICTUS_KEY, window: TimeWindow = INVICTUS_WINDOW) {
  return referenceSummary(records, key, window.start, window.end);
}

function shifted(record: CloudTrailRecord, days: number, region: string, copy: number): CloudTrailRecord {
  return {
    ...record,
    eventID: `${record.eventID}-${copy}`,
    eventTime: new Date(Date.parse(String(record.eventTime)) + days * DAY_MS).toISOString().replace('.000Z', 'Z'),
    awsRegion: region,
  };
}

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'log-files-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function read(options: Partial<LogFilesOptions> = {}) {
  return readLogFiles({}, { location: root, accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, ...options });
}

describe('readLogFiles on the attack-simulation data set', () => {
  it('summarises plain .json deliveries as the reference does', async () => {
    const records = loadInvictusRecords();
    const deliveries = await writeDeliveries(root, records);

    const result = await read();

    const [summary] = result.summaries;
    expect(summary).toMatchObject(reference(records));
    expect(summary).toEqual(summaryOf(records, INVICTUS_KEY, INVICTUS_WINDOW, ['us-east-1']));
    expect(summary?.totalEvents).toBe(2104);
    expect(summary?.source).toBe('cloudtrail-logs');
    expect(result.files).toEqual({
      read: deliveries.length,
      skipped: 0,
      outsideWindow: 0,
      outsideWindowDays: null,
      failed: [],
      // The files' names say one account; the published records, the one that received them.
      accounts: ['123837392027', ACCOUNT],
      bytes: expect.any(Number),
    });
  });

  it('summarises gzipped deliveries as the reference does', async () => {
    const records = loadInvictusRecords();
    const deliveries = await writeDeliveries(root, records, { gzip: true });

    const result = await read();

    expect(result.summaries[0]).toEqual(summaryOf(records, INVICTUS_KEY, INVICTUS_WINDOW, ['us-east-1']));
    expect(result.summaries[0]).toMatchObject(reference(records));
    expect(result.files.read).toBe(deliveries.length);
  });

  it('summarises deliveries spread across regions and days in the AWSLogs layout', async () => {
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
    const records = loadInvictusRecords().flatMap((record, index) => [
      record,
      shifted(record, 1, regions[index % 3] as string, 1),
      shifted(record, 2, regions[(index + 1) % 3] as string, 2),
    ]);
    const window = { start: INVICTUS_WINDOW.start, end: new Date(INVICTUS_WINDOW.end.getTime() + 2 * DAY_MS) };
    await writeDeliveries(root, records, { layout: true, gzip: true });

    const result = await read({ window });

    const [summary] = result.summaries;
    expect(summary).toMatchObject(reference(records, INVICTUS_KEY, window));
    expect(summary).toEqual(summaryOf(records, INVICTUS_KEY, window, regions));
    expect(summary?.totalEvents).toBe(3 * 2104);
    expect(summary?.regions.searched).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    const folders = await readdir(join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'eu-west-1', '2023', '07'));
    expect(folders.sort()).toEqual(['11', '12']);
  });

  it('skips digests and files that are not CloudTrail deliveries, and counts them', async () => {
    const records = loadInvictusRecords();
    await writeDeliveries(root, records, { layout: true, gzip: true });
    const digestFolder = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail-Digest', 'us-east-1', '2023', '07', '10');
    const digest = { awsAccountId: ACCOUNT, digestStartTime: '2023-07-10T11:00:00Z', logFiles: [{ s3Object: 'x' }] };
    await mkdir(digestFolder, { recursive: true });
    await writeFile(
      join(digestFolder, `${ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20230710T120000Z.json.gz`),
      gzipSync(JSON.stringify(digest)),
    );
    await writeFile(join(root, 'digest-elsewhere.json'), JSON.stringify(digest));
    await writeFile(join(root, 'config.json'), JSON.stringify({ Records: 'not a list' }));
    await writeFile(join(root, 'README.txt'), `mentions ${INVICTUS_KEY}`);
    await writeFile(join(root, 'events.csv'), `eventName,accessKeyId\nCreateUser,${INVICTUS_KEY}\n`);

    const result = await read();

    expect(result.files.skipped).toBe(5);
    expect(result.files.failed).toEqual([]);
    expect(result.summaries[0]).toEqual(summaryOf(records, INVICTUS_KEY, INVICTUS_WINDOW, ['us-east-1']));
  });

  it('skips Insight files: a region whose deliveries all failed is not searched because its Insights were read', async () => {
    await writeDeliveries(root, loadInvictusRecords(), { layout: true });
    const folder = (kind: string) => join(root, 'AWSLogs', ACCOUNT, kind, 'us-west-2', '2023', '07', '10');
    const broken = join(folder('CloudTrail'), `${ACCOUNT}_CloudTrail_us-west-2_20230710T1200Z_broken.json`);
    const insight = { eventVersion: '1.07', eventType: 'AwsCloudTrailInsight', awsRegion: 'us-west-2', eventID: 'i1' };
    await mkdir(folder('CloudTrail'), { recursive: true });
    await mkdir(folder('CloudTrail-Insight'), { recursive: true });
    await writeFile(broken, '{"Records":[');
    await writeFile(
      join(folder('CloudTrail-Insight'), `${ACCOUNT}_CloudTrail-Insight_us-west-2_20230710T1200Z_i.json`),
      JSON.stringify({ Records: [insight] }),
    );

    const result = await read();

    expect(result.files).toMatchObject({ skipped: 1, failed: [{ path: broken, error: expect.any(String) }] });
    expect(result.summaries[0]?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [{ region: 'us-west-2', error: expect.stringMatching(/^1 of 1 log file could not be read: /) }],
    });
  });

  it('counts each event once when the same events are delivered twice', async () => {
    const records = loadInvictusRecords();
    const first = await writeDeliveries(root, records, { under: 'first' });
    await writeDeliveries(root, records, { under: 'again', gzip: true, perFile: 70 });

    const result = await read();

    expect(result.files.read).toBeGreaterThan(first.length);
    expect(result.summaries[0]?.totalEvents).toBe(2104);
    expect(result.summaries[0]).toMatchObject(reference(records));
  });

  it('lists a truncated gzip and invalid JSON as failed files, and still summarises the rest', async () => {
    const records = loadInvictusRecords();
    const deliveries = await writeDeliveries(root, records, { gzip: true, layout: true });
    const [truncated, invalid, ...rest] = deliveries as [Delivery, Delivery, ...Delivery[]];
    const gzipped = gzipSync(JSON.stringify({ Records: truncated.records }));
    await writeFile(truncated.path, gzipped.subarray(0, gzipped.length >> 1));
    await writeFile(
      invalid.path,
      gzipSync(`{"Records":[{"eventVersion":"1.08","userIdentity":{"accessKeyId":"${INVICTUS_KEY}"`),
    );
    await writeFile(join(root, 'notes.json'), 'not JSON at all');

    const result = await read();

    const kept = rest.flatMap((delivery) => delivery.records);
    const failedPaths = [truncated.path, invalid.path, join(root, 'notes.json')].sort();
    expect(result.files.failed.map((file) => file.path)).toEqual(failedPaths);
    expect(result.files.failed.find((file) => file.path === truncated.path)?.error).toMatch(/gzip/);
    expect(result.files.failed.find((file) => file.path === invalid.path)?.error).toMatch(/JSON/);
    const [summary] = result.summaries;
    // Other files of us-east-1 were read: the region was searched, the files are what failed.
    expect(summary?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(summary).toMatchObject(reference(kept));
    expect(result.files.read).toBe(rest.length);
  });

  it('lists a file that inflates to more than maxFileBytes as failed, with the reason, and reads the rest', async () => {
    const records = loadInvictusRecords();
    const deliveries = await writeDeliveries(root, records, { gzip: true, layout: true });
    const bombPath = (deliveries[0] as Delivery).path.replace(/_[^_]+\.json\.gz$/, '_bomb.json.gz');
    await writeFile(bombPath, await gzipBomb(300, { ...(records[0] as CloudTrailRecord), eventID: 'bomb' }));
    const plainPath = join(root, 'export.json');
    await writeFile(plainPath, JSON.stringify({ Records: records }));

    for (const workers of [0, 2]) {
      const result = await read({ maxFileBytes: 1024 * 1024, workers });

      expect(result.files.failed).toEqual([
        { path: bombPath, error: 'inflates to more than 1 MiB (--max-file-mb)' },
        { path: plainPath, error: 'holds more than 1 MiB (--max-file-mb)' },
      ]);
      expect(result.files.read).toBe(deliveries.length);
      expect(result.summaries[0]).toMatchObject(reference(records));
    }
  });

  it('refuses a most-bytes-per-file that is not a whole number of bytes', async () => {
    await expect(read({ maxFileBytes: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read({ maxFileBytes: 1.5 })).rejects.toThrow(/whole number of bytes/);
  });

  it('gives the same summaries whatever the concurrency, so file order does not matter', async () => {
    const records = loadInvictusRecords();
    await writeDeliveries(root, records, { perFile: 20 });
    await writeDeliveries(root, records.slice(0, 1000), { perFile: 33, gzip: true, under: 'again' });

    const one = await read({ concurrency: 1 });
    const eight = await read({ concurrency: 8 });
    const many = await read({ concurrency: 64 });

    expect(eight).toEqual(one);
    expect(many).toEqual(one);
    expect(one.summaries[0]?.totalEvents).toBe(2104);
  });

  it('gives one summary per key, in the order given, in one pass', async () => {
    const records = loadInvictusRecords();
    await writeDeliveries(root, records, { gzip: true });
    const sessionKeys = reference(records).sessionKeys as string[];
    const keys = [...sessionKeys].reverse().concat(INVICTUS_KEY);

    const result = await read({ accessKeyIds: keys, userName: 'bert-jan' });

    expect(sessionKeys).toHaveLength(10);
    expect(result.summaries.map((summary) => summary.accessKeyId)).toEqual(keys);
    for (const [index, key] of keys.entries()) {
      // The reference's list of risky calls lags the summarizer's (LeaveOrganization, which a
      // session key called): the whole summary is compared with summarizeRecords below.
      const { riskyEvents: _, ...independent } = reference(records, key);
      expect(result.summaries[index]).toMatchObject(independent);
      expect(result.summaries[index]).toEqual({
        ...summaryOf(records, key, INVICTUS_WINDOW, ['us-east-1']),
        ...(index === 0 ? { userName: 'bert-jan' } : {}),
      });
    }
    expect(result.summaries.at(-1)?.totalEvents).toBe(2104);
  });
});

describe('readLogFiles', () => {
  it('does not read day folders more than a day away from the window, and counts them', async () => {
    const base = loadInvictusRecords().slice(0, 300);
    const records = [-3, -2, -1, 0, 1, 2, 3].flatMap((days) =>
      base.map((record) => shifted(record, days, 'us-east-1', days + 10)),
    );
    // An event of the window's last minutes, delivered in the next day's folder.
    const mine = base.find((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY) as CloudTrailRecord;
    const late = shifted(mine, 0, 'us-east-1', 99);
    late.eventTime = '2023-07-10T23:58:00Z';
    const deliveries = await writeDeliveries(root, records, { layout: true });
    const lateFolder = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2023', '07', '11');
    await writeFile(
      join(lateFolder, `${ACCOUNT}_CloudTrail_us-east-1_20230711T0003Z_late.json`),
      JSON.stringify({ Records: [late] }),
    );

    const result = await read();

    const perDay = deliveries.length / 7;
    expect(result.files.outsideWindow).toBe(2 * perDay);
    expect(result.files.outsideWindowDays).toEqual({ first: '2023-07-07', last: '2023-07-13' });
    expect(result.files.read).toBe(5 * perDay + 1);
    expect(result.summaries[0]).toMatchObject(reference([...records, late]));
    expect(result.summaries[0]?.lastSeen).toBe('2023-07-10T23:58:00.000Z');
  });

  it('takes regions and days from the layout below a folder named CloudTrail/<name>/ the logs were copied into', async () => {
    const base = loadInvictusRecords().slice(0, 300);
    const records = [-3, 0, 3].flatMap((days) => base.map((record) => shifted(record, days, 'eu-west-1', days + 10)));
    const deliveries = await writeDeliveries(root, records, { layout: true, under: join('CloudTrail', 'case-42') });
    const onlyCorrupt = join(root, 'CloudTrail/case-42/AWSLogs', ACCOUNT, 'CloudTrail/ap-south-1/2023/07/10/f.json');
    await mkdir(dirname(onlyCorrupt), { recursive: true });
    await writeFile(onlyCorrupt, '{"Records":[');

    const result = await read();

    const perDay = deliveries.length / 3;
    expect(result.files).toMatchObject({ read: perDay, outsideWindow: 2 * perDay });
    expect(result.summaries[0]?.regions).toEqual({
      searched: ['eu-west-1'],
      failed: [{ region: 'ap-south-1', error: expect.stringMatching(/^1 of 1 log file could not be read: /) }],
    });
    expect(result.summaries[0]).toMatchObject(reference(records));
  });

  it('parses deliveries that are not compact JSON (pretty-printed, other key order) exactly', async () => {
    const records = loadInvictusRecords();
    const reordered = records.map(({ eventVersion, ...rest }) => ({ ...rest, eventVersion }));
    await writeDeliveries(root, records.slice(0, 1500), { serialize: (document) => JSON.stringify(document, null, 2) });
    await writeDeliveries(root, reordered.slice(1500), { under: 'reordered', gzip: true });

    const result = await read();

    expect(result.files.failed).toEqual([]);
    expect(result.summaries[0]).toEqual(summaryOf(records, INVICTUS_KEY, INVICTUS_WINDOW, ['us-east-1']));
  });

  it('is not misled by a nested object that starts like a record', async () => {
    const records = loadInvictusRecords();
    const nested = records.map((record, index) =>
      index % 7 === 0 ? { ...record, requestParameters: { nested: { eventVersion: '1.08', awsRegion: 'x' } } } : record,
    );
    await writeDeliveries(root, nested);

    const result = await read();

    expect(result.summaries[0]).toEqual(summaryOf(nested, INVICTUS_KEY, INVICTUS_WINDOW, ['us-east-1']));
    expect(result.summaries[0]?.totalEvents).toBe(2104);
  });

  it('counts only the top-level records: a nested look-alike neither counts nor hides a real StopLogging', async () => {
    const { delivery, stopLogging } = deliveryWithLookAlike(loadInvictusRecords(), INVICTUS_KEY);
    const name = `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_lookalike.json`;
    const compact = JSON.stringify({ Records: delivery });
    await mkdir(join(root, 'compact'));
    await writeFile(join(root, 'compact', name), compact);
    await mkdir(join(root, 'gzipped'));
    await writeFile(join(root, 'gzipped', `${name}.gz`), gzipSync(compact));
    await mkdir(join(root, 'pretty'));
    await writeFile(join(root, 'pretty', name), JSON.stringify({ Records: delivery }, null, 2));
    const expected = summaryOf(delivery, INVICTUS_KEY, INVICTUS_WINDOW, ['us-east-1']);

    for (const folder of ['compact', 'gzipped', 'pretty'])
      for (const workers of [0, 2]) {
        const result = await read({ location: join(root, folder), workers });

        const [summary] = result.summaries;
        expect(summary, `${folder}, ${workers} workers`).toEqual(expected);
        expect(summary?.riskyEvents).toContainEqual(expect.objectContaining({ eventId: stopLogging.eventID }));
        expect(summary?.totalEvents).toBe(2104);
      }
  });

  it("takes the regions searched from the records when the file's path names none", async () => {
    const records = loadInvictusRecords()
      .slice(0, 400)
      .map((record, index) => (index % 2 ? { ...record, awsRegion: 'eu-central-1' } : record));
    await mkdir(join(root, 'export'));
    await writeFile(join(root, 'export', 'part-1.json'), JSON.stringify({ Records: records }));
    await writeFile(join(root, 'export', 'part-2.json'), JSON.stringify({ Records: [] }, null, 1));

    const result = await read();

    expect(result.files.read).toBe(2);
    expect(result.summaries[0]?.regions.searched).toEqual(['eu-central-1', 'us-east-1']);
    expect(result.summaries[0]).toMatchObject(reference(records));
  });

  it('counts a region as searched even when no file of it mentions the key', async () => {
    const records = loadInvictusRecords().filter((record) => record.userIdentity?.accessKeyId !== INVICTUS_KEY);
    await writeDeliveries(
      root,
      records.map((record) => ({ ...record, awsRegion: 'sa-east-1' })),
    );

    const result = await read();

    expect(result.summaries[0]).toMatchObject({ totalEvents: 0, regions: { searched: ['sa-east-1'], failed: [] } });
  });

  it('leaves out pipes, which would never end', async () => {
    await writeDeliveries(root, loadInvictusRecords());
    execFileSync('mkfifo', [join(root, `${ACCOUNT}_CloudTrail_us-east-1_20230710T1145Z_pipe.json`)]);

    const result = await read();

    expect(result.files.failed).toEqual([]);
    expect(result.summaries[0]?.totalEvents).toBe(2104);
  });

  it('reads a single file given as the location', async () => {
    const [delivery] = await writeDeliveries(root, loadInvictusRecords(), { perFile: 3000, gzip: true });

    const result = await read({ location: (delivery as Delivery).path });

    expect(result.files.read).toBe(1);
    expect(result.summaries[0]?.totalEvents).toBe(2104);
  });

  it('reports progress after each file, ending with the totals', async () => {
    const deliveries = await writeDeliveries(root, loadInvictusRecords());
    await writeFile(join(root, 'README.md'), '# logs');
    const progress: { filesRead: number; filesSkipped: number; bytes: number }[] = [];

    const result = await read({ onProgress: (report) => progress.push(report) });

    expect(progress).toHaveLength(deliveries.length + 1);
    expect(progress.at(-1)).toMatchObject({ filesRead: deliveries.length, filesSkipped: 1, bytes: result.files.bytes });
    expect(progress.map((report) => report.filesRead + report.filesSkipped)).toEqual(
      progress.map((_, index) => index + 1),
    );
  });

  it('refuses a location that does not exist, a malformed key, and s3:// without a client', async () => {
    await expect(read({ location: join(root, 'nowhere') })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read({ accessKeyIds: ['AKIA"}'] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read({ accessKeyIds: [] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read({ location: 's3://bucket/AWSLogs/' })).rejects.toThrow(/S3 client/);
    await expect(read({ concurrency: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read({ window: { start: INVICTUS_WINDOW.end, end: INVICTUS_WINDOW.start } })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('lists what it could not look into, such as a link to nowhere, as failed, and as a part not searched', async () => {
    await writeDeliveries(root, loadInvictusRecords());
    await symlink(join(root, 'gone'), join(root, 'archive'));

    const result = await read();

    expect(result.files.failed).toEqual([
      { path: join(root, 'archive'), error: expect.stringMatching(/^could not be listed: ENOENT/) },
    ]);
    expect(result.summaries[0]?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [{ region: 'unknown', error: `${join(root, 'archive')}: ${result.files.failed[0]?.error}` }],
    });
    expect(result.summaries[0]?.totalEvents).toBe(2104);
  });

  it('lists the region of a day folder that cannot be listed as failed when no file of it was read', async () => {
    await writeDeliveries(root, loadInvictusRecords(), { layout: true });
    const day = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-west-2', '2023', '07', '10');
    await mkdir(dirname(day), { recursive: true });
    await symlink(join(root, 'gone'), day);

    const result = await read();

    expect(result.summaries[0]?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [{ region: 'us-west-2', error: expect.stringContaining(`${day}: could not be listed: ENOENT`) }],
    });
    expect(result.summaries[0]?.totalEvents).toBe(2104);
  });

  it('names the relative layout in failures so that a reader can find the file', async () => {
    const deliveries = await writeDeliveries(root, loadInvictusRecords(), { layout: true });
    const broken = deliveries[3] as Delivery;
    await writeFile(broken.path, '{"Records":[');

    const result = await read();

    expect(relative(root, result.files.failed[0]?.path ?? '')).toMatch(
      /^AWSLogs\/218007301253\/CloudTrail\/us-east-1\/2023\/07\/10\/.*\.json$/,
    );
    expect(result.files.failed).toEqual([{ path: broken.path, error: expect.stringMatching(/^not valid JSON/) }]);
  });

  it('lists a region as failed only when none of its files could be read, saying how many failed', async () => {
    const regions = ['us-east-1', 'eu-west-1'];
    const records = loadInvictusRecords().flatMap((record, index) => [
      record,
      shifted(record, 0, regions[index % 2] === 'us-east-1' ? 'eu-west-1' : 'us-east-1', 1),
    ]);
    const deliveries = await writeDeliveries(root, records, { layout: true });
    const europe = deliveries.filter((delivery) => delivery.path.includes('/eu-west-1/'));
    for (const delivery of europe) await writeFile(delivery.path, '{"Records":[');
    const first = europe.map((delivery) => delivery.path).sort()[0];

    const result = await read();

    const [summary] = result.summaries;
    expect(summary?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [
        {
          region: 'eu-west-1',
          error: expect.stringMatching(
            new RegExp(`^${europe.length} of ${europe.length} log files could not be read: ${first}: not valid JSON`),
          ),
        },
      ],
    });
    expect(result.files.failed).toHaveLength(europe.length);
    const kept = deliveries.filter((delivery) => !europe.includes(delivery)).flatMap((delivery) => delivery.records);
    expect(summary).toMatchObject(reference(kept));
  });

  it('lists a region of one account whose files all failed, keeping the region searched where other accounts’ files were read', async () => {
    const records = loadInvictusRecords();
    const day = String(records[0]?.eventTime).slice(0, 10).replaceAll('-', '/');
    const fileOf = async (account: string, name: string, text: string) => {
      const folder = join(root, `AWSLogs/o-abcd123456/${account}/CloudTrail/us-east-1/${day}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, name), text);
      return join(folder, name);
    };
    // The key's account's file, read; another account's, not readable.
    const key = records
      .filter(
        (record) =>
          (record.userIdentity as { accessKeyId?: string } | undefined)?.accessKeyId === INVICTUS_KEY &&
          String(record.eventTime).startsWith(day.replaceAll('/', '-')),
      )
      .slice(0, 3);
    expect(key).toHaveLength(3);
    await fileOf('111111111111', '111111111111_CloudTrail_us-east-1_a.json', JSON.stringify({ Records: key }));
    const denied = await fileOf('222222222222', '222222222222_CloudTrail_us-east-1_b.json', '{"Records":[');

    const [summary] = (await read()).summaries;

    expect(summary?.totalEvents).toBe(3);
    expect(summary?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [
        {
          region: 'us-east-1 (account 222222222222)',
          error: `1 of 1 log file could not be read: ${denied}: ${(await read()).files.failed[0]?.error}`,
        },
      ],
    });
  });

  it('reports one failed file of an account among read ones of the same account and region as a file, not a region', async () => {
    const records = loadInvictusRecords();
    const day = String(records[0]?.eventTime).slice(0, 10).replaceAll('-', '/');
    const folder = join(root, `AWSLogs/222222222222/CloudTrail/us-east-1/${day}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '222222222222_CloudTrail_us-east-1_a.json'), JSON.stringify({ Records: [] }));
    await writeFile(join(folder, '222222222222_CloudTrail_us-east-1_b.json'), '{"Records":[');

    const result = await read();

    expect(result.summaries[0]?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(result.files.failed).toHaveLength(1);
  });

  it('lists files whose path names no region as an unknown region only when no file at all could be read', async () => {
    await writeFile(join(root, 'export-1.json'), '{"Records":[');
    await writeFile(join(root, 'export-2.json'), 'not JSON');
    await writeFile(join(root, 'export-3.json'), JSON.stringify({ logFiles: [] }));

    const result = await read();

    expect(result.files).toMatchObject({ read: 0, skipped: 1 });
    expect(result.summaries[0]?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: 'unknown',
          error: `2 of 3 log files could not be read: ${join(root, 'export-1.json')}: ${result.files.failed[0]?.error}`,
        },
      ],
    });
  });
});
