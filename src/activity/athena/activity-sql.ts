import type { TimeWindow } from '../activity-summary.js';
import { NAMING_PARAMETERS, NAMING_RESPONSE_ELEMENTS, SOURCE_NAMING_PARAMETERS } from '../resources.js';
import { API_VERSION_SUFFIX, IAM_POLICY_GRANT, RISKY_CALLS } from '../risky-events.js';
import { MINTING_CALLS, UNKNOWN } from '../summarizer.js';
import type { TableLocation } from './table-location.js';

/*
 * The activity summary as one Athena (Trino) query. The engine filters, de-duplicates and counts;
 * only aggregates and the risky events come back. Every input reaches the query as an execution
 * parameter (`?`, all in WHERE, as Athena requires); only the table and partition column names,
 * checked against a strict pattern, and constants of this code are written into the text.
 *
 * Each matched event is unfolded into "facets" (`eventNames|GetUser`, `total`, `risky|[…]`…) that
 * one GROUP BY counts, so the table is scanned once whatever the number of lists. The SQL keeps to
 * what Athena engine 3 and DuckDB share, so that a test runs it unchanged over the data set with
 * DuckDB (a handful of macros stand in for Athena functions DuckDB lacks).
 */

/** A table as `database.table`, each part a Glue name. */
export interface TableName {
  database: string;
  table: string;
}

/** The partition columns a query prunes on, when the table has them (names as in the catalog). */
export interface TablePartitions {
  /** A date partition in `yyyy/MM/dd` form (CloudTrail's folder layout). */
  date?: string;
  region?: string;
  account?: string;
}

/** Where the query reads. */
export interface TableLayout {
  name: TableName;
  partitions: TablePartitions;
  /**
   * The only regions the table holds, when its region partition is projected from a list
   * (`projection.<column>.type` enum): partition projection makes no partition for any other.
   * Each exactly as the catalog writes it (untrusted text), white space included, as Athena reads it.
   */
  regionValues?: readonly string[];
  /** The only accounts the table holds, when its account partition is projected from a list, likewise. */
  accountValues?: readonly string[];
  /**
   * The days the date partition holds, when it is projected: its range as the catalog gives it
   * (`projection.<column>.range`, such as `2020/01/01,NOW`); partition projection makes no
   * partition for a day outside it.
   */
  dateRange?: string;
  /** Where the table's files are, when the catalog says, and the one account or region that place holds. */
  location?: TableLocation;
}

/** What the query is asked. */
export interface ActivitySqlInput {
  accessKeyIds: readonly string[];
  window: TimeWindow;
  /** Region partitions to read; all when absent or empty. */
  regions?: readonly string[];
  /** Account partitions to read; all when absent or empty. */
  accounts?: readonly string[];
}

/** A query and its execution parameters, in the order of the `?` in its text. */
export interface ParameterizedSql {
  sql: string;
  parameters: string[];
}

/** Glue database, table and column names: lower-case letters, digits and underscores. */
export const GLUE_NAME = /^[a-z0-9_]{1,255}$/;

