import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import type { ActivitySummary } from '../../src/activity/activity-summary.js';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { runCli } from '../support/cli-runner.js';
import { ACTIVITY_SUMMARY_FIELDS } from '../support/contract.js';
import { INVICTUS_KEY, loadInvictusRecords } from '../support/fixtures.js';
import { emulatorCliEnv } from '../support/isolated-cli-env.js';
import { referenceSummary } from '../support/reference-summary.js';

/*
 * `exposed-keys investigate`, run as a user runs it, on the attack-simulation data set: from
 * CloudTrail log files laid out as S3 delivers them, and from LookupEvents (the loopback fixture).
 */

const WINDOW = ['--start', '2023-07-10T00:00:00Z', '--end', '2023-07-11T00:00:00Z'];
const DAY = 86_400_000;
/** LookupEvents holds 90 days: it serves the recorded attack moved by whole days to end about a week ago. */
const MOVED_BY = (Math.floor((Date.now() - Date.parse('2023-07-11T00:00:00Z')) / DAY) - 7) * DAY;
const MOVED_WINDOW = [
  '--start',
  moved('2023-07-10T00:00:00Z', MOVED_BY),
  '--end',
  moved('2023-07-11T00:00:00Z', MOVED_BY),
];

function moved(time: string, by: number): string {
  return new Date(Date.parse(time) + by).toISOString();
}

/** A summary with its times moved back by `by`, written alike: to compare summaries of records moved in time. */
function movedBack(summary: ActivitySummary, by: number): ActivitySummary {
  const back = (time: string) => moved(time, -by);
  return {
    ...summary,
    window: { start: back(summary.window.start), end: back(summary.window.end) },
    firstSeen: summary.firstSeen && back(summary.firstSeen),
    lastSeen: summary.lastSeen && back(summary.lastSeen),
    riskyEvents: summary.riskyEvents.map((event) => ({ ...event, eventTime: back(event.eventTime) })),
    ...(summary.sessionKeysMinted && {
      sessionKeysMinted: summary.sessionKeysMinted.map((minted) => ({ ...minted, eventTime: back(minted.eventTime) })),
    }),
  };
}

/** The account the data set's records were recorded in (their `recipientAccountId`). */
const RECORDED_IN = '123837392027';
let folder: string;
let records: CloudTrailRecord[];
let lookup: CloudTrailLookupServer;
// No server listens on port 9: an AWS call the test does not point elsewhere is refused at once.
const env = emulatorCliEnv('http://127.0.0.1:9');

