import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, CreateWorkGroupCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { activitySql } from '../../src/activity/athena/activity-sql.js';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { readInvestigateConfig } from '../../src/settings/function-settings.js';
import { investigateTask } from '../../src/state-machine/tasks/investigate-task.js';
import type { Investigation } from '../../src/steps/investigate.js';
import { cloudTrailAt } from '../support/cloudtrail-clients.js';
import { DuckDbAthena } from '../support/duckdb-athena.js';
import { INVICTUS_KEY, loadEvent, loadInvictusRecords } from '../support/fixtures.js';
import { useMoto } from '../support/moto.js';
import { summarizeRecords } from '../support/summaries.js';

/*
 * The stack's investigation task with an Athena table configured, against moto's Athena, Glue and
 * STS and the LookupEvents fixture: it answers from Athena, and from LookupEvents (saying why) when
 * Athena refuses or does not finish within its share of the function's time.
 */

const moto = useMoto();
/** The data set's attacker key, renamed to a key id the incident parser accepts. */
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const NOW = new Date('2023-07-11T00:00:00Z');
const CONFIG = { LOOKBACK_HOURS: '24', INVESTIGATE_REGIONS: 'us-east-1' };
const ATHENA_ENV = { ATHENA_TABLE: 'exposed_keys.cloudtrail', ATHENA_WORKGROUP: 'exposed-keys' };

let records: CloudTrailRecord[];
let folder: string;
let duck: DuckDbAthena;
let lookup: CloudTrailLookupServer;

beforeAll(async () => {
  records = loadInvictusRecords().map((record) =>
    record.userIdentity?.accessKeyId === INVICTUS_KEY
      ? { ...record, userIdentity: { ...record.userIdentity, accessKeyId: KEY } }
      : record,
  );
  folder = await mkdtemp(join(tmpdir(), 'investigate-athena-'));
  await writeFile(join(folder, 'records.json'), JSON.stringify({ Records: records }));
  duck = await DuckDbAthena.open(join(folder, 'records.json'));
  // LookupEvents serves a page of the key's events: reading all 2,104 at 2 pages a second would take 22 s.
  lookup = await startCloudTrailLookupServer({ records: fallbackRecords(), requestsPerSecond: 0 });
});
afterAll(async () => {
  duck.close();
  await lookup.stop();
  await rm(folder, { recursive: true, force: true });
});

/** What LookupEvents serves: the key's first 40 events. */
function fallbackRecords(): CloudTrailRecord[] {
  return records.filter((record) => record.userIdentity?.accessKeyId === KEY).slice(0, 40);
}

function config() {
  return { region: 'us-east-1', endpoint: moto().endpoint };
}

beforeEach(async () => {
  const glue = new GlueClient(config());
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'exposed_keys' } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'exposed_keys',
      TableInput: {
        Name: 'cloudtrail',
        PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
        Parameters: { 'projection.enabled': 'true', 'projection.timestamp.format': 'yyyy/MM/dd' },
      },
    }),
  );
});

