import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isAwsError } from '../../aws/aws-errors.js';
import type { DynamoDbApi } from '../../aws/narrow-clients.js';
import { shownValue } from '../../common/untrusted-text.js';
import { INCIDENT_RECORD_DAYS } from '../../constants.js';
import { isRootUserName, userNameProblem } from '../../incident/user-name.js';

/*
 * One incident per key. Trusted Advisor, AWS Health and AWS's quarantine can all report one leak,
 * minutes apart and in any order, and each starts an execution. The first signal about a key claims
 * the incident; later ones join it. The claim is one conditional write in DynamoDB, which is atomic
 * per item: two executions that claim at the same moment cannot both be first.
 *
 * Alternatives weighed: an execution name derived from the key is atomic too, but names must stay
 * unique for 90 days and a name taken says nothing about what the first response did; a tag on the
 * IAM user is not atomic (read, then write) and the user may be gone.
 */

/** Where the incident records live: a DynamoDB table whose partition key is the string `pk`. */
export interface RecordDeps {
  db: DynamoDbApi;
  table: string;
  now?: () => Date;
}

/**
 * What a later signal learns of the incident it joins. Its texts are as the table holds them,
 * which anyone allowed to write the table could have written: each is made inert and cut as it is
 * read, and a user name that is not a valid IAM user name is left out, so that none reaches a
 * message, a command line or a terminal as it was written.
 */
export interface IncidentRecord {
  accountId: string;
  accessKeyId: string;
  /** The event of the first signal, which runs the response. */
  firstEventId: string;
  firstSource: string;
  openedAt: string;
  /** Distinct signals so far, this one included. */
  signals: number;
  sources: string[];
  /**
   * The user the first signal that named one said owns the key: the owner a later report shows while
   * the first response has not yet recorded what IAM said (AWS Health names no user).
   */
  reportedUserName?: string;
  /** What the first response's containment ended with, once it has. */
  response?: { outcome: string; contained: boolean; at: string; userName: string | null };
}

/** The claim of one signal: the first about its key runs the response; the others join it. */
export interface IncidentClaim {
  role: 'first' | 'joined';
  record: IncidentRecord;
}

/** A signal as the record keeps it. */
export interface SignalRef {
  accountId: string;
  accessKeyId: string;
  eventId: string;
  source: string;
  /** The key's owner as the signal names it, when it does. */
  userName?: string | null;
  /**
   * The key's owner as IAM named it when the signal names none (an AWS Health event may not): the
   * key is filed under it, never recorded as what the report said.
   */
  ownerName?: string;
}

function keyItem(accountId: string, accessKeyId: string): Record<string, AttributeValue> {
  return { pk: { S: `key#${accountId}#${accessKeyId}` } };
}

function userItem(accountId: string, userName: string): Record<string, AttributeValue> {
  // IAM user names do not depend on case.
  return { pk: { S: `user#${accountId}#${userName.toLowerCase()}` } };
}

function expiresAt(now: Date): AttributeValue {
  return { N: String(Math.floor(now.getTime() / 1000) + INCIDENT_RECORD_DAYS * 86_400) };
}

/** How long a text of the record may be shown: a time, an outcome or a source is far shorter. */
const SHORT_TEXT = 40;
/** As an event id is cut where it is read (see event-fields). */
const EVENT_ID_TEXT = 128;

/** A text attribute of the record, made inert and cut to `max`. */
function text(item: Record<string, AttributeValue>, name: string, max = SHORT_TEXT): string | undefined {
  const value = item[name]?.S;
  return value === undefined ? undefined : shownValue(value, max);
}

/** A user name of the record, only when it is one IAM could have: it goes into commands. */
function userNameText(item: Record<string, AttributeValue>, name: string): string | undefined {
  const value = item[name]?.S;
  return value !== undefined && userNameProblem(value) === null ? value : undefined;
}

function recordOf(accountId: string, accessKeyId: string, item: Record<string, AttributeValue>): IncidentRecord {
  const outcome = text(item, 'outcome');
  const at = text(item, 'respondedAt');
  const reportedUserName = userNameText(item, 'reportedUserName');
  return {
    accountId,
    accessKeyId,
    firstEventId: text(item, 'firstEventId', EVENT_ID_TEXT) ?? '',
    firstSource: text(item, 'firstSource') ?? 'unknown',
    openedAt: text(item, 'openedAt') ?? '',
    signals: item.eventIds?.SS?.length ?? 1,
    sources: [...(item.sources?.SS ?? [])].map((source) => shownValue(source, SHORT_TEXT)).sort(),
    ...(reportedUserName ? { reportedUserName } : {}),
    ...(outcome !== undefined && at !== undefined
      ? {
          response: {
            outcome,
            contained: item.contained?.BOOL === true,
            at,
            userName: userNameText(item, 'userName') ?? null,
          },
        }
      : {}),
  };
}

function epochOf(now: Date): AttributeValue {
  return { N: String(Math.floor(now.getTime() / 1000)) };
}

