import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

/*
 * A loopback stand-in for CloudTrail's LookupEvents, which the local AWS emulator lacks. It speaks
 * the CloudTrail JSON 1.1 protocol over CloudTrail records, per region, with NextToken paging and
 * the real API's limit of 2 requests per second per region. The region is read from the request's
 * SigV4 signature, so the SDK reaches it unchanged through AWS_ENDPOINT_URL_CLOUDTRAIL. Given a way
 * to tell the account of the signing access key (`accountOf`), it enforces the limit per account
 * and region, as AWS does, and serves each account only the records it recorded
 * (`recipientAccountId`).
 */

/**
 * A CloudTrail record as a log file holds it. The fixture reads records with code of its own, never
 * the product's, so that what it serves does not agree with the code under test by construction.
 */
export interface CloudTrailRecord {
  eventID?: string;
  eventTime?: string;
  eventName?: string;
  eventSource?: string;
  awsRegion?: string;
  recipientAccountId?: string;
  readOnly?: boolean;
  userIdentity?: { accessKeyId?: string; userName?: string } | null;
  resources?: { ARN?: string; type?: string }[] | null;
  [field: string]: unknown;
}

function accessKeyOf(record: CloudTrailRecord): string | undefined {
  return record.userIdentity?.accessKeyId;
}

/** The resources LookupEvents lists for a record: those the record itself lists, as CloudTrail does. */
function resourcesOf(record: CloudTrailRecord): { type: string; name: string }[] {
  return (Array.isArray(record.resources) ? record.resources : []).flatMap((resource) =>
    typeof resource?.type === 'string' && typeof resource.ARN === 'string'
      ? [{ type: resource.type, name: resource.ARN }]
      : [],
  );
}

/** A fault to answer a request with instead of events. */
export type LookupFault = 'throttle' | 'server-error' | 'access-denied' | 'timeout' | 'expired-token';

/** Options of {@link startCloudTrailLookupServer}. */
export interface CloudTrailLookupServerOptions {
  /** The records to serve; each is served in the region of its `awsRegion`. */
  records: Iterable<CloudTrailRecord>;
  /** Requests per second allowed per region (default 2); 0 turns throttling off. */
  requestsPerSecond?: number;
  /** Called for every request; a fault it returns is answered instead of events. */
  fault?: (request: { region: string; count: number }) => LookupFault | null | undefined;
  /** Port to listen on (default: any free port). */
  port?: number;
  /**
   * The account of the access key a request is signed with (from its SigV4 `Credential`): with it,
   * the rate is enforced per account and region, and a record with a `recipientAccountId` is served
   * to that account only. See {@link motoAccountOf} for credentials moto issued.
   */
  accountOf?: (accessKeyId: string) => string | Promise<string>;
}

/** A running LookupEvents emulator. */
export interface CloudTrailLookupServer {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_CLOUDTRAIL. */
  endpoint: string;
  /** Requests seen, per region, throttled ones included. */
  requests: Map<string, number>;
  /** Requests answered with ThrottlingException, per region. */
  throttled: Map<string, number>;
  /** With `accountOf`: requests seen per `<account>/<region>`, throttled ones included. */
  accountRequests: Map<string, number>;
  /** With `accountOf`: requests throttled per `<account>/<region>`. */
  accountThrottled: Map<string, number>;
  /** Replaces the records served. */
  setRecords(records: Iterable<CloudTrailRecord>): void;
  stop(): Promise<void>;
}

const MAX_RESULTS = 50;

interface StoredEvent {
  record: CloudTrailRecord;
  timeMs: number;
  eventId: string;
}

/** A token bucket per region (or account and region): `rate` tokens per second, holding at most `rate`. */
class RegionThrottle {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(readonly rate: number) {}

