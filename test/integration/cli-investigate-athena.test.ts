import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activitySql, type TableLayout } from '../../src/activity/athena/activity-sql.js';
import { runCli } from '../support/cli-runner.js';
import { ACTIVITY_SUMMARY_FIELDS } from '../support/contract.js';
import { DuckDbAthena } from '../support/duckdb-athena.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../support/fixtures.js';
import { emulatorCliEnv } from '../support/isolated-cli-env.js';
import { useMoto } from '../support/moto.js';
import { summarizeRecords } from '../support/summaries.js';

/*
 * `exposed-keys investigate --athena-table`, run as a user runs it, against moto's Athena and Glue.
 * moto runs no SQL: it answers each query with the result queued for it. The result queued here is
 * what DuckDB answers to the very query the CLI sends, so the contract printed comes from real SQL.
 */

const moto = useMoto();
const ACCOUNT = '123837392027';
const LAYOUT: TableLayout = {
  name: { database: 'cloudtrail', table: 'events' },
  partitions: { date: 'timestamp', region: 'region', account: 'account' },
};
const WINDOW = ['--start', INVICTUS_WINDOW.start.toISOString(), '--end', INVICTUS_WINDOW.end.toISOString()];
const BIN = fileURLToPath(new URL('../../bin/exposed-keys.js', import.meta.url));

let duck: DuckDbAthena;
beforeAll(async () => {
  duck = await DuckDbAthena.open();
});
afterAll(() => duck.close());

function env(): Record<string, string> {
  return emulatorCliEnv(moto().endpoint);
}

function athena() {
  return new AthenaClient({ region: 'us-east-1', endpoint: moto().endpoint });
}

