import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
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

describe('respond --athena-table against moto', () => {
  it('contains the key, then investigates it with Athena, and says what the query scanned', async () => {
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
});