  allow(region: string, now = Date.now()): boolean {
    if (this.rate <= 0) return true;
    const bucket = this.#buckets.get(region) ?? { tokens: this.rate, at: now };
    // Requests are judged at their arrival; one that took longer to look at never refills backwards.
    bucket.tokens = Math.min(this.rate, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.rate);
    bucket.at = Math.max(bucket.at, now);
    this.#buckets.set(region, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function byRegion(records: Iterable<CloudTrailRecord>): Map<string, StoredEvent[]> {
  const regions = new Map<string, StoredEvent[]>();
  for (const record of records) {
    const region = typeof record.awsRegion === 'string' ? record.awsRegion : 'us-east-1';
    const timeMs = Date.parse(String(record.eventTime));
    if (Number.isNaN(timeMs)) continue;
    const list = regions.get(region) ?? [];
    list.push({ record, timeMs, eventId: String(record.eventID ?? '') });
    regions.set(region, list);
  }
  // LookupEvents answers newest first.
  for (const list of regions.values())
    list.sort((a, b) => b.timeMs - a.timeMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  return regions;
}

/** The region a SigV4-signed request was signed for. */
function signedRegion(request: IncomingMessage): string | null {
  const match = /Credential=[^/]+\/\d{8}\/([^/]+)\/cloudtrail\//.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/** The access key a SigV4-signed request was signed with. */
function signingKey(request: IncomingMessage): string | null {
  return /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? null;
}

function add(counts: Map<string, number>, key: string): number {
  const count = (counts.get(key) ?? 0) + 1;
  counts.set(key, count);
  return count;
}

/**
 * The account of credentials moto issued (its own, or a role assumed in another account), asked
 * of moto's STS GetCallerIdentity with the access key alone: moto reads the key from the
 * signature and does not check it. Each key is asked about once.
 */
export function motoAccountOf(motoEndpoint: string): (accessKeyId: string) => Promise<string> {
  const known = new Map<string, Promise<string>>();
  return (accessKeyId) => {
    let account = known.get(accessKeyId);
    if (!account) {
      account = fetch(`${motoEndpoint}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      })
        .then((response) => response.text())
        .then((text) => /<Account>(\d{12})<\/Account>/.exec(text)?.[1] ?? 'unknown');
      known.set(accessKeyId, account);
    }
    return account;
  };
}

interface LookupAttribute {
  AttributeKey?: string;
  AttributeValue?: string;
}

function matches(event: StoredEvent, attribute: LookupAttribute | undefined): boolean {
  if (!attribute?.AttributeKey) return true;
  const { record } = event;
  const value = attribute.AttributeValue;
  switch (attribute.AttributeKey) {
    case 'AccessKeyId':
      return accessKeyOf(record) === value;
    case 'EventId':
      return record.eventID === value;
    case 'EventName':
      return record.eventName === value;
    case 'EventSource':
      return record.eventSource === value;
    case 'Username':
      return record.userIdentity?.userName === value;
    case 'ReadOnly':
      return String(record.readOnly) === value;
    case 'ResourceType':
      return resourcesOf(record).some((resource) => resource.type === value);
    case 'ResourceName':
      return resourcesOf(record).some((resource) => resource.name === value);
    default:
      return false;
  }
}

function toLookupEvent(record: CloudTrailRecord, timeMs: number) {
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: record.readOnly === undefined ? undefined : String(record.readOnly),
    AccessKeyId: accessKeyOf(record),
    EventTime: timeMs / 1000,
    EventSource: record.eventSource,
    Username: record.userIdentity?.userName,
    Resources: resourcesOf(record).map((resource) => ({
      ResourceType: resource.type,
      ResourceName: resource.name,
    })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  send(response, status, { __type: type, message });
}

const FAULT_ANSWERS: Record<Exclude<LookupFault, 'timeout'>, [number, string, string]> = {
  throttle: [400, 'ThrottlingException', 'Rate exceeded'],
  'server-error': [500, 'InternalServerError', 'An internal error occurred'],
  'access-denied': [400, 'AccessDeniedException', 'User is not authorized to perform: cloudtrail:LookupEvents'],
  'expired-token': [400, 'ExpiredTokenException', 'The security token included in the request is expired'],
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the LookupEvents emulator on 127.0.0.1. */
export async function startCloudTrailLookupServer(
  options: CloudTrailLookupServerOptions,
): Promise<CloudTrailLookupServer> {
  let regions = byRegion(options.records);
  const throttle = new RegionThrottle(options.requestsPerSecond ?? 2);
  const requests = new Map<string, number>();
  const throttled = new Map<string, number>();
  const accountRequests = new Map<string, number>();
  const accountThrottled = new Map<string, number>();
  const hanging = new Set<ServerResponse>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    // AWS counts a request when it arrives, not when this fixture has found out whose it is.
    const arrivedAt = Date.now();
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || !target.endsWith('.LookupEvents'))
      return sendError(
        response,
        400,
        'UnknownOperationException',
        `This emulator only serves LookupEvents, not ${target}`,
      );
    const region = signedRegion(request);
    if (!region) return sendError(response, 403, 'IncompleteSignatureException', 'The request is not SigV4-signed');
    const count = add(requests, region);
    const signer = signingKey(request);
    const account = options.accountOf && signer ? await options.accountOf(signer) : undefined;
    // AWS counts each account's calls apart: with accounts known, so does the throttle.
    const budget = account === undefined ? region : `${account}/${region}`;
    if (account !== undefined) add(accountRequests, budget);

    const fault = options.fault?.({ region, count });
    if (fault === 'timeout') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (fault) {
      const [status, type, message] = FAULT_ANSWERS[fault];
      if (fault === 'throttle') add(throttled, region);
      return sendError(response, status, type, message);
    }
    if (!throttle.allow(budget, arrivedAt)) {
      add(throttled, region);
      if (account !== undefined) add(accountThrottled, budget);
      return sendError(response, 400, 'ThrottlingException', 'Rate exceeded');
    }

    let input: {
      LookupAttributes?: LookupAttribute[];
      StartTime?: number;
      EndTime?: number;
      MaxResults?: number;
      NextToken?: string;
    };
    try {
      input = JSON.parse(body || '{}');
    } catch {
      return sendError(response, 400, 'SerializationException', 'The request body is not JSON');
    }
    if ((input.LookupAttributes?.length ?? 0) > 1)
      return sendError(response, 400, 'InvalidLookupAttributesException', 'Only one lookup attribute is allowed');
    const maxResults = input.MaxResults ?? MAX_RESULTS;
    if (maxResults < 1 || maxResults > MAX_RESULTS)
      return sendError(response, 400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50');
    const startMs = input.StartTime === undefined ? Number.NEGATIVE_INFINITY : input.StartTime * 1000;
    const endMs = input.EndTime === undefined ? Number.POSITIVE_INFINITY : input.EndTime * 1000;
    if (startMs > endMs) return sendError(response, 400, 'InvalidTimeRangeException', 'StartTime is after EndTime');

    const query = JSON.stringify([input.LookupAttributes, input.StartTime, input.EndTime]);
    let offset = 0;
    if (input.NextToken) {
      try {
        const token = JSON.parse(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
        if (token.query !== query || !Number.isInteger(token.offset)) throw new Error('mismatch');
        offset = token.offset;
      } catch {
        return sendError(response, 400, 'InvalidNextTokenException', 'The NextToken is invalid for this query');
      }
    }
    const selected = (regions.get(region) ?? []).filter(
      (event) =>
        event.timeMs >= startMs &&
        event.timeMs <= endMs &&
        matches(event, input.LookupAttributes?.[0]) &&
        (account === undefined ||
          event.record.recipientAccountId === undefined ||
          event.record.recipientAccountId === account),
    );
    const page = selected.slice(offset, offset + maxResults);
    const next = offset + maxResults < selected.length;
    send(response, 200, {
      Events: page.map((event) => toLookupEvent(event.record, event.timeMs)),
      ...(next
        ? {
            NextToken: Buffer.from(JSON.stringify({ query, offset: offset + maxResults })).toString('base64url'),
          }
        : {}),
    });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, 500, 'InternalServerError', String(error));
    });
  });
  const listening = await listenOnLoopback(server, options.port ?? 0);
  return {
    endpoint: listening.endpoint,
    requests,
    throttled,
    accountRequests,
    accountThrottled,
    setRecords(records) {
      regions = byRegion(records);
    },
    stop: () => listening.stop(hanging),
  };
}
