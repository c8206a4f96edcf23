import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { logFilesSource } from '../../../../src/activity/log-files/log-files-source.js';
import { ExitCode, InvalidInputError, InvestigationError } from '../../../../src/errors.js';
import { investigateKey } from '../../../../src/steps/investigate.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { gzipBomb } from '../../../support/gzip-bomb.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const WINDOW = { start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') };
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'exposed-keys-source-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function delivery(name: string, content: string | Buffer): Promise<void> {
  const folder = join(root, 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/26');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, name), content);
}

describe('logFilesSource, through the investigation step', () => {
  it('calls local files that cannot be read bad input (exit 2), not an AWS failure, naming each', async () => {
    await delivery('123456789012_CloudTrail_us-east-1_20261126T1000Z_a.json.gz', Buffer.from('not gzip at all'));

    const run = investigateKey(
      { source: logFilesSource({}, { location: root }) },
      { accessKeyId: KEY, window: WINDOW },
    );

    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    await expect(run).rejects.toMatchObject({ field: '--logs', exitCode: ExitCode.badInput });
    await expect(run).rejects.toThrow(/_a\.json\.gz/);
  });

  it('calls objects of S3 that cannot be read an AWS failure (exit 3)', () => {
    const source = logFilesSource({}, { location: 's3://trail-bucket/AWSLogs/' });

    expect(source.unsearchable('none read')).toBeInstanceOf(InvestigationError);
  });

  it('refuses a folder without a single CloudTrail delivery, rather than reporting a key that did nothing', async () => {
    await writeFile(join(root, 'notes.txt'), 'nothing here');

    const run = logFilesSource({}, { location: root }).summarize({ accessKeyIds: [KEY], window: WINDOW });

    await expect(run).rejects.toThrow(
      /^No CloudTrail log files were found under .* for the window \(2026-11-26T00:00:00\.000Z to 2026-11-27T00:00:00\.000Z, give or take a day; 1 other files skipped\)\.$/,
    );
  });

  it('refuses files all dated outside the window (bad input), naming how many and their days, rather than 0 events', async () => {
    await delivery('123456789012_CloudTrail_us-east-1_20261126T1000Z_a.json', '{"Records":[]}');
    const nextWeek = { start: new Date('2026-12-03T00:00:00Z'), end: new Date('2026-12-04T00:00:00Z') };

    const run = investigateKey(
      { source: logFilesSource({}, { location: root }) },
      { accessKeyId: KEY, window: nextWeek },
    );

    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    await expect(run).rejects.toThrow(
      /^None of the 1 CloudTrail log file under .* lies within a day of the window \(2026-12-03T00:00:00\.000Z to 2026-12-04T00:00:00\.000Z\): it is dated on 2026-11-26\.$/,
    );
    await expect(run).rejects.toMatchObject({ hint: expect.stringContaining('--start 2026-11-26') });
  });
});

describe('logFilesSource', () => {
  it('reports a file that only the second read (the session keys’) could not read, rather than nowhere', async () => {
    const records = loadInvictusRecords();
    await writeFile(join(root, 'part-1.json'), JSON.stringify({ Records: records.slice(0, 400) }));
    await writeFile(join(root, 'part-2.json'), JSON.stringify({ Records: records.slice(400) }));
    const source = logFilesSource({}, { location: root, workers: 0 });
    await source.summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });
    expect(source.files?.failed).toBe(0);
    // Between the two reads the object changes (expired, replaced, a connection dropped).
    await writeFile(join(root, 'part-2.json'), '{"Records":[');

    await source.summarize({ accessKeyIds: ['ASIAEXAMPLESESSION01'], window: INVICTUS_WINDOW });

    expect(source.files).toMatchObject({
      read: 2,
      failed: 1,
      failedFiles: [
        {
          path: join(root, 'part-2.json'),
          error: expect.stringMatching(/^read again for the session keys: not valid JSON/),
        },
      ],
    });
  });

  it('names in each summary the files its read could not read among others read: the first 100, exact, and how many', async () => {
    const records = loadInvictusRecords();
    await delivery('123456789012_CloudTrail_us-east-1_20261126T1000Z_good.json', JSON.stringify({ Records: records }));
    for (let index = 0; index < 102; index += 1)
      await delivery(`123456789012_CloudTrail_us-east-1_20261126T1000Z_${String(index).padStart(3, '0')}.json`, '[');
    // Sorts first: its name is kept exact, as every value of the summary is (whoever shows it makes it inert).
    await delivery('123456789012_CloudTrail_us-east-1_20261126T1000Z_!\u202Eevil.json', '{"Records":[');
    const source = logFilesSource({}, { location: root, workers: 0 });

    const [summary] = await source.summarize({ accessKeyIds: [KEY], window: WINDOW });
    const clean = logFilesSource(
      {},
      {
        location: join(
          root,
          'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/26/123456789012_CloudTrail_us-east-1_20261126T1000Z_good.json',
        ),
        workers: 0,
      },
    );
    const [whole] = await clean.summarize({ accessKeyIds: [KEY], window: WINDOW });

    // The region was read: only the summary's own field says that files of it were not.
    expect(summary?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(summary?.filesNotRead?.count).toBe(103);
    expect(summary?.filesNotRead?.files).toHaveLength(100);
    expect(summary?.filesNotRead?.files.slice(0, 2)).toEqual([
      { path: expect.stringMatching(/_!\u202Eevil\.json$/), error: expect.stringMatching(/^not valid JSON/) },
      { path: expect.stringMatching(/_000\.json$/), error: expect.any(String) },
    ]);
    expect(source.files?.failed).toBe(103);
    expect(whole).not.toHaveProperty('filesNotRead');
  });

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
      readAgain: null,
      // The files' names name no account; their records, the one that received them.
      accounts: ['123837392027'],
    });
    expect(byDefault.files).toEqual({
      read: 2,
      skipped: 0,
      outsideWindow: 0,
      failed: 0,
      failedFiles: [],
      readAgain: null,
      accounts: ['123837392027'],
    });
  });
});

