import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { RECORDED } from '../demo/attack-records.js';
import { startCloudTrailLookupServer } from '../emulators/cloudtrail-lookup-server.js';
import { startFaultProxy } from '../emulators/fault-proxy.js';
import { startMoto } from '../emulators/moto.js';
import { accessKeyOf, type CloudTrailRecord } from '../src/activity/cloudtrail-record.js';
import { awsCliV2 } from './aws-cli-v2.js';
import {
  type CliSnapshot,
  cliIsBuilt,
  notMeasured,
  PROJECT_ROOT,
  ratioGoal,
  snapshotCli,
  spread,
  succeeded,
  type TimedRun,
  timedRun,
} from './bench-support.js';
import { type Benchmark, type BenchResult, median } from './harness.js';

/*
 * A manual response from a laptop, end to end: `exposed-keys respond` contains the key, reads its
 * CloudTrail activity in one region and notifies a topic, in one process. The baseline is what a
 * responder without the tool types: the AWS CLI v2 deleting the key, looking up its events and
 * publishing a message, one process after another. Both sides talk to the same moto and the same
 * LookupEvents fixture on 127.0.0.1, each iteration with a fresh key created before timing, and
 * both read the same activity: the latest page (50 events) of the recorded attack's key, replayed as
 * the new key's (as the demonstration replays it).
 */

const GOAL = 0.25;
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const EVENTS = 50;
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Side {
  wall: number[];
  lookups: number[];
  events: number[];
}

/** The latest `EVENTS` records the recorded attack's key made, oldest first. */
function recordedTail(): CloudTrailRecord[] {
  const text = gunzipSync(readFileSync(join(PROJECT_ROOT, 'data', 'cloudtrail', 'stratus-invictus.json.gz')));
  return (JSON.parse(text.toString('utf8')) as { Records: CloudTrailRecord[] }).Records.filter(
    (record) => accessKeyOf(record) === RECORDED.accessKeyId,
  )
    .sort((a, b) => Date.parse(String(a.eventTime)) - Date.parse(String(b.eventTime)))
    .slice(-EVENTS);
}

/** The records replayed as the activity of `accessKeyId` of `userName`, ending two hours ago (as the demonstration does). */
function replayAs(tail: readonly CloudTrailRecord[], accessKeyId: string, userName: string): CloudTrailRecord[] {
  const last = Math.max(...tail.map((record) => Date.parse(String(record.eventTime))));
  const shift = Date.now() - 2 * 3_600_000 - last;
  const text = JSON.stringify(tail)
    .replaceAll(RECORDED.accessKeyId, accessKeyId)
    .replaceAll(`"${RECORDED.userName}"`, JSON.stringify(userName))
    .replaceAll(`user/${RECORDED.userName}`, `user/${userName}`)
    .replaceAll(RECORDED.accountId, ACCOUNT);
  return (JSON.parse(text) as CloudTrailRecord[]).map((record) => ({
    ...record,
    eventTime: new Date(Date.parse(String(record.eventTime)) + shift).toISOString().replace('.000Z', 'Z'),
  }));
}

