import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { emulatorCliEnv } from '../support/isolated-cli-env.js';
import { useMoto } from '../support/moto.js';

/*
 * `exposed-keys respond --athena-table`, against moto: the key is contained, then investigated with
 * Athena (moto answers the query with the rows queued for it), and the response says so.
 */

const moto = useMoto();

function env(): Record<string, string> {
  return emulatorCliEnv(moto().endpoint);
}

/** alice's key, with the Athena answer moto gives the next query: 3 ListBuckets an hour ago. */
async function keyWithQueuedActivity(): Promise<{ key: string; at: number }> {
  const { iam, endpoint } = moto();
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey?.AccessKeyId as string;
  const glue = new GlueClient({ region: 'us-east-1', endpoint });
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'cloudtrail' } }));
  await glue.send(new CreateTableCommand({ DatabaseName: 'cloudtrail', TableInput: { Name: 'events' } }));
  const at = Date.now() - 3_600_000;
  const names = ['access_key', 'facet', 'events', 'first_ms', 'last_ms'];
  const rows = [
    names,
    [key, 'total', '3', String(at), String(at + 60_000)],
    [key, 'eventNames|ListBuckets', '3', String(at), String(at + 60_000)],
  ];
  await fetch(`${endpoint}/moto-api/static/athena/query-results`, {
    method: 'POST',
    body: JSON.stringify({
      results: [
        {
          rows: rows.map((values) => ({ Data: values.map((value) => ({ VarCharValue: value })) })),
          column_info: names.map((Name) => ({ Name, Type: 'varchar' })),
        },
      ],
    }),
  });
  return { key, at };
}

describe('respond --athena-table against moto', () => {
  it('contains the key, then investigates it with Athena, and says what the query scanned', async () => {
    const { iam } = moto();
    const { key, at } = await keyWithQueuedActivity();

    const run = await runCli(
      ['respond', '--key', key, '--athena-table', 'cloudtrail.events', '--no-follow-sessions', '--yes', '--json'],
      env(),
    );

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.containment.outcome).toBe('deleted');
    expect(result.activity).toMatchObject({
      source: 'athena',
      totalEvents: 3,
      eventNames: [{ name: 'ListBuckets', count: 3 }],
      firstSeen: new Date(at).toISOString(),
    });
    expect(run.stderr).toMatch(/Athena scanned 0 B in 1 query/);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata).toEqual([]);
  });

  it('still investigates with --dry-run, and names its one write: the query results Athena put in S3', async () => {
    const { iam, s3 } = moto();
    const { key } = await keyWithQueuedActivity();
    await s3.send(new CreateBucketCommand({ Bucket: 'athena-results' }));

    const run = await runCli(
      [
        'respond',
        '--key',
        key,
        '--athena-table',
        'cloudtrail.events',
        '--athena-output',
        's3://athena-results/exposed-keys/',
        '--no-follow-sessions',
        '--dry-run',
        '--json',
      ],
      env(),
    );

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.containment.outcome).toBe('planned');
    expect(result.activity).toMatchObject({ source: 'athena', totalEvents: 3 });
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata).toEqual([
      expect.objectContaining({ AccessKeyId: key, Status: 'Active' }),
    ]);
    // What Athena wrote is there, and the run names it.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'athena-results', Prefix: 'exposed-keys/' }));
    const written = (listed.Contents ?? []).map((object) => `s3://athena-results/${object.Key}`);
    expect(written).toHaveLength(1);
    expect(run.stderr).toContain(
      `Dry run: nothing was changed but for Athena's query results, which Athena writes to S3 for every query: ${written[0]}`,
    );
  });
});