beforeAll(async () => {
  records = loadInvictusRecords();
  folder = await mkdtemp(join(tmpdir(), 'exposed-keys-investigate-'));
  // Filed under the account its records name, as CloudTrail files them: the data set's own file
  // names were anonymised to another, under which its roles' sessions would be another account's.
  const day = join(folder, 'AWSLogs', RECORDED_IN, 'CloudTrail', 'us-east-1', '2023', '07', '10');
  await mkdir(day, { recursive: true });
  // Ten deliveries, half of them gzipped, with a digest file and a stray file beside them.
  for (let index = 0; index < 10; index += 1) {
    const body = JSON.stringify({ Records: records.filter((_, position) => position % 10 === index) });
    const name = `${RECORDED_IN}_CloudTrail_us-east-1_20230710T12${String(index).padStart(2, '0')}Z_part${index}.json`;
    await writeFile(join(day, index % 2 ? `${name}.gz` : name), index % 2 ? gzipSync(body) : body);
  }
  const digest = join(folder, 'AWSLogs', RECORDED_IN, 'CloudTrail-Digest', 'us-east-1', '2023', '07', '10');
  await mkdir(digest, { recursive: true });
  await writeFile(
    join(digest, `${RECORDED_IN}_CloudTrail-Digest_us-east-1_20230710T1200Z.json.gz`),
    gzipSync('{"digestStartTime":"x"}'),
  );
  await writeFile(join(folder, 'notes.txt'), 'not a log file');
  lookup = await startCloudTrailLookupServer({
    records: records.map((record) => ({ ...record, eventTime: moved(String(record.eventTime), MOVED_BY) })),
    requestsPerSecond: 0,
  });
});
afterAll(async () => {
  await lookup?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('investigate --logs on the attack-simulation data set', () => {
  it('prints the activity summary, as the contract defines it, equal to an independent reference', async () => {
    const run = await runCli(['investigate', '--key', INVICTUS_KEY, '--logs', folder, ...WINDOW, '--json'], env);

    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(Object.keys(summary)).toEqual([...ACTIVITY_SUMMARY_FIELDS, 'sessionKeysMinted']);
    const reference = referenceSummary(
      records,
      INVICTUS_KEY,
      new Date('2023-07-10T00:00:00Z'),
      new Date('2023-07-11T00:00:00Z'),
    );
    expect(summary).toMatchObject({ ...reference, source: 'cloudtrail-logs', userName: 'bert-jan', truncated: false });
    expect(summary.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(run.stderr).toMatch(/Log files: 10 read, 2 skipped/);
  });

  it("adds the second hop with --follow-sessions, apart from the key's own activity", async () => {
    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, '--logs', folder, ...WINDOW, '--json', '--follow-sessions'],
      env,
    );

    const { activity, sessionActivity } = JSON.parse(run.stdout);
    expect(activity.totalEvents).toBe(2104);
    expect(sessionActivity.map((summary: { accessKeyId: string }) => summary.accessKeyId).sort()).toEqual(
      activity.sessionKeys,
    );
    expect(sessionActivity[0]).toMatchObject({ accessKeyId: 'ASIATFQR7NSCWLLE7IWW', totalEvents: 29 });
  });

  it('renders tables, the risky events as a timeline, the session keys and a verdict for a person', async () => {
    const run = await runCli(['investigate', '--key', INVICTUS_KEY, '--logs', folder, ...WINDOW], env);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^In brief: 2,104 calls from 1 address, 236 risky calls among them\.$/m);
    expect(run.stdout).toMatch(/^ {2}• created 13 roles\n {2}• granted 12 policies\n {2}• created 4 users$/m);
    expect(run.stdout).toMatch(
      /Risky events, in time order \(236: defense-evasion 10, persistence 44, credential-minting 23, credential-access 147/,
    );
    expect(run.stdout).toMatch(/Session keys minted \(10\)\n {2}ASIATFQR7NSC2632JLFK/);
    expect(run.stdout).toMatch(/API calls \(178 distinct\)\n {2}count {2}value\n {4}155 {2}DescribeRouteTables/);
    expect(run.stdout).toMatch(/What the session keys did \(second hop, 10 keys\)/);
  });

  it('lists a file past --max-file-mb as not read, with the reason, and counts the rest', async () => {
    const capped = await mkdtemp(join(tmpdir(), 'exposed-keys-capped-'));
    try {
      const day = join(capped, 'AWSLogs', '218007301253', 'CloudTrail', 'us-east-1', '2023', '07', '10');
      await mkdir(day, { recursive: true });
      const small = records.slice(0, 100);
      const large = records.slice(100);
      await writeFile(
        join(day, '218007301253_CloudTrail_us-east-1_20230710T1200Z_small.json'),
        JSON.stringify({ Records: small }),
      );
      // Over 1 MiB once inflated: the cap is on the text, not on the bytes stored.
      await writeFile(
        join(day, '218007301253_CloudTrail_us-east-1_20230710T1205Z_large.json.gz'),
        gzipSync(JSON.stringify({ Records: large })),
      );

      const run = await runCli(
        ['investigate', '--key', INVICTUS_KEY, '--logs', capped, ...WINDOW, '--max-file-mb', '1'],
        env,
      );

      // A file of the window not read: the search is not complete, whatever else was read.
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/_large\.json\.gz: inflates to more than 1 MiB \(--max-file-mb\)/);
      const expected = small.filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY).length;
      expect(run.stdout).toMatch(new RegExp(`In brief: ${expected.toLocaleString('en-US')} calls`));
    } finally {
      await rm(capped, { recursive: true, force: true });
    }
  });

  it('names the files it could not read one to a line on stderr: ten of them, or with --verbose every one', async () => {
    const damaged = await mkdtemp(join(tmpdir(), 'exposed-keys-damaged-'));
    try {
      const day = join(damaged, 'AWSLogs', '218007301253', 'CloudTrail', 'us-east-1', '2023', '07', '10');
      await mkdir(day, { recursive: true });
      await writeFile(
        join(day, '218007301253_CloudTrail_us-east-1_20230710T1200Z_good.json'),
        JSON.stringify({ Records: records.slice(0, 100) }),
      );
      for (let index = 0; index < 12; index += 1)
        await writeFile(
          join(day, `218007301253_CloudTrail_us-east-1_20230710T13${10 + index}Z_bad.json`),
          '{"Records":[',
        );
      const unreadable = /^ {2}\S+_bad\.json: not valid JSON/gm;

      const brief = await runCli(['investigate', '--key', INVICTUS_KEY, '--logs', damaged, ...WINDOW], env);
      const verbose = await runCli(
        ['investigate', '--key', INVICTUS_KEY, '--logs', damaged, ...WINDOW, '--verbose'],
        env,
      );

      const json = await runCli(['investigate', '--key', INVICTUS_KEY, '--logs', damaged, ...WINDOW, '--json'], env);

      expect(brief.code, brief.stderr).toBe(3);
      expect(brief.stderr).toMatch(
        /^Log files: 1 read, 0 skipped \(digest, Insight or not CloudTrail\), 12 unreadable:$/m,
      );
      expect(brief.stderr.match(unreadable)).toHaveLength(10);
      expect(brief.stderr).toMatch(/^ {2}… 2 more \(--verbose names them all\)$/m);
      expect(verbose.stderr.match(unreadable)).toHaveLength(12);
      // The summary itself says so, for a reader of --json alone: the region was searched, 12 files were not read.
      expect(json.code, json.stderr).toBe(3);
      const summary = JSON.parse(json.stdout);
      expect(summary.regions).toEqual({ searched: ['us-east-1'], failed: [] });
      expect(summary.filesNotRead.count).toBe(12);
      expect(summary.filesNotRead.files[0]).toEqual({
        path: join(day, '218007301253_CloudTrail_us-east-1_20230710T1310Z_bad.json'),
        error: expect.stringMatching(/^not valid JSON/),
      });
    } finally {
      await rm(damaged, { recursive: true, force: true });
    }
  });

  it('says there is nothing to read, and exits 2, for a folder with no CloudTrail deliveries', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'exposed-keys-empty-'));
    try {
      const run = await runCli(['investigate', '--key', INVICTUS_KEY, '--logs', empty, ...WINDOW], env);

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/No CloudTrail log files were found/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('investigate through LookupEvents', () => {
  it('gives the same summary from the API as from the files, but for its source', async () => {
    const [fromApi, fromFiles] = await Promise.all([
      runCli(['investigate', '--key', INVICTUS_KEY, '--regions', 'us-east-1', ...MOVED_WINDOW, '--json'], {
        ...env,
        AWS_ENDPOINT_URL_CLOUDTRAIL: lookup.endpoint,
      }),
      runCli(['investigate', '--key', INVICTUS_KEY, '--logs', folder, ...WINDOW, '--json'], env),
    ]);

    expect(fromApi.code, fromApi.stderr).toBe(0);
    expect({ ...movedBack(JSON.parse(fromApi.stdout), MOVED_BY), source: 'cloudtrail-logs' }).toEqual(
      movedBack(JSON.parse(fromFiles.stdout), 0),
    );
  });

  it('reads only the 90 days LookupEvents holds of a window reaching further back, and says so', async () => {
    const start = new Date(Date.now() - 120 * DAY).toISOString();

    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, '--regions', 'us-east-1', '--start', start, '--json'],
      { ...env, AWS_ENDPOINT_URL_CLOUDTRAIL: lookup.endpoint },
    );

    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as ActivitySummary;
    expect(Date.parse(summary.window.start)).toBeGreaterThanOrEqual(Date.now() - 90 * DAY - 60_000);
    expect(summary.truncated).toBe(true);
    expect(summary.totalEvents).toBe(2104);
    expect(run.stderr).toMatch(
      new RegExp(
        `^warning: Searched from ${summary.window.start}, not ${start}: LookupEvents holds only the last 90 days`,
        'm',
      ),
    );
  });

  it('says how to search again, over the window searched, the regions LookupEvents refused', async () => {
    const denying = await startCloudTrailLookupServer({
      records: [],
      requestsPerSecond: 0,
      fault: ({ region }) => (region === 'eu-west-1' ? 'access-denied' : null),
    });
    try {
      const run = await runCli(
        ['investigate', '--key', INVICTUS_KEY, '--regions', 'us-east-1,eu-west-1', ...MOVED_WINDOW],
        { ...env, AWS_ENDPOINT_URL_CLOUDTRAIL: denying.endpoint },
      );

      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/^warning: Region not searched: eu-west-1: .*AccessDeniedException/m);
      expect(run.stderr).toContain(
        `warning: Search them again: exposed-keys investigate --key ${INVICTUS_KEY} --regions eu-west-1 --start ${MOVED_WINDOW[1]} --end ${MOVED_WINDOW[3]}\n`,
      );
    } finally {
      await denying.stop();
    }
  });

  it('exits 3, naming each region and their one reason once, when no region can be searched', async () => {
    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, '--regions', 'us-east-1,eu-west-1', '--hours', '24', '--timeout', '1'],
      env,
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /No region could be searched for AKIATFQR7NSC8Q4X20BJ: eu-west-1, us-east-1: gave up after 3 attempts: [^;]*ECONNREFUSED[^;]*\n/,
    );
  });
});