/** A name checked against {@link GLUE_NAME}, double-quoted for Trino. */
function identifier(name: string): string {
  if (!GLUE_NAME.test(name)) throw new Error(`not a Glue name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** A constant of this code as a SQL string literal. Never used for input: that goes in parameters. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The value at `path` of a JSON text when it is a non-empty JSON string (numbers and objects are not names). */
function jsonText(json: string, path: string): string {
  return `CASE WHEN json_format(json_extract(${json}, ${literal(path)})) LIKE '"%' THEN nullif(json_extract_scalar(${json}, ${literal(path)}), '') END`;
}

/** A resource as the JSON text `["type","name"]`, or NULL when either part is missing. */
function resource(type: string, name: string): string {
  return `CASE WHEN nullif(${type}, '') IS NOT NULL AND nullif(${name}, '') IS NOT NULL THEN json_format(CAST(ARRAY[${type}, ${name}] AS JSON)) END`;
}

/** The instance ids of a `instancesSet.items` list, when it is a list. */
function instances(json: string): string {
  const items = `try(CAST(json_extract(${json}, '$.instancesSet.items') AS ARRAY(JSON)))`;
  return `coalesce(transform(${items}, item -> ${resource("'AWS::EC2::Instance'", jsonText('item', '$.instanceId'))}), ARRAY[])`;
}

/** The parameter names of an SSM `GetParameters` call's `names` list, when it is a list. */
function parameterNames(): string {
  const names = `try(CAST(json_extract(CASE WHEN eventsource = 'ssm.amazonaws.com' THEN requestparameters END, '$.names') AS ARRAY(JSON)))`;
  return `coalesce(transform(${names}, name -> ${resource("'AWS::SSM::Parameter'", jsonText('name', '$'))}), ARRAY[])`;
}

/** The spot instance requests of a `spotInstanceRequestSet.items` list in the response, when it is a list. */
function spotRequests(): string {
  const items = `try(CAST(json_extract(responseelements, '$.spotInstanceRequestSet.items') AS ARRAY(JSON)))`;
  return `coalesce(transform(${items}, item -> ${resource("'AWS::EC2::SpotInstanceRequest'", jsonText('item', '$.spotInstanceRequestId'))}), ARRAY[])`;
}

/** A resource named at `path` of a JSON column, in the calls of one event source only. */
function namedBy(source: string, json: string, path: string, type: string): string {
  return `CASE WHEN eventsource = ${literal(source)} THEN ${resource(literal(type), jsonText(json, path))} END`;
}

/** The resources of an event in `resourcesOf`'s order, repeats kept (NULLs dropped later). */
function touchedResources(): string {
  const listed = `coalesce(transform(resources, r -> ${resource('r.type', 'r.arn')}), ARRAY[])`;
  const named = NAMING_PARAMETERS.map(([parameter, type]) =>
    resource(literal(type), jsonText('requestparameters', `$.${parameter}`)),
  );
  const trail = `CASE WHEN eventsource = 'cloudtrail.amazonaws.com' THEN ${resource("'AWS::CloudTrail::Trail'", jsonText('requestparameters', '$.name'))} END`;
  const parameter = `CASE WHEN eventsource = 'ssm.amazonaws.com' THEN ${resource("'AWS::SSM::Parameter'", jsonText('requestparameters', '$.name'))} END`;
  const bySource = SOURCE_NAMING_PARAMETERS.map(([source, parameter, type]) =>
    namedBy(source, 'requestparameters', `$.${parameter}`, type),
  );
  const accessKey = resource("'AWS::IAM::AccessKey'", jsonText('responseelements', '$.accessKey.accessKeyId'));
  const made = NAMING_RESPONSE_ELEMENTS.map(([source, path, type]) =>
    namedBy(source, 'responseelements', `$.${path.join('.')}`, type),
  );
  return [
    listed,
    `ARRAY[${[...named, trail, parameter].join(',\n      ')}]`,
    parameterNames(),
    `ARRAY[${bySource.join(',\n      ')}]`,
    instances('requestparameters'),
    `ARRAY[${accessKey}]`,
    instances('responseelements'),
    spotRequests(),
    `ARRAY[${made.join(',\n      ')}]`,
  ].join('\n    || ');
}

/** The risk category of an event, as `riskCategoryOf` decides it. */
function riskCategory(): string {
  const bare = `regexp_replace(eventname, ${literal(API_VERSION_SUFFIX.source)}, '')`;
  const cases = Object.entries(RISKY_CALLS).flatMap(([source, calls]) => {
    const byCategory = new Map<string, string[]>();
    for (const [call, category] of Object.entries(calls))
      byCategory.set(category, [...(byCategory.get(category) ?? []), call]);
    return [...byCategory].map(
      ([category, names]) =>
        `WHEN eventsource = ${literal(source)} AND ${bare} IN (${names.map(literal).join(', ')}) THEN ${literal(category)}`,
    );
  });
  cases.push(
    `WHEN eventsource = 'iam.amazonaws.com' AND regexp_like(${bare}, ${literal(IAM_POLICY_GRANT.source)}) THEN 'persistence'`,
  );
  return `CASE\n      ${cases.join('\n      ')}\n    END`;
}

/** The columns of what a minting call's record says of the key it minted (see `sessionKeyMinted`). */
const MINT_COLUMNS = ['mint_expiration', 'mint_assumed_role', 'mint_role', 'mint_federated_user'] as const;

/** The texts of {@link MINT_COLUMNS}, as the summarizer reads them. */
function mintFacts(): string {
  const texts = [
    jsonText('responseelements', '$.credentials.expiration'),
    jsonText('responseelements', '$.assumedRoleUser.arn'),
    jsonText('requestparameters', '$.roleArn'),
    jsonText('responseelements', '$.federatedUser.arn'),
  ];
  return texts.map((text, index) => `${text} AS ${MINT_COLUMNS[index]}`).join(',\n    ');
}

/** A facet of a count list: its name and the value counted, `(unknown)` for a missing one. */
function countFacet(list: string, column: string): string {
  return `'${list}|' || coalesce(nullif(${column}, ''), ${literal(UNKNOWN)})`;
}

/** `yyyy/MM/dd` of a time, in UTC. */
function day(time: Date): string {
  return time.toISOString().slice(0, 10).replaceAll('-', '/');
}

const DAY_MS = 86_400_000;

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * The query that summarises what `accessKeyIds` did over the window, pruned to the date folders
 * that can hold the window's events (a folder holds the files delivered that day: the events of
 * that day, and of the previous day's last minutes) and to the regions and accounts given, where
 * the table is partitioned by them.
 */
export function activitySql(layout: TableLayout, input: ActivitySqlInput): ParameterizedSql {
  if (input.accessKeyIds.length === 0) throw new Error('activitySql needs at least one access key');
  const { partitions } = layout;
  const where: string[] = [];
  const parameters: string[] = [];
  if (partitions.date) {
    where.push(`${identifier(partitions.date)} BETWEEN ? AND ?`);
    parameters.push(day(input.window.start), day(new Date(input.window.end.getTime() + DAY_MS)));
  }
  if (partitions.region && input.regions?.length) {
    where.push(`${identifier(partitions.region)} IN (${placeholders(input.regions.length)})`);
    parameters.push(...input.regions);
  }
  if (partitions.account && input.accounts?.length) {
    where.push(`${identifier(partitions.account)} IN (${placeholders(input.accounts.length)})`);
    parameters.push(...input.accounts);
  }
  where.push(`useridentity.accesskeyid IN (${placeholders(input.accessKeyIds.length)})`);
  parameters.push(...input.accessKeyIds);
  where.push('try(from_iso8601_timestamp(eventtime)) BETWEEN from_iso8601_timestamp(?) AND from_iso8601_timestamp(?)');
  parameters.push(input.window.start.toISOString(), input.window.end.toISOString());

  const table = `${identifier(layout.name.database)}.${identifier(layout.name.table)}`;
  const minting = [...MINTING_CALLS].map(literal).join(', ');
  const sql = `WITH matched AS (
  SELECT useridentity.accesskeyid AS access_key, useridentity.username AS user_name,
    eventid, eventname, eventsource, awsregion, sourceipaddress, useragent, errorcode,
    requestparameters, responseelements, resources,
    CAST(round(to_unixtime(try(from_iso8601_timestamp(eventtime))) * 1000) AS BIGINT) AS event_ms,
    row_number() OVER (PARTITION BY useridentity.accesskeyid, eventid ORDER BY eventtime) AS copy
  FROM ${table}
  WHERE ${where.join('\n    AND ')}
), events AS (
  SELECT access_key, user_name, eventname, eventsource, awsregion, sourceipaddress, useragent, event_ms,
    nullif(eventid, '') AS event_id,
    nullif(errorcode, '') AS error_code,
    ${riskCategory()} AS category,
    CASE WHEN eventname IN (${minting}) THEN ${jsonText('responseelements', '$.credentials.accessKeyId')} END AS minted,
    ${mintFacts()},
    filter(${touchedResources()}, x -> x IS NOT NULL) AS touched
  FROM matched
  WHERE copy = 1 OR eventid IS NULL OR eventid = ''
), facets AS (
  SELECT access_key, event_ms, facet
  FROM events
  CROSS JOIN UNNEST(
    ARRAY[
      'total',
      ${countFacet('eventNames', 'eventname')},
      ${countFacet('eventSources', 'eventsource')},
      ${countFacet('awsRegions', 'awsregion')},
      ${countFacet('sourceIps', 'sourceipaddress')},
      ${countFacet('userAgents', 'useragent')},
      'errorCodes|' || error_code,
      'userNames|' || nullif(user_name, ''),
      'sessionKeys|' || minted,
      CASE WHEN minted IS NOT NULL THEN 'sessionKeysMinted|' || json_format(CAST(ARRAY[
        minted, eventname, CAST(event_ms AS VARCHAR), ${MINT_COLUMNS.join(', ')}
      ] AS JSON)) END,
      CASE WHEN category IS NOT NULL THEN 'riskyEvents|' || json_format(CAST(ARRAY[
        coalesce(nullif(eventname, ''), ${literal(UNKNOWN)}),
        CAST(event_ms AS VARCHAR),
        coalesce(nullif(awsregion, ''), ${literal(UNKNOWN)}),
        coalesce(event_id, ''),
        category,
        error_code,
        '[' || array_join(touched, ',') || ']'
      ] AS JSON)) END
    ] || transform(array_distinct(touched), x -> 'resources|' || x)
  ) AS t (facet)
)
SELECT access_key, facet, count(*) AS events, min(event_ms) AS first_ms, max(event_ms) AS last_ms
FROM facets
WHERE facet IS NOT NULL
GROUP BY access_key, facet`;
  return { sql, parameters };
}