async function motoApi(path: string, body: unknown): Promise<void> {
  const answer = await fetch(`${moto().endpoint}/moto-api/${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!answer.ok) throw new Error(`moto-api/${path}: ${answer.status}`);
}

/** Queues DuckDB's answer to the key's activity query as moto's answer to the next query. */
async function queueAnswer(): Promise<void> {
  // moto answers whatever query with the answer queued: DuckDB's is for the same query over its own view.
  const layout = {
    name: { database: 'cloudtrail', table: 'events' },
    partitions: { date: 'timestamp', region: 'region', account: 'account' },
  };
  const window = { start: new Date(NOW.getTime() - 24 * 3_600_000), end: NOW };
  const rows = await duck.query(activitySql(layout, { accessKeyIds: [KEY], window }));
  const names = ['access_key', 'facet', 'events', 'first_ms', 'last_ms'] as const;
  const row = (values: readonly (string | null)[]) => ({ Data: values.map((value) => ({ VarCharValue: value })) });
  await motoApi('static/athena/query-results', {
    results: [
      {
        rows: [row(names), ...rows.map((r) => row(names.map((name) => r[name])))],
        column_info: names.map((Name) => ({ Name, Type: 'varchar' })),
      },
    ],
  });
}

/** The task on the incident path, where it answers with an investigation. */
function task(
  env: Record<string, string> = {},
): (...args: Parameters<ReturnType<typeof investigateTask>>) => Promise<Investigation> {
  return investigateTask(
    {
      cloudTrail: cloudTrailAt(lookup.endpoint),
      athenaClients: async () => ({
        athena: new AthenaClient(config()),
        glue: new GlueClient(config()),
        sts: new STSClient(config()),
        region: 'us-east-1',
      }),
      now: () => NOW,
    },
    readInvestigateConfig({ ...CONFIG, ...ATHENA_ENV, ...env }),
  ) as (...args: Parameters<ReturnType<typeof investigateTask>>) => Promise<Investigation>;
}

function state() {
  const event = loadEvent('trusted-advisor-exposed');
  event.detail['check-item-detail']['Access Key ID'] = KEY;
  return { event };
}

const expected = () =>
  summarizeRecords(
    records,
    KEY,
    { start: new Date(NOW.getTime() - 24 * 3_600_000), end: NOW },
    {
      source: 'athena',
      regionsSearched: [],
    },
  );

describe('the investigation task with an Athena table', () => {
  it('investigates with Athena in its workgroup', async () => {
    await new AthenaClient(config()).send(new CreateWorkGroupCommand({ Name: 'exposed-keys' }));
    await queueAnswer();

    const investigation = await task()(state(), { getRemainingTimeInMillis: () => 600_000 });

    const { regions: _, ...same } = expected();
    expect(investigation.activity).toMatchObject({ ...same, userName: expect.any(String) });
    expect(investigation.activity.source).toBe('athena');
    expect(investigation.activity.totalEvents).toBe(2104);
  });

  it('names each region of the account the table’s projected list lacks as not searched', async () => {
    await new AthenaClient(config()).send(new CreateWorkGroupCommand({ Name: 'exposed-keys' }));
    await new GlueClient(config()).send(
      new CreateTableCommand({
        DatabaseName: 'exposed_keys',
        TableInput: {
          Name: 'listed',
          PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
          Parameters: {
            'projection.enabled': 'true',
            'projection.region.type': 'enum',
            'projection.region.values': 'us-east-1',
            'projection.timestamp.format': 'yyyy/MM/dd',
          },
        },
      }),
    );
    await queueAnswer();
    const everyRegion = investigateTask(
      {
        cloudTrail: cloudTrailAt(lookup.endpoint),
        listRegions: async () => ['eu-west-1', 'us-east-1'],
        athenaClients: async () => ({
          athena: new AthenaClient(config()),
          glue: new GlueClient(config()),
          sts: new STSClient(config()),
        }),
        now: () => NOW,
      },
      readInvestigateConfig({ LOOKBACK_HOURS: '24', ...ATHENA_ENV, ATHENA_TABLE: 'exposed_keys.listed' }),
    );

    const investigation = (await everyRegion(state(), { getRemainingTimeInMillis: () => 600_000 })) as Investigation;

    expect(investigation.activity.source).toBe('athena');
    expect(investigation.activity.regions).toEqual({
      searched: ['us-east-1'],
      failed: [
        {
          region: 'eu-west-1',
          error: expect.stringMatching(
            /not in projection\.region\.values\): add it there, or search it with LookupEvents/,
          ),
        },
      ],
    });
  });

  it('falls back to LookupEvents when Athena refuses the query, and says why', async () => {
    const investigation = await task()(state(), { getRemainingTimeInMillis: () => 600_000 });

    expect(investigation.activity.source).toBe('lookup-events');
    expect(investigation.activity.totalEvents).toBe(40);
    expect(investigation.activity.regions.failed).toEqual([
      {
        region: 'athena:exposed_keys.cloudtrail',
        error: expect.stringMatching(/WorkGroup.*; lookup-events was searched instead$/),
      },
    ]);
  });

  it('falls back to LookupEvents when the catalog of its region has no such table, and names that region', async () => {
    const investigation = await task({ ATHENA_TABLE: 'exposed_keys.missing' })(state(), {
      getRemainingTimeInMillis: () => 600_000,
    });

    expect(investigation.activity.source).toBe('lookup-events');
    expect(investigation.activity.regions.failed).toEqual([
      {
        region: 'athena',
        error: expect.stringMatching(
          /The Glue catalog of us-east-1 has no table exposed_keys\.missing: .*; lookup-events was searched instead$/,
        ),
      },
    ]);
  });

  it('stops a query that outlasts its share of the time, and falls back to LookupEvents', async () => {
    await new AthenaClient(config()).send(new CreateWorkGroupCommand({ Name: 'exposed-keys' }));
    await motoApi('state-manager/set-transition', {
      model_name: 'athena::execution',
      transition: { progression: 'manual', times: 1_000_000 },
    });
    try {
      // 20 s of the function's margin, and 3 s to share: 1.5 s for Athena, the rest for LookupEvents.
      const investigation = await task()(state(), { getRemainingTimeInMillis: () => 23_000 });

      expect(investigation.activity.source).toBe('lookup-events');
      expect(investigation.activity.regions.failed[0]?.error).toMatch(
        /was still (QUEUED|RUNNING) when the time .* ran out/,
      );
      const ids = (await new AthenaClient(config()).send(new ListQueryExecutionsCommand({}))).QueryExecutionIds;
      expect(ids).toHaveLength(1);
    } finally {
      await motoApi('state-manager/unset-transition', { model_name: 'athena::execution' });
    }
  });
});