async function motoApi(path: string, body: unknown): Promise<void> {
  const answer = await fetch(`${moto().endpoint}/moto-api/${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!answer.ok) throw new Error(`moto-api/${path}: ${answer.status}`);
}

/** Queues, as moto's answer to the next query, what DuckDB answers to `accessKeyIds`' activity query. */
async function queueAnswer(accessKeyIds: string[]): Promise<void> {
  const rows = await duck.query(activitySql(LAYOUT, { accessKeyIds, window: INVICTUS_WINDOW, accounts: [ACCOUNT] }));
  const names = ['access_key', 'facet', 'events', 'first_ms', 'last_ms'] as const;
  const text = (values: readonly (string | null)[]) => ({
    Data: values.map((value) => (value === null ? {} : { VarCharValue: value })),
  });
  await motoApi('static/athena/query-results', {
    account_id: '123456789012',
    region: 'us-east-1',
    results: [
      {
        rows: [text(names), ...rows.map((row) => text(names.map((name) => row[name])))],
        column_info: names.map((Name) => ({ Name, Type: 'varchar' })),
      },
    ],
  });
}

beforeEach(async () => {
  const glue = new GlueClient({ region: 'us-east-1', endpoint: moto().endpoint });
  // moto's CloudFormation skips Glue resources: the table the stack would create is made here.
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'cloudtrail' } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'cloudtrail',
      TableInput: {
        Name: 'events',
        PartitionKeys: [
          { Name: 'account', Type: 'string' },
          { Name: 'region', Type: 'string' },
          { Name: 'timestamp', Type: 'string' },
        ],
        Parameters: { 'projection.enabled': 'true', 'projection.timestamp.format': 'yyyy/MM/dd' },
      },
    }),
  );
});

const ATHENA = ['--athena-table', 'cloudtrail.events', '--accounts', ACCOUNT, '--athena-output', 's3://results/x/'];

describe('investigate --athena-table against moto', () => {
  it('prints the contract, source athena, from one query run with its inputs as parameters', async () => {
    await queueAnswer([INVICTUS_KEY]);

    const run = await runCli(['investigate', '--key', INVICTUS_KEY, ...ATHENA, ...WINDOW, '--json'], env());

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^Athena scanned 0 B in 1 query .*\n$/);
    const summary = JSON.parse(run.stdout);
    expect(Object.keys(summary)).toEqual([...ACTIVITY_SUMMARY_FIELDS, 'sessionKeysMinted']);
    const { regions: _, ...expected } = summarizeRecords(loadInvictusRecords(), INVICTUS_KEY, INVICTUS_WINDOW, {
      source: 'athena',
      regionsSearched: [],
    });
    expect(summary).toMatchObject(expected);
    expect(summary.source).toBe('athena');
    const ids = (await athena().send(new ListQueryExecutionsCommand({}))).QueryExecutionIds ?? [];
    expect(ids).toHaveLength(1);
    const query = (await athena().send(new GetQueryExecutionCommand({ QueryExecutionId: ids[0] }))).QueryExecution;
    expect(query?.ExecutionParameters).toContain(`'${INVICTUS_KEY}'`);
    expect(query?.Query).not.toContain(INVICTUS_KEY);
  });

  it('takes the second hop with a second query, and reports what the queries scanned', async () => {
    const records = loadInvictusRecords();
    const first = summarizeRecords(records, INVICTUS_KEY, INVICTUS_WINDOW, { source: 'athena', regionsSearched: [] });
    await queueAnswer([INVICTUS_KEY]);
    await queueAnswer(first.sessionKeys);

    const run = await runCli(['investigate', '--key', INVICTUS_KEY, ...ATHENA, ...WINDOW], env());

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(INVICTUS_KEY);
    expect(run.stderr).toMatch(/Athena scanned 0 B in 2 queries .*USD 5 per TB/);
  });

  it('fails with a typed error, naming the table not searched, when Athena refuses the query', async () => {
    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, ...ATHENA, '--workgroup', 'no-such-workgroup', ...WINDOW, '--json'],
      env(),
    );

    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/athena:cloudtrail\.events: .*StartQueryExecution failed: InvalidRequestException/);
    expect(run.stderr).toMatch(/hint: Athena has no such workgroup .*check --workgroup/);
  });

  it('warns that a table with partitions added by hand is read whole, every day it holds', async () => {
    const glue = new GlueClient({ region: 'us-east-1', endpoint: moto().endpoint });
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'cloudtrail',
        TableInput: {
          Name: 'manual',
          PartitionKeys: ['region', 'year', 'month', 'day'].map((Name) => ({ Name, Type: 'string' })),
        },
      }),
    );
    await queueAnswer([INVICTUS_KEY]);

    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, ...ATHENA, ...WINDOW, '--json'].map((arg) =>
        arg === 'cloudtrail.events' ? 'cloudtrail.manual' : arg,
      ),
      env(),
    );

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^warning: The table cloudtrail\.manual has no day partition the query can prune on .*each query reads every day the table holds/,
    );
    expect(JSON.parse(run.stdout).totalEvents).toBe(2104);
  });

  it('names the regions the table’s projected list lacks, of those enabled in the account, as not searched', async () => {
    const glue = new GlueClient({ region: 'us-east-1', endpoint: moto().endpoint });
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'cloudtrail',
        TableInput: {
          Name: 'listed',
          PartitionKeys: ['account', 'region', 'timestamp'].map((Name) => ({ Name, Type: 'string' })),
          Parameters: {
            'projection.enabled': 'true',
            'projection.region.type': 'enum',
            'projection.region.values': 'us-east-1',
            'projection.timestamp.format': 'yyyy/MM/dd',
          },
        },
      }),
    );
    await queueAnswer([INVICTUS_KEY]);

    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, ...ATHENA, ...WINDOW, '--json'].map((arg) =>
        arg === 'cloudtrail.events' ? 'cloudtrail.listed' : arg,
      ),
      env(),
    );

    expect(run.code).toBe(3);
    const summary = JSON.parse(run.stdout);
    expect(summary.regions.searched).toEqual(['us-east-1']);
    expect(summary.regions.failed).toContainEqual({
      region: 'eu-west-1',
      error: expect.stringMatching(/not in projection\.region\.values\): add it there, or search it with LookupEvents/),
    });
  });

  it('refuses a table the catalog does not have, as bad input, before any query', async () => {
    const run = await runCli(
      ['investigate', '--key', INVICTUS_KEY, '--athena-table', 'cloudtrail.nothing', ...WINDOW, '--json'],
      env(),
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /The Glue catalog of us-east-1 has no table cloudtrail\.nothing: .*each region has its own/,
    );
    expect(run.stderr).toMatch(/hint: Run with --region set to the region the table was created in/);
    expect((await athena().send(new ListQueryExecutionsCommand({}))).QueryExecutionIds ?? []).toEqual([]);
  });

  it('stops the running query on Ctrl-C, and exits with 130', async () => {
    await motoApi('state-manager/set-transition', {
      model_name: 'athena::execution',
      transition: { progression: 'manual', times: 1_000_000 },
    });
    try {
      const child = spawn(process.execPath, [BIN, 'investigate', '--key', INVICTUS_KEY, ...ATHENA, ...WINDOW], {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
      let ids: string[] = [];
      for (let tries = 0; ids.length === 0 && tries < 200; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ids = (await athena().send(new ListQueryExecutionsCommand({}))).QueryExecutionIds ?? [];
      }

      child.kill('SIGINT');
      const code = await exit;

      expect(ids).toHaveLength(1);
      expect(code).toBe(130);
      expect(stderr).toMatch(/Stopped the Athena query/);
      // What it had scanned, which Athena bills, is said with the stop.
      expect(stderr).toMatch(new RegExp(`Athena scanned .* in 1 query .*ids ${ids[0]}`));
      const query = (await athena().send(new GetQueryExecutionCommand({ QueryExecutionId: ids[0] }))).QueryExecution;
      expect(query?.Status?.State).toBe('CANCELLED');
    } finally {
      await motoApi('state-manager/unset-transition', { model_name: 'athena::execution' });
    }
  });
});
