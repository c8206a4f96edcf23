import { fileURLToPath } from 'node:url';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { FacetRow } from '../../src/activity/athena/activity-rows.js';
import type { ParameterizedSql } from '../../src/activity/athena/activity-sql.js';

/*
 * A stand-in for Athena that really runs SQL: DuckDB over CloudTrail files, through a view with the
 * columns, types and partition columns of the Athena CloudTrail table (lower-case names; JSON
 * documents as text; `resources` as a list of structs). The SQL under test runs unchanged but for
 * the rewrites below, each checked to apply.
 */

/** DuckDB's spelling of the Athena functions it lacks. */
const MACROS = [
  'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  'CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)',
  'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  'CREATE MACRO to_unixtime(t) AS epoch(t)',
  'CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  'CREATE MACRO array_join(a, sep) AS array_to_string(a, sep)',
];

/**
 * What a macro cannot do: `transform` takes a lambda (DuckDB macros cannot pass one on), and Trino
 * spells the type of a JSON list `ARRAY(JSON)`. Each is renamed, word for word.
 */
const REWRITES: readonly [RegExp, string][] = [
  [/\btransform\(/g, 'list_transform('],
  [/\bARRAY\(JSON\)/g, 'JSON[]'],
];

/** A CloudTrail record as DuckDB reads it: CloudTrail's own (camel-case) keys, JSON documents as text. */
const RECORD_TYPE = `STRUCT(
  eventVersion VARCHAR,
  userIdentity STRUCT("type" VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR,
    accessKeyId VARCHAR, userName VARCHAR),
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR,
  userAgent VARCHAR, errorCode VARCHAR, errorMessage VARCHAR, requestParameters VARCHAR, responseElements VARCHAR,
  additionalEventData VARCHAR, requestID VARCHAR, eventID VARCHAR, readOnly VARCHAR,
  resources STRUCT(ARN VARCHAR, accountId VARCHAR, "type" VARCHAR)[],
  eventType VARCHAR, recipientAccountId VARCHAR
)[]`;

/** The data set every source is checked against. */
export const DATA_SET = fileURLToPath(new URL('../../data/cloudtrail/stratus-invictus.json.gz', import.meta.url));

/**
 * The view `"cloudtrail"."events"`. Partition columns are derived from each record as CloudTrail
 * files it: the recipient account, the region, and the day.
 */
function viewSql(files: string): string {
  return `CREATE VIEW cloudtrail.events AS
SELECT r.eventVersion AS eventversion, r.userIdentity AS useridentity, r.eventTime AS eventtime,
  r.eventSource AS eventsource, r.eventName AS eventname, r.awsRegion AS awsregion,
  r.sourceIPAddress AS sourceipaddress, r.userAgent AS useragent, r.errorCode AS errorcode,
  r.errorMessage AS errormessage, r.requestParameters AS requestparameters,
  r.responseElements AS responseelements, r.additionalEventData AS additionaleventdata,
  r.requestID AS requestid, r.eventID AS eventid, r.readOnly AS readonly, r.resources AS resources,
  r.eventType AS eventtype, r.recipientAccountId AS recipientaccountid,
  r.recipientAccountId AS account, r.awsRegion AS region,
  replace(substr(r.eventTime, 1, 10), '-', '/') AS "timestamp"
FROM (SELECT unnest(Records) AS r FROM read_json('${files.replaceAll("'", "''")}', columns={Records: '${RECORD_TYPE}'}))`;
}

/** Athena's SQL as DuckDB runs it; throws when a rewrite no longer finds what it renames. */
export function duckDbSql(sql: string): string {
  let rewritten = sql;
  for (const [pattern, replacement] of REWRITES) {
    if (rewritten.search(pattern) < 0) throw new Error(`the rewrite ${pattern} no longer applies`);
    rewritten = rewritten.replace(pattern, replacement);
  }
  return rewritten;
}

/** A DuckDB database that answers the activity query over CloudTrail files. */
export class DuckDbAthena {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens a database over `files` (a path or glob of `{"Records": […]}` files, gzipped or not). */
  static async open(files = DATA_SET): Promise<DuckDbAthena> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('CREATE SCHEMA cloudtrail');
    for (const macro of MACROS) await connection.run(macro);
    await connection.run(viewSql(files));
    return new DuckDbAthena(instance, connection);
  }

  /** Runs a query with its parameters, each value as text, as Athena answers. */
  async query(query: ParameterizedSql): Promise<FacetRow[]> {
    const reader = await this.connection.runAndReadAll(duckDbSql(query.sql), query.parameters);
    return reader.getRowObjectsJson().map((row) => {
      const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
      return {
        access_key: text(row.access_key),
        facet: text(row.facet),
        events: text(row.events),
        first_ms: text(row.first_ms),
        last_ms: text(row.last_ms),
      };
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
