import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { athenaSource } from '../../../../src/activity/athena/athena-source.js';
import { AwsCallError, CredentialsError, InvalidInputError, InvestigationError } from '../../../../src/errors.js';
import { investigateKey } from '../../../../src/steps/investigate.js';
import { DuckDbAthena } from '../../../support/duckdb-athena.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../../support/fixtures.js';
import { summarizeRecords } from '../../../support/summaries.js';

/*
 * The source over a mocked Athena whose answers come from DuckDB running the very query and
 * parameters the source sent: the API flow and the SQL together.
 */

const athenaMock = mockClient(AthenaClient);
const glueMock = mockClient(GlueClient);
let duck: DuckDbAthena;

beforeAll(async () => {
  duck = await DuckDbAthena.open();
});
afterAll(() => duck.close());

/** A parameter as the source sent it (a SQL literal), back to its value. */
function parameterValue(literal: string): string {
  return literal.slice(1, -1).replaceAll("''", "'");
}

beforeEach(() => {
  athenaMock.reset();
  glueMock.reset();
  glueMock.on(GetTableCommand).resolves({
    Table: {
      Name: 'events',
      DatabaseName: 'cloudtrail',
      PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
      Parameters: {
        'projection.enabled': 'true',
        'projection.account.type': 'injected',
        'projection.region.type': 'injected',
        'projection.timestamp.type': 'date',
        'projection.timestamp.format': 'yyyy/MM/dd',
      },
    },
  });
  let sent: { sql: string; parameters: string[] } | undefined;
  athenaMock.on(StartQueryExecutionCommand).callsFake((input) => {
    sent = { sql: input.QueryString, parameters: (input.ExecutionParameters ?? []).map(parameterValue) };
    return { QueryExecutionId: `q-${athenaMock.commandCalls(StartQueryExecutionCommand).length}` };
  });
  athenaMock.on(GetQueryExecutionCommand).resolves({
    QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 2_000_000 } },
  });
  athenaMock.on(GetQueryResultsCommand).callsFake(async () => {
    if (!sent) throw new Error('no query was started');
    const rows = await duck.query(sent);
    const names = ['access_key', 'facet', 'events', 'first_ms', 'last_ms'] as const;
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: names.map((Name) => ({ Name, Type: 'varchar' })) },
        Rows: [names, ...rows.map((row) => names.map((name) => row[name]))].map((values) => ({
          Data: values.map((value) => (value === null ? {} : { VarCharValue: value })),
        })),
      },
    };
  });
});

function source(accounts: string[] = ['123837392027']) {
  return athenaSource(
    {
      athena: new AthenaClient({}),
      glue: new GlueClient({}),
      sleep: async () => {},
      accountsOf: async () => accounts,
    },
    { table: { database: 'cloudtrail', table: 'events' }, workgroup: 'exposed-keys' },
  );
}

/** The catalog's table, partitioned by account, region and day, with `column` projected from `values`. */
function projectedTable(column: 'region' | 'account', values: string) {
  glueMock.on(GetTableCommand).resolves({
    Table: {
      Name: 'events',
      PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
      Parameters: {
        'projection.enabled': 'true',
        [`projection.${column}.type`]: 'enum',
        [`projection.${column}.values`]: values,
        'projection.timestamp.format': 'yyyy/MM/dd',
      },
    },
  });
}

/** AWS's documented CloudTrail table with partition projection: a day partition, one account's region in its location. */
function documentedTable(template: string, range = '2020/01/01,NOW') {
  glueMock.on(GetTableCommand).resolves({
    Table: {
      Name: 'events',
      PartitionKeys: [{ Name: 'timestamp', Type: 'string' }],
      StorageDescriptor: { Location: template.replace(`/\${timestamp}`, '') },
      Parameters: {
        'projection.enabled': 'true',
        'projection.timestamp.type': 'date',
        'projection.timestamp.format': 'yyyy/MM/dd',
        'projection.timestamp.range': range,
        'storage.location.template': template,
      },
    },
  });
}