describe('logFilesSource and the accounts its files hold', () => {
  const assumed = {
    eventID: 'e1',
    eventTime: '2026-11-26T10:00:00Z',
    eventName: 'AssumeRole',
    eventSource: 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    userIdentity: { accessKeyId: KEY },
    requestParameters: { roleArn: 'arn:aws:iam::999999999999:role/Admin' },
    responseElements: {
      credentials: { accessKeyId: 'ASIAEEEEEEEEEEEEEEEE' },
      assumedRoleUser: { arn: 'arn:aws:sts::999999999999:assumed-role/Admin/s' },
    },
  };

  it('does not take a role session of an account none of whose files it read, found quiet, for one that did nothing', async () => {
    await delivery('123456789012_CloudTrail_us-east-1_20261126T1000Z_a.json', JSON.stringify({ Records: [assumed] }));
    const source = logFilesSource({}, { location: root, workers: 0 });

    const { sessionActivity } = await investigateKey({ source }, { accessKeyId: KEY, window: WINDOW });

    expect(await source.readsAccount?.('123456789012')).toBe(true);
    expect(await source.readsAccount?.('999999999999')).toBe(false);
    expect(sessionActivity[0]?.regions).toEqual({
      searched: [],
      failed: [
        { region: '(every region) of account 999999999999', error: expect.stringMatching(/--account 999999999999/) },
      ],
    });
  });

  it.each([0, 1])(
    'takes the account that received the records for one whose calls it read, whatever the path says (%i workers)',
    async (workers) => {
      // As the attack-simulation data set was published: files named for one account, holding
      // records another received, the role sessions among them.
      const received = { ...assumed, recipientAccountId: '999999999999' };
      await delivery(
        '123456789012_CloudTrail_us-east-1_20261126T1000Z_a.json',
        JSON.stringify({ Records: [received] }),
      );
      const source = logFilesSource({}, { location: root, workers });

      const { sessionActivity } = await investigateKey({ source }, { accessKeyId: KEY, window: WINDOW });

      expect(source.files?.accounts).toEqual(['123456789012', '999999999999']);
      expect(await source.readsAccount?.('999999999999')).toBe(true);
      expect(sessionActivity[0]?.regions.failed).toEqual([]);
      expect(sessionActivity[0]?.totalEvents).toBe(0);
    },
  );

  it('knows the account of a file whose path names none from its records', async () => {
    await writeFile(
      join(root, 'copied.json'),
      JSON.stringify({ Records: [{ ...assumed, recipientAccountId: '123456789012' }] }),
    );
    const source = logFilesSource({}, { location: root, workers: 0 });

    const { sessionActivity } = await investigateKey({ source }, { accessKeyId: KEY, window: WINDOW });

    expect(await source.readsAccount?.('999999999999')).toBe(false);
    expect(sessionActivity[0]?.regions.failed).toEqual([
      { region: '(every region) of account 999999999999', error: expect.stringMatching(/--account 999999999999/) },
    ]);
  });

  it('cannot tell when a file read names no account', async () => {
    await writeFile(join(root, 'copied.json'), JSON.stringify({ Records: [assumed] }));
    const source = logFilesSource({}, { location: root, workers: 0 });

    const { sessionActivity } = await investigateKey({ source }, { accessKeyId: KEY, window: WINDOW });

    expect(await source.readsAccount?.('999999999999')).toBeUndefined();
    expect(sessionActivity[0]?.regions.failed).toEqual([]);
  });
});