const benchmark: Benchmark = {
  title: 'respond end to end against moto: exposed-keys against the AWS CLI v2',
  async run(): Promise<BenchResult[]> {
    const row = {
      name: 'exposed-keys respond --key K --regions us-east-1 --yes --topic T',
      baseline: 'AWS CLI v2: iam delete-access-key, cloudtrail lookup-events, sns publish (3 processes)',
      unit: 'ms',
      goal: ratioGoal(GOAL),
    };
    if (!cliIsBuilt()) return [notMeasured(row, 'the CLI is not built (run `npm run build`)')];
    const aws = awsCliV2();
    if ('problem' in aws) return [notMeasured(row, aws.problem)];
    const runs = Number(process.env.BENCH_RESPOND_RUNS ?? 7);

    // Everything started is stopped in reverse order, whatever happens.
    const cleanups: (() => unknown)[] = [];
    try {
      const cli: CliSnapshot = await snapshotCli();
      cleanups.push(() => cli.remove());
      const home = await mkdtemp(join(tmpdir(), 'exposed-keys-bench-respond-'));
      cleanups.push(() => rm(home, { recursive: true, force: true }));
      const moto = await startMoto();
      cleanups.push(() => moto.stop());
      const cloudTrail = await startCloudTrailLookupServer({ records: [] });
      cleanups.push(() => cloudTrail.stop());
      const proxy = await startFaultProxy(moto.endpoint);
      cleanups.push(() => proxy.stop());
      const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
      const sns = new SNSClient({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
      cleanups.push(
        () => iam.destroy(),
        () => sns.destroy(),
      );
      const emptyAwsFile = join(home, 'empty');
      await writeFile(emptyAwsFile, '');
      // Fake credentials, one region, and nothing from this machine's AWS setup, for both sides.
      const common: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: emptyAwsFile,
        AWS_SHARED_CREDENTIALS_FILE: emptyAwsFile,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      const oursEnv = (endpoint: string) => ({
        ...common,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
        NO_COLOR: '1',
      });
      // The AWS CLI is aimed at the emulators call by call (--endpoint-url); no pager.
      const theirsEnv = { ...common, AWS_PAGER: '' };
      const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: 'security' }));
      if (!topicArn) throw new Error('moto created no topic');

      const tail = recordedTail();
      let serial = 0;
      const freshKey = async (prefix: string) => {
        serial += 1;
        const userName = `${prefix}-${serial}`;
        await iam.send(new CreateUserCommand({ UserName: userName }));
        const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
        const accessKeyId = created.AccessKey?.AccessKeyId as string;
        return { userName, accessKeyId, records: replayAs(tail, accessKeyId, userName) };
      };
      const lookups = () => [...cloudTrail.requests.values()].reduce((sum, count) => sum + count, 0);
      const keyIsGone = async (userName: string, accessKeyId: string) => {
        const answer = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
        return !(answer.AccessKeyMetadata ?? []).some((key) => key.AccessKeyId === accessKeyId);
      };

      const ours = async (key: { accessKeyId: string }, endpoint = moto.endpoint) => {
        const before = lookups();
        const run = succeeded(
          await timedRun(
            process.execPath,
            [cli.bin, 'respond', '--key', key.accessKeyId, '--regions', REGION, '--yes', '--topic', topicArn],
            oursEnv(endpoint),
          ),
          'exposed-keys respond',
        );
        const events = Number(/Investigation: (\d+) events/.exec(run.stdout)?.[1] ?? Number.NaN);
        return { wallMs: run.wallMs, lookups: lookups() - before, events };
      };
      const theirs = async (key: { accessKeyId: string; userName: string }) => {
        const before = lookups();
        const call = async (args: string[], what: string): Promise<TimedRun> =>
          succeeded(await timedRun(aws.path, [...args, '--output', 'json'], theirsEnv), what);
        const start = performance.now();
        const remove = await call(
          [
            'iam',
            'delete-access-key',
            '--user-name',
            key.userName,
            '--access-key-id',
            key.accessKeyId,
            '--endpoint-url',
            moto.endpoint,
          ],
          'aws iam delete-access-key',
        );
        const lookup = await call(
          [
            'cloudtrail',
            'lookup-events',
            '--lookup-attributes',
            `AttributeKey=AccessKeyId,AttributeValue=${key.accessKeyId}`,
            '--endpoint-url',
            cloudTrail.endpoint,
          ],
          'aws cloudtrail lookup-events',
        );
        const events = (JSON.parse(lookup.stdout) as { Events?: unknown[] }).Events?.length ?? 0;
        const publish = await call(
          [
            'sns',
            'publish',
            '--topic-arn',
            topicArn,
            '--subject',
            `Exposed access key ${key.accessKeyId} deleted`,
            '--message',
            `The exposed access key ${key.accessKeyId} of ${key.userName} was deleted. It made ${events} calls in the last 24 hours; see the attached lookup.`,
            '--endpoint-url',
            moto.endpoint,
          ],
          'aws sns publish',
        );
        const wallMs = performance.now() - start;
        return {
          wallMs,
          calls: [remove.wallMs, lookup.wallMs, publish.wallMs],
          lookups: lookups() - before,
          events,
        };
      };

      // Warm-up (untimed): each side once, ours through a recording proxy to list the calls it makes.
      const warmOurs = await freshKey('warm-ours');
      const warmTheirs = await freshKey('warm-cli');
      cloudTrail.setRecords([...warmOurs.records, ...warmTheirs.records]);
      await ours(warmOurs, proxy.endpoint);
      const ourCalls = proxy.calls.map((call) => `${call.service}:${call.action}`);
      await theirs(warmTheirs);

      const mine: Side = { wall: [], lookups: [], events: [] };
      const awsCli: Side = { wall: [], lookups: [], events: [] };
      const perCall: number[][] = [[], [], []];
      let contained = true;
      for (let run = 0; run < runs; run += 1) {
        const ourKey = await freshKey('ours');
        const theirKey = await freshKey('cli');
        cloudTrail.setRecords([...ourKey.records, ...theirKey.records]);
        // Alternate who goes first, so that neither always follows the other.
        const order = run % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
        for (const side of order) {
          if (side === 'ours') {
            const result = await ours(ourKey);
            mine.wall.push(result.wallMs);
            mine.lookups.push(result.lookups);
            mine.events.push(result.events);
          } else {
            const result = await theirs(theirKey);
            awsCli.wall.push(result.wallMs);
            awsCli.lookups.push(result.lookups);
            awsCli.events.push(result.events);
            for (const [index, ms] of result.calls.entries()) perCall[index]?.push(ms);
          }
        }
        contained &&=
          (await keyIsGone(ourKey.userName, ourKey.accessKeyId)) &&
          (await keyIsGone(theirKey.userName, theirKey.accessKeyId));
      }

      const value = median(mine.wall);
      const baselineValue = median(awsCli.wall);
      const ratio = value / baselineValue;
      const sameEvents = [...mine.events, ...awsCli.events].every((count) => count === EVENTS);
      const counted = ourCalls.reduce(
        (map, call) => map.set(call, (map.get(call) ?? 0) + 1),
        new Map<string, number>(),
      );
      const callList = [...counted].map(([call, count]) => (count > 1 ? `${call} x${count}` : call)).join(', ');
      const [remove, lookup, publish] = perCall.map((samples) => median(samples).toFixed(0));
      return [
        {
          ...row,
          value,
          baselineValue,
          ratio,
          met: ratio <= GOAL,
          note:
            `medians of ${runs} iterations, each with two fresh keys created in moto before timing, sides alternating; ` +
            `exposed-keys: one Node process (${spread(mine.wall)} ms) that made ${ourCalls.length + (mine.lookups[0] ?? 0)} AWS calls (${callList}, plus cloudtrail:LookupEvents x${mine.lookups[0] ?? 0}): checked the caller and the key's owner, deleted the key, denied older sessions, read its activity in ${REGION}, summarised it and published one message; ` +
            `AWS CLI v2 (${aws.version}, ${aws.path}): 3 processes one after another (${spread(awsCli.wall)} ms in all; medians delete-access-key ${remove} ms, lookup-events ${lookup} ms, publish ${publish} ms), no summary; ` +
            `activity served: the latest ${EVENTS} events (one page) of the recorded attack replayed as each key's; events read ${sameEvents ? `${EVENTS} by both sides every time` : `ours ${mine.events.join('/')}, AWS CLI ${awsCli.events.join('/')}`}; LookupEvents requests per run ours ${mine.lookups.join('/')}, AWS CLI ${awsCli.lookups.join('/')}; keys ${contained ? 'deleted on both sides every time' : 'NOT ALWAYS DELETED'}`,
        },
      ];
    } catch (error) {
      // A side that fails is reported, not thrown: the other benchmarks still run.
      return [notMeasured(row, `a run failed: ${error instanceof Error ? error.message : String(error)}`)];
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  },
};

export default benchmark;