describe('athenaSource', () => {
  it('gives the summary the summarizer gives, source athena, from one query', async () => {
    const athena = source();

    const [summary] = await athena.summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    const expected = summarizeRecords(loadInvictusRecords(), INVICTUS_KEY, INVICTUS_WINDOW, {
      source: 'athena',
      regionsSearched: ['(every region the table holds) athena:cloudtrail.events'],
    });
    expect(summary).toEqual(expected);
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 1);
    expect(athena.queries).toEqual([expect.objectContaining({ queryExecutionId: 'q-1', bytesScanned: 2_000_000 })]);
  });

  it('prunes to the window’s days and the keys’ accounts, with every value a parameter', async () => {
    await source(['123837392027']).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.ExecutionParameters).toEqual([
      "'2023/07/10'",
      "'2023/07/12'",
      "'123837392027'",
      `'${INVICTUS_KEY}'`,
      "'2023-07-10T00:00:00.000Z'",
      "'2023-07-11T00:00:00.000Z'",
    ]);
    expect(input?.QueryString).not.toContain(INVICTUS_KEY);
    expect(input?.QueryString).not.toContain('123837392027');
    expect(input?.QueryString).toContain('"timestamp" BETWEEN ? AND ?');
  });

  it('takes the second hop the same way, through the investigation step', async () => {
    const investigation = await investigateKey(
      { source: source() },
      { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW },
    );

    expect(investigation.activity.sessionKeys).toHaveLength(10);
    expect(investigation.sessionActivity).toHaveLength(10);
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 2);
    const records = loadInvictusRecords();
    for (const summary of investigation.sessionActivity)
      expect(summary.totalEvents).toBe(
        summarizeRecords(records, summary.accessKeyId, INVICTUS_WINDOW, { source: 'athena', regionsSearched: [] })
          .totalEvents,
      );
  });

  it('reports a failed query as the table not searched, and the step fails with a typed error', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Query exhausted resources' } },
    });

    const [summary] = await source().summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });
    const investigation = investigateKey({ source: source() }, { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW });

    expect(summary?.regions).toEqual({
      searched: [],
      failed: [
        { region: 'athena:cloudtrail.events', error: expect.stringMatching(/failed: Query exhausted resources/) },
      ],
    });
    await expect(investigation).rejects.toBeInstanceOf(InvestigationError);
    await expect(investigation).rejects.toThrow(/athena:cloudtrail.events: Athena query q-\d+ failed/);
  });

  it('reports a query whose results could not be read with its id, and counts what it scanned', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 400e9 } },
    });
    athenaMock
      .on(GetQueryResultsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const athena = source();

    const [summary] = await athena.summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    expect(summary?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: 'athena:cloudtrail.events',
          error: expect.stringMatching(/^Athena query q-1 succeeded, but its results could not be read: /),
        },
      ],
    });
    expect(athena.queries).toEqual([expect.objectContaining({ queryExecutionId: 'q-1', bytesScanned: 400e9 })]);
  });

  it('counts what a query stopped at the deadline had scanned', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'RUNNING' }, Statistics: { DataScannedInBytes: 900e9 } },
    });
    const athena = source();

    const [summary] = await athena.summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW, deadline: 0 });

    expect(summary?.regions.failed[0]?.error).toMatch(/q-1 was still RUNNING .* so it was stopped/);
    expect(athena.queries).toEqual([expect.objectContaining({ queryExecutionId: 'q-1', bytesScanned: 900e9 })]);
  });

  it('counts the query Ctrl-C stopped during the second hop, with the first', async () => {
    const stop = new AbortController();
    athenaMock.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
      if (input.QueryExecutionId === 'q-1')
        return { QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 2_000_000 } } };
      stop.abort();
      return { QueryExecution: { Status: { State: 'RUNNING' }, Statistics: { DataScannedInBytes: 7_000_000 } } };
    });
    const athena = athenaSource(
      { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
      { table: { database: 'cloudtrail', table: 'events' }, signal: stop.signal },
    );

    const investigation = await investigateKey(
      { source: athena },
      { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW, signal: stop.signal },
    );

    expect(investigation.sessionActivity.length).toBeGreaterThan(0);
    expect(
      investigation.sessionActivity.every(
        (summary) =>
          summary.regions.searched.length === 0 &&
          summary.regions.failed.every((failed) => failed.error.startsWith('stopped (Ctrl-C)')),
      ),
    ).toBe(true);
    expect(athena.queries.map((query) => [query.queryExecutionId, query.bytesScanned])).toEqual([
      ['q-1', 2_000_000],
      ['q-2', 7_000_000],
    ]);
  });

  it('hints at what fixes a refusal: the results location, the workgroup, STS or the credentials', async () => {
    const hintWhen = async (refusal: { start?: Error; accounts?: Error }) => {
      if (refusal.start) athenaMock.on(StartQueryExecutionCommand).rejects(refusal.start);
      const athena = athenaSource(
        {
          athena: new AthenaClient({}),
          glue: new GlueClient({}),
          sleep: async () => {},
          accountsOf: async () => {
            if (refusal.accounts) throw refusal.accounts;
            return ['123837392027'];
          },
        },
        { table: { database: 'cloudtrail', table: 'events' } },
      );
      const failure = await investigateKey(
        { source: athena },
        { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW, followSessionKeys: false },
      ).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(InvestigationError);
      return (failure as InvestigationError).hint;
    };
    const refused = (message: string) => Object.assign(new Error(message), { name: 'InvalidRequestException' });

    const output = await hintWhen({
      start: refused(
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      ),
    });
    const workgroup = await hintWhen({ start: refused('WorkGroup exposed-keys is not found.') });
    const sts = await hintWhen({
      accounts: new AwsCallError(
        'sts:GetAccessKeyInfo',
        'AccessDenied',
        'not authorized to perform sts:GetAccessKeyInfo',
      ),
    });
    const expired = await hintWhen({
      accounts: new CredentialsError('sts:GetAccessKeyInfo was refused: ExpiredToken'),
    });

    expect(output).toMatch(/--athena-output s3:\/\/.*--workgroup/);
    expect(workgroup).toMatch(/check --workgroup/);
    expect(sts).toMatch(/sts:GetAccessKeyInfo.*--accounts/);
    expect(expired).toMatch(/^Log in again/);
  });

  it('refuses a table the catalog does not have, as bad input', async () => {
    glueMock.on(GetTableCommand).rejects(Object.assign(new Error('not found'), { name: 'EntityNotFoundException' }));

    await expect(source().summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(athenaMock).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });

  it('names the region whose catalog has no such table, and the region to try', async () => {
    glueMock.on(GetTableCommand).rejects(Object.assign(new Error('not found'), { name: 'EntityNotFoundException' }));
    const inRegion = (catalogRegion: string) =>
      athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {} },
        { table: { database: 'cloudtrail', table: 'events' }, catalogRegion },
      ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    await expect(inRegion('eu-west-1')).rejects.toMatchObject({
      message:
        'The Glue catalog of eu-west-1 has no table cloudtrail.events: Athena reads the catalog of the region it runs in, and each region has its own.',
      hint: "Run with --region set to the region the table was created in (the stack's table is in us-east-1: --region us-east-1), name an existing table of CloudTrail logs, or create one with the stack (deploy --trail-bucket).",
    });
    await expect(inRegion('us-east-1')).rejects.toMatchObject({
      message: expect.stringMatching(/^The Glue catalog of us-east-1 has no table cloudtrail\.events:/),
      hint: expect.stringMatching(/^Run with --region set to the region the table was created in, name/),
    });
  });

  it('prunes on a date column only when its projection says it holds CloudTrail’s yyyy/MM/dd', async () => {
    // AWS's manual partitions hold the day of the month alone; Hive-style ones 2023-07-10.
    const tables: Record<string, string>[] = [{}, { 'projection.dt.format': 'yyyy-MM-dd' }];
    for (const parameters of tables) {
      athenaMock.resetHistory();
      glueMock.on(GetTableCommand).resolves({
        Table: { Name: 'events', PartitionKeys: [{ Name: 'dt' }, { Name: 'day' }], Parameters: parameters },
      });

      const [summary] = await source().summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

      const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
      expect(input?.QueryString).not.toMatch(/"(dt|day)" BETWEEN/);
      expect(summary?.totalEvents).toBe(2104);
    }
  });

  it('prunes on no date column of a table whose projection is not enabled: Athena then reads the partitions added by hand', async () => {
    for (const enabled of ['false', undefined]) {
      athenaMock.resetHistory();
      glueMock.on(GetTableCommand).resolves({
        Table: {
          Name: 'events',
          PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
          Parameters: {
            ...(enabled ? { 'projection.enabled': enabled } : {}),
            'projection.timestamp.type': 'date',
            'projection.timestamp.format': 'yyyy/MM/dd',
            'projection.timestamp.range': '2023/07/11,NOW',
          },
        },
      });

      const [summary] = await source().summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

      const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
      expect(input?.QueryString).not.toContain('"timestamp" BETWEEN');
      expect(summary?.window).toEqual({
        start: INVICTUS_WINDOW.start.toISOString(),
        end: INVICTUS_WINDOW.end.toISOString(),
      });
      expect(summary?.totalEvents).toBe(2104);
    }
  });

  it('warns, before the query, that a table with partitions added by hand is read whole, and only then', async () => {
    // AWS's table with manual partitions: region, year, month and day, each added with ALTER TABLE.
    glueMock.on(GetTableCommand).resolves({
      Table: {
        Name: 'events',
        PartitionKeys: [{ Name: 'region' }, { Name: 'year' }, { Name: 'month' }, { Name: 'day' }],
        Parameters: {},
      },
    });
    const read = () => {
      const warnings: { text: string; queriesBefore: number }[] = [];
      const athena = athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {} },
        {
          table: { database: 'cloudtrail', table: 'events' },
          onWarning: (text) =>
            warnings.push({ text, queriesBefore: athenaMock.commandCalls(StartQueryExecutionCommand).length }),
        },
      );
      return { athena, warnings };
    };

    const manual = read();
    await investigateKey(
      { source: manual.athena },
      { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW, followSessionKeys: true },
    );

    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 2);
    expect(manual.warnings).toEqual([
      {
        text: expect.stringMatching(
          /^The table cloudtrail\.events has no day partition the query can prune on .*each query reads every day the table holds, not the window's alone, and Athena bills every byte scanned \(USD 5 per TB\)/,
        ),
        queriesBefore: 0,
      },
    ]);

    athenaMock.resetHistory();
    glueMock.on(GetTableCommand).resolves({
      Table: {
        Name: 'events',
        PartitionKeys: [{ Name: 'timestamp' }],
        Parameters: { 'projection.enabled': 'true', 'projection.timestamp.format': 'yyyy/MM/dd' },
      },
    });
    const projected = read();
    await projected.athena.summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    expect(projected.warnings).toEqual([]);
  });

  it('reports a region the table’s projected list does not hold as not searched, and names the regions read', async () => {
    projectedTable('region', 'us-east-1,eu-west-1');
    const read = (regions?: string[]) =>
      athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
        { table: { database: 'cloudtrail', table: 'events' }, ...(regions ? { regions } : {}) },
      ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    const [some] = await read(['us-east-1', 'ap-east-2']);
    expect(some?.regions.searched).toEqual(['us-east-1']);
    expect(some?.regions.failed).toEqual([
      { region: 'ap-east-2', error: expect.stringMatching(/holds no partition for this region.*LookupEvents/) },
    ]);
    const [every] = await read();
    expect(every?.regions).toEqual({ searched: ['eu-west-1', 'us-east-1'], failed: [] });
    // A list without us-east-1: that region, read whatever the regions asked, is not searched either.
    projectedTable('region', 'eu-west-1');
    const [none] = await read(['ap-east-2']);
    expect(none?.regions).toEqual({
      searched: [],
      failed: [expect.objectContaining({ region: 'ap-east-2' }), expect.objectContaining({ region: 'us-east-1' })],
    });
    const investigation = investigateKey(
      {
        source: athenaSource(
          { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
          { table: { database: 'cloudtrail', table: 'events' }, regions: ['ap-east-2'] },
        ),
      },
      { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW, followSessionKeys: false },
    );
    await expect(investigation).rejects.toMatchObject({ hint: expect.stringMatching(/holds nothing asked for/) });
    // Two queries: none for a region the table cannot hold.
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 2);
  });

  it('reports each region enabled in the account that the projected list lacks as not searched, with what to do', async () => {
    projectedTable('region', 'us-east-1,eu-west-1');
    let listings = 0;
    const read = (regions?: string[]) =>
      athenaSource(
        {
          athena: new AthenaClient({}),
          glue: new GlueClient({}),
          sleep: async () => {},
          accountsOf: async () => [],
          listRegions: async () => {
            listings += 1;
            return ['ap-south-2', 'eu-west-1', 'us-east-1'];
          },
        },
        { table: { database: 'cloudtrail', table: 'events' }, ...(regions ? { regions } : {}) },
      ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    const [every] = await read();
    const [asked] = await read(['us-east-1']);

    expect(every?.regions).toEqual({
      searched: ['eu-west-1', 'us-east-1'],
      failed: [
        {
          region: 'ap-south-2',
          error: `the table athena:cloudtrail.events holds no partition for this region (it is not in projection.region.values): add it there, or search it with LookupEvents: exposed-keys investigate --key ${INVICTUS_KEY} --regions ap-south-2 --start ${INVICTUS_WINDOW.start.toISOString()} --end ${INVICTUS_WINDOW.end.toISOString()}`,
        },
      ],
    });
    expect(every?.totalEvents).toBe(2104);
    expect(asked?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    // Regions named: none is listed.
    expect(listings).toBe(1);
  });

  it('says the regions outside the projected list are not known when the account’s regions cannot be listed', async () => {
    projectedTable('region', 'us-east-1,eu-west-1');

    const [every] = await athenaSource(
      {
        athena: new AthenaClient({}),
        glue: new GlueClient({}),
        sleep: async () => {},
        accountsOf: async () => [],
        listRegions: async () => {
          throw new AwsCallError('ec2:DescribeRegions', 'UnauthorizedOperation', 'not authorized');
        },
      },
      { table: { database: 'cloudtrail', table: 'events' } },
    ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    expect(every?.regions).toEqual({
      searched: ['eu-west-1', 'us-east-1'],
      failed: [
        {
          region: '(regions outside projection.region.values) athena:cloudtrail.events',
          error: expect.stringMatching(
            /^the regions enabled in the account could not be listed \(.*not authorized.*\), so which of them the table's list lacks, and were not searched, is not known: allow ec2:DescribeRegions, name the regions with --regions, or search them with LookupEvents$/,
          ),
        },
      ],
    });
    expect(every?.totalEvents).toBe(2104);
  });

  it('reads a projected list as Athena does, white space kept, and reports a value written with it as not searched', async () => {
    projectedTable('region', 'us-east-1, eu-west-1');
    const read = (regions?: string[]) =>
      athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
        { table: { database: 'cloudtrail', table: 'events' }, ...(regions ? { regions } : {}) },
      ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });
    const spaced = {
      region: 'eu-west-1',
      error: `projection.region.values of the table athena:cloudtrail.events holds " eu-west-1", with white space that Athena keeps as part of the value, so no partition of eu-west-1 is read: remove the white space from the table property, or search it with LookupEvents: exposed-keys investigate --key ${INVICTUS_KEY} --regions eu-west-1 --start ${INVICTUS_WINDOW.start.toISOString()} --end ${INVICTUS_WINDOW.end.toISOString()}`,
    };

    const [every] = await read();
    const [asked] = await read(['us-east-1', 'eu-west-1']);

    expect(every?.regions).toEqual({ searched: ['us-east-1'], failed: [spaced] });
    expect(asked?.regions).toEqual({ searched: ['us-east-1'], failed: [spaced] });
    const input = athenaMock.commandCalls(StartQueryExecutionCommand)[1]?.args[0].input;
    expect(input?.ExecutionParameters).not.toContain("'eu-west-1'");
  });

  it('takes a projection type with white space around it, in any case, as Athena does', async () => {
    glueMock.on(GetTableCommand).resolves({
      Table: {
        Name: 'events',
        PartitionKeys: [{ Name: 'region' }],
        Parameters: {
          'projection.enabled': 'true',
          'projection.region.type': ' Enum ',
          'projection.region.values': 'us-east-1',
        },
      },
    });

    const [every] = await athenaSource(
      { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
      { table: { database: 'cloudtrail', table: 'events' } },
    ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    expect(every?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
  });

  it('says an account the projected list holds with white space around it is not read, and why', async () => {
    projectedTable('account', '123837392027 ,111111111111');

    const [summary] = await source(['123837392027']).summarize({
      accessKeyIds: [INVICTUS_KEY],
      window: INVICTUS_WINDOW,
    });

    expect(summary?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: '(every region) of account 123837392027',
          error: expect.stringMatching(
            /^projection\.account\.values of the table athena:cloudtrail\.events holds "123837392027 ", with white space that Athena keeps as part of the value, so no partition of account 123837392027 is read: remove the white space/,
          ),
        },
      ],
    });
    expect(athenaMock).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });

  it('reads us-east-1 too when the regions asked lack it, where IAM and STS calls are recorded, and says so', async () => {
    const read = (regions: string[]) =>
      athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
        { table: { database: 'cloudtrail', table: 'events' }, regions },
      ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    const [summary] = await read(['eu-west-1']);
    const [china] = await read(['cn-north-1']);

    const [global, other] = athenaMock.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    expect(global?.ExecutionParameters).toEqual(expect.arrayContaining(["'eu-west-1'", "'us-east-1'"]));
    expect(summary?.regions).toEqual({ searched: ['eu-west-1', 'us-east-1'], failed: [] });
    expect(summary?.eventSources).toContainEqual({ name: 'iam.amazonaws.com', count: 392 });
    // us-east-1 is not of another partition's: a list of China's regions is read as given.
    expect(other?.ExecutionParameters).not.toContain("'us-east-1'");
    expect(china?.regions.searched).toEqual(['cn-north-1']);
  });

  it('reports a region AWS does not have (a typo) as not searched, never as searched, and queries the others', async () => {
    const read = (regions: string[]) =>
      athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
        { table: { database: 'cloudtrail', table: 'events' }, regions },
      );
    const typo = {
      region: 'us-eest-1',
      error: expect.stringMatching(/^not a region AWS has, as this version knows them: not searched/),
    };

    const [some] = await read(['us-eest-1', 'eu-west-1']).summarize({
      accessKeyIds: [INVICTUS_KEY],
      window: INVICTUS_WINDOW,
    });
    const [alone] = await read(['us-eest-1']).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    expect(some?.regions).toEqual({ searched: ['eu-west-1', 'us-east-1'], failed: [typo] });
    for (const call of athenaMock.commandCalls(StartQueryExecutionCommand))
      expect(call.args[0].input.ExecutionParameters).not.toContain("'us-eest-1'");
    // us-east-1 is read whatever the regions asked, a typo alone included.
    expect(alone?.regions).toEqual({ searched: ['us-east-1'], failed: [typo] });
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 2);
  });

  it('searches only the region AWS’s documented table holds, under its name, and says where to search the others', async () => {
    // https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html
    documentedTable(`s3://trail/AWSLogs/123837392027/CloudTrail/us-east-1/\${timestamp}`);
    const read = (regions: string[]) =>
      athenaSource(
        { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {}, accountsOf: async () => [] },
        { table: { database: 'cloudtrail', table: 'events' }, regions },
      ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });
    const elsewhere = {
      region: 'eu-west-1',
      error: `the table athena:cloudtrail.events holds only us-east-1 (its location is s3://trail/AWSLogs/123837392027/CloudTrail/us-east-1/\${timestamp}): search eu-west-1 with another table, or with LookupEvents: exposed-keys investigate --key ${INVICTUS_KEY} --regions eu-west-1 --start ${INVICTUS_WINDOW.start.toISOString()} --end ${INVICTUS_WINDOW.end.toISOString()}`,
    };

    const [every] = await read([]);
    const [both] = await read(['us-east-1', 'eu-west-1']);
    const [other] = await read(['eu-west-1']);
    documentedTable(`s3://trail/AWSLogs/123837392027/CloudTrail/eu-west-1/\${timestamp}`);
    const [ireland] = await read(['eu-west-1']);

    expect(every?.regions).toEqual({ searched: ['us-east-1'], failed: [] });
    expect(every?.totalEvents).toBe(2104);
    expect(both?.regions).toEqual({ searched: ['us-east-1'], failed: [elsewhere] });
    // us-east-1, where IAM and STS calls are recorded, is read whatever the regions asked.
    expect(other?.regions).toEqual({ searched: ['us-east-1'], failed: [elsewhere] });
    expect(other?.totalEvents).toBe(2104);
    // A table of another region does not hold it, and says so.
    expect(ireland?.regions).toEqual({
      searched: ['eu-west-1'],
      failed: [
        {
          region: 'us-east-1',
          error: expect.stringMatching(/holds only eu-west-1 .*--regions us-east-1 --start \S+ --end \S+$/),
        },
      ],
    });
    // Four queries: none for a region the table cannot hold.
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 4);
  });

  it('reports a key of another account than the one the table’s location holds as not searched', async () => {
    documentedTable(`s3://trail/AWSLogs/111111111111/CloudTrail/us-east-1/\${timestamp}`);

    const [summary] = await source(['123837392027']).summarize({
      accessKeyIds: [INVICTUS_KEY],
      window: INVICTUS_WINDOW,
    });

    expect(summary?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: '(every region) of account 123837392027',
          error: expect.stringMatching(
            new RegExp(
              `holds only account 111111111111's trail .*: search account 123837392027's with another table, or with LookupEvents in that account: exposed-keys investigate --key ${INVICTUS_KEY} --account 123837392027 --start ${INVICTUS_WINDOW.start.toISOString()} --end ${INVICTUS_WINDOW.end.toISOString()}$`,
            ),
          ),
        },
      ],
    });
    expect(athenaMock).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });

  it('shows a table’s location inert: the catalog’s text cannot act on a terminal', async () => {
    documentedTable(`s3://trail\u001b[2J/AWSLogs/123837392027/CloudTrail/us-east-1/\${timestamp}`);

    const [summary] = await athenaSource(
      { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {} },
      { table: { database: 'cloudtrail', table: 'events' }, regions: ['eu-west-1'] },
    ).summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    expect(summary?.regions.failed[0]?.error).toContain('s3://trail\\x1B[2J/AWSLogs');
    expect(summary?.regions.failed[0]?.error).not.toContain('\u001b');
  });

  it('reads only the days the table’s date projection holds: the window is cut to them, and the rest said not searched', async () => {
    documentedTable(`s3://trail/AWSLogs/123837392027/CloudTrail/us-east-1/\${timestamp}`, '2023/07/10,NOW');
    const athena = athenaSource(
      { athena: new AthenaClient({}), glue: new GlueClient({}), sleep: async () => {} },
      { table: { database: 'cloudtrail', table: 'events' }, clock: () => new Date('2023-07-12T00:00:00Z') },
    );
    const window = { start: new Date('2023-07-08T00:00:00Z'), end: INVICTUS_WINDOW.end };

    const [summary] = await athena.summarize({ accessKeyIds: [INVICTUS_KEY], window });

    expect(summary?.window).toEqual({ start: '2023-07-10T00:00:00.000Z', end: '2023-07-11T00:00:00.000Z' });
    expect(summary?.truncated).toBe(true);
    expect(summary?.totalEvents).toBe(2104);
    expect(summary?.regions).toEqual({
      searched: ['us-east-1'],
      failed: [
        {
          region: '(days before 2023/07/10) athena:cloudtrail.events',
          error: expect.stringMatching(
            new RegExp(
              `holds the days 2023/07/10 to 2023/07/12 only .*exposed-keys investigate --key ${INVICTUS_KEY} --start 2023-07-08T00:00:00.000Z --end 2023-07-10T00:00:00.000Z$`,
            ),
          ),
        },
      ],
    });
    const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.ExecutionParameters?.slice(0, 2)).toEqual(["'2023/07/10'", "'2023/07/12'"]);
  });

  it('queries nothing for a window outside the days the table holds, and reports every region not searched', async () => {
    glueMock.on(GetTableCommand).resolves({
      Table: {
        Name: 'events',
        PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
        Parameters: {
          'projection.enabled': 'true',
          'projection.region.type': 'enum',
          'projection.region.values': 'us-east-1,eu-west-1',
          'projection.timestamp.type': 'date',
          'projection.timestamp.format': 'yyyy/MM/dd',
          'projection.timestamp.range': '2020/01/01,2023/06/30',
        },
      },
    });
    const athena = source();

    const [summary] = await athena.summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });
    const investigation = investigateKey(
      { source: athena },
      { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW, followSessionKeys: false },
    );

    const outside = expect.stringMatching(
      /holds the days 2020\/01\/01 to 2023\/06\/30 only .*the window is outside them/,
    );
    expect(summary?.window).toEqual({
      start: INVICTUS_WINDOW.start.toISOString(),
      end: INVICTUS_WINDOW.end.toISOString(),
    });
    expect(summary?.regions).toEqual({
      searched: [],
      failed: [
        { region: 'eu-west-1', error: outside },
        { region: 'us-east-1', error: outside },
      ],
    });
    await expect(investigation).rejects.toBeInstanceOf(InvestigationError);
    expect(athenaMock).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });

  it('reports an account the table’s projected list does not hold as not searched, never as an account that did nothing', async () => {
    projectedTable('account', '111111111111,123837392027');

    const [outside] = await source(['222222222222']).summarize({
      accessKeyIds: [INVICTUS_KEY],
      window: INVICTUS_WINDOW,
    });
    expect(outside?.totalEvents).toBe(0);
    expect(outside?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: '(every region) of account 222222222222',
          error: expect.stringMatching(
            /holds no partition for account 222222222222 \(it is not in projection\.account\.values\)/,
          ),
        },
      ],
    });
    expect(athenaMock).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 0);

    const [both] = await source(['123837392027', '222222222222']).summarize({
      accessKeyIds: [INVICTUS_KEY],
      window: INVICTUS_WINDOW,
    });
    expect(both?.totalEvents).toBe(2104);
    expect(both?.regions.failed).toEqual([
      expect.objectContaining({ region: '(every region) of account 222222222222' }),
    ]);
    const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.ExecutionParameters).toContain("'123837392027'");
    expect(input?.ExecutionParameters).not.toContain("'222222222222'");
  });

  it('reports keys whose accounts STS cannot tell as not searched, keeping what was found before', async () => {
    let lookups = 0;
    const athena = athenaSource(
      {
        athena: new AthenaClient({}),
        glue: new GlueClient({}),
        sleep: async () => {},
        accountsOf: async () => {
          lookups += 1;
          if (lookups > 1) throw new AwsCallError('sts:GetAccessKeyInfo', 'Throttling', 'Rate exceeded');
          return ['123837392027'];
        },
      },
      { table: { database: 'cloudtrail', table: 'events' } },
    );

    const investigation = await investigateKey(
      { source: athena },
      { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW },
    );

    expect(investigation.activity.totalEvents).toBe(2104);
    expect(investigation.sessionActivity.length).toBeGreaterThan(0);
    for (const summary of investigation.sessionActivity)
      expect(summary.regions.failed).toEqual([
        { region: 'athena:cloudtrail.events', error: expect.stringMatching(/sts:GetAccessKeyInfo/) },
      ]);
  });

  it('reads a table without partitions whole', async () => {
    glueMock.on(GetTableCommand).resolves({ Table: { Name: 'events', DatabaseName: 'cloudtrail' } });

    const [summary] = await source().summarize({ accessKeyIds: [INVICTUS_KEY], window: INVICTUS_WINDOW });

    const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input?.QueryString).not.toContain('"timestamp"');
    expect(summary?.totalEvents).toBe(2104);
  });
});