/**
 * Which records a signal may add itself to: `open` (joining only: a record gone, or past its time
 * and not yet removed by DynamoDB, is not made again), or `new-or-open` (a claim: a record past its
 * time is refused, and {@link reopen} makes a new incident of it).
 */
type Joins = 'open' | 'new-or-open';

const JOIN_CONDITIONS: Readonly<Record<Joins, string>> = {
  open: 'attribute_exists(firstEventId) AND expiresAt > :epoch',
  'new-or-open': 'attribute_not_exists(expiresAt) OR expiresAt > :epoch',
};

/** Adds a signal to the record of its key, creating the record for the first; returns the record after. */
async function addSignal(
  deps: RecordDeps,
  signal: SignalRef,
  now: Date,
  joins: Joins,
): Promise<Record<string, AttributeValue>> {
  const named = namesUser(signal);
  const answer = await deps.db.send(
    new UpdateItemCommand({
      TableName: deps.table,
      Key: keyItem(signal.accountId, signal.accessKeyId),
      // The record's time is checked in the write itself: no read comes between.
      ConditionExpression: JOIN_CONDITIONS[joins],
      // if_not_exists keeps the first writer's values: of two concurrent writes, one sets them, the other reads them.
      UpdateExpression:
        'SET firstEventId = if_not_exists(firstEventId, :event), firstSource = if_not_exists(firstSource, :source), ' +
        'openedAt = if_not_exists(openedAt, :now), expiresAt = if_not_exists(expiresAt, :expires), lastSignalAt = :now ' +
        (named ? ', reportedUserName = if_not_exists(reportedUserName, :user) ' : '') +
        'ADD eventIds :events, sources :sources',
      ExpressionAttributeValues: signalValues(signal, now),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return answer.Attributes ?? {};
}

/** The values the writes of a claiming signal name: its event, source and user, and the times. */
function signalValues(signal: SignalRef, now: Date): Record<string, AttributeValue> {
  return {
    ':event': { S: signal.eventId },
    ':source': { S: signal.source },
    ':now': { S: now.toISOString() },
    ':expires': expiresAt(now),
    ':events': { SS: [signal.eventId] },
    ':sources': { SS: [signal.source] },
    ':epoch': epochOf(now),
    ...(namesUser(signal) ? { ':user': { S: signal.userName as string } } : {}),
  };
}

/** True when the signal names the key's user, to file the incident under. */
function namesUser(signal: SignalRef): boolean {
  return typeof signal.userName === 'string' && signal.userName !== '';
}

/**
 * Makes a new incident of a record past its time that DynamoDB has not yet removed (its TTL acts
 * within days, not at the second): this signal is its first, and nothing of the old response is
 * kept. Only while the record is still past its time, in the same write: of two signals that find
 * it so, one reopens it and the other then joins.
 */
async function reopen(deps: RecordDeps, signal: SignalRef, now: Date): Promise<Record<string, AttributeValue>> {
  const named = namesUser(signal);
  const answer = await deps.db.send(
    new UpdateItemCommand({
      TableName: deps.table,
      Key: keyItem(signal.accountId, signal.accessKeyId),
      ConditionExpression: 'expiresAt <= :epoch',
      UpdateExpression:
        'SET firstEventId = :event, firstSource = :source, openedAt = :now, expiresAt = :expires, lastSignalAt = :now, ' +
        `eventIds = :events, sources = :sources${named ? ', reportedUserName = :user' : ''} ` +
        `REMOVE outcome, contained, respondedAt, userName${named ? '' : ', reportedUserName'}`,
      ExpressionAttributeValues: signalValues(signal, now),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return answer.Attributes ?? {};
}

/** Adds a claiming signal to the open record of its key, or opens a new one: none, or one past its time. */
async function claimRecord(deps: RecordDeps, signal: SignalRef, now: Date): Promise<Record<string, AttributeValue>> {
  // Each write that finds the record otherwise than it expected was raced by another claim: it
  // is tried again (a record opened or reopened meanwhile is open for the next minutes).
  for (let attempt = 1; ; attempt += 1)
    try {
      return await addSignal(deps, signal, now, 'new-or-open');
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      try {
        return await reopen(deps, signal, now);
      } catch (reopenError) {
        if (!isAwsError(reopenError, 'ConditionalCheckFailedException') || attempt === 3) throw reopenError;
      }
    }
}

/**
 * Claims the incident of a key for a signal: `first` when no signal about the key came before (or
 * this is the first one delivered again before its response recorded anything, or after its
 * containment failed: the response runs again), else `joined`, with what the record says so far.
 * A first event delivered again after its response ended joins it: responding again would find
 * the key gone and, with an event that names no user, nothing to show it was contained. A record
 * past its time (kept 90 days, then removed by DynamoDB when it gets to it) is a new incident, of
 * which this signal is the first. Safe under concurrency: each write of the record is one atomic
 * update, its condition checked in it. A signal that names the key's user (or, naming none, whose
 * key IAM gave an owner: `ownerName`) files the key under that user at once, for AWS's quarantine
 * of the user.
 */
export async function claimIncident(deps: RecordDeps, signal: SignalRef): Promise<IncidentClaim> {
  const now = (deps.now ?? (() => new Date()))();
  const item = await claimRecord(deps, signal, now);
  const named = namesUser(signal) ? (signal.userName as string) : (signal.ownerName ?? null);
  if (named !== null && userNameProblem(named) === null && !isRootUserName(named))
    try {
      // Filed now, not only once the response has run: AWS quarantines the user when it reports
      // the key, and that quarantine, seconds later, must find the incident.
      await fileUnderUser(deps, { accountId: signal.accountId, accessKeyId: signal.accessKeyId }, named, now);
    } catch {
      // The claim stands: the response files the key again once it knows the owner.
    }
  const record = recordOf(signal.accountId, signal.accessKeyId, item);
  const { response } = record;
  const runsAgain = response === undefined || response.outcome === 'containment-failed';
  return { role: record.firstEventId === signal.eventId && runsAgain ? 'first' : 'joined', record };
}

/**
 * Records what the first response's containment did, for the signals that join later, and files
 * the key under its owner, so that AWS quarantining the owner finds the incident. When the claim
 * failed (the response then ran without it), this creates the record: it is opened with this
 * signal as its first, as the claim would have, so that a later report knows which report it was.
 */
export async function recordResponse(
  deps: RecordDeps,
  signal: Omit<SignalRef, 'userName'>,
  response: { outcome: string; contained: boolean; userName: string | null },
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  try {
    await writeResponse(deps, signal, response, now);
  } catch (error) {
    // A response that contained nothing found one that did recorded (two reports ran at once):
    // that record stands.
    if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
  }
  if (response.userName === null) return;
  await fileUnderUser(deps, signal, response.userName, now);
}

async function writeResponse(
  deps: RecordDeps,
  signal: Omit<SignalRef, 'userName'>,
  response: { outcome: string; contained: boolean; userName: string | null },
  now: Date,
): Promise<void> {
  await deps.db.send(
    new UpdateItemCommand({
      TableName: deps.table,
      Key: keyItem(signal.accountId, signal.accessKeyId),
      ...(response.contained
        ? {}
        : { ConditionExpression: 'attribute_not_exists(contained) OR contained = :contained' }),
      // if_not_exists: a record the claim wrote keeps its first signal and when it was opened.
      UpdateExpression:
        'SET outcome = :outcome, contained = :contained, respondedAt = :now, expiresAt = if_not_exists(expiresAt, :expires), ' +
        'firstEventId = if_not_exists(firstEventId, :event), firstSource = if_not_exists(firstSource, :source), ' +
        'openedAt = if_not_exists(openedAt, :now)' +
        (response.userName === null ? '' : ', userName = :user') +
        ' ADD eventIds :events, sources :sources',
      ExpressionAttributeValues: {
        ':outcome': { S: response.outcome },
        ':contained': { BOOL: response.contained },
        ':now': { S: now.toISOString() },
        ':expires': expiresAt(now),
        ':event': { S: signal.eventId },
        ':source': { S: signal.source },
        ':events': { SS: [signal.eventId] },
        ':sources': { SS: [signal.source] },
        ...(response.userName === null ? {} : { ':user': { S: response.userName } }),
      },
    }),
  );
}

/** Files a key under a user (`user#…`), where AWS quarantining the user finds the key's incident. */
async function fileUnderUser(
  deps: RecordDeps,
  key: { accountId: string; accessKeyId: string },
  userName: string,
  now: Date,
): Promise<void> {
  await deps.db.send(
    new UpdateItemCommand({
      TableName: deps.table,
      Key: userItem(key.accountId, userName),
      UpdateExpression: 'ADD accessKeyIds :key SET expiresAt = :expires',
      ExpressionAttributeValues: { ':key': { SS: [key.accessKeyId] }, ':expires': expiresAt(now) },
    }),
  );
}

/**
 * Adds a signal about a user (AWS quarantining it) to every incident open for the user's keys, and
 * returns those incidents. A user with no incident yet gets none: the signal names no key.
 */
export async function joinUserIncidents(
  deps: RecordDeps,
  user: { accountId: string; userName: string; eventId: string; source: string },
): Promise<IncidentRecord[]> {
  const answer = await deps.db.send(
    new GetItemCommand({ TableName: deps.table, Key: userItem(user.accountId, user.userName), ConsistentRead: true }),
  );
  const keys = [...(answer.Item?.accessKeyIds?.SS ?? [])].sort();
  const now = (deps.now ?? (() => new Date()))();
  const records: IncidentRecord[] = [];
  for (const accessKeyId of keys)
    try {
      const item = await addSignal(deps, { ...user, accessKeyId }, now, 'open');
      records.push(recordOf(user.accountId, accessKeyId, item));
    } catch (error) {
      // The user's record outlives its keys' (it is refreshed by each): a key's incident that ended is no incident.
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
    }
  return records;
}
