import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

/*
 * A loopback proxy in front of an AWS emulator that injects faults at the wire: the SDK sees real
 * HTTP answers (throttling, server errors, access denied, expired tokens, time-outs), so its
 * retries and the code's error paths run as they would against AWS.
 */

/** A fault the proxy can answer with instead of forwarding. */
export type WireFault = 'throttle' | 'server-error' | 'access-denied' | 'expired-token' | 'timeout';

/** Which requests to fault: by service (from the SigV4 scope), optionally only the first `times`. */
export interface FaultRule {
  service: string;
  fault: WireFault;
  /** Fault only this many matching requests, then forward (default: all). */
  times?: number;
  /** Fault only requests whose body or target names this action (e.g. `Publish`, `DeleteAccessKey`). */
  action?: string;
}

/** One request the proxy saw: the service (from the signature), the API action, and the HTTP request. */
export interface ProxiedCall {
  service: string;
  /** The action of query and JSON protocols (`DeleteAccessKey`); `unknown` for REST calls such as S3's. */
  action: string;
  method: string;
  /** The path, without the query string. */
  path: string;
  query: string;
  /** S3's `x-amz-expected-bucket-owner` header: the account the caller requires to own the bucket. */
  expectedBucketOwner: string | undefined;
  faulted: boolean;
}

/** A running fault proxy. */
export interface FaultProxy {
  endpoint: string;
  /** Every request seen, in order: lets a test assert which calls were (not) made. */
  calls: ProxiedCall[];
  /** Requests seen per service, faulted or not. */
  requests: Map<string, number>;
  /** Requests faulted per service. */
  faulted: Map<string, number>;
  /** Replaces the rules. */
  setRules(rules: FaultRule[]): void;
  stop(): Promise<void>;
}

const QUERY_ERRORS: Record<Exclude<WireFault, 'timeout'>, [number, string, string, string]> = {
  throttle: [400, 'Sender', 'Throttling', 'Rate exceeded'],
  'server-error': [500, 'Receiver', 'InternalFailure', 'We encountered an internal error. Please try again.'],
  'access-denied': [403, 'Sender', 'AccessDenied', 'User is not authorized to perform this action'],
  'expired-token': [403, 'Sender', 'ExpiredToken', 'The security token included in the request is expired'],
};

const JSON_ERRORS: Record<Exclude<WireFault, 'timeout'>, [number, string, string]> = {
  throttle: [400, 'ThrottlingException', 'Rate exceeded'],
  'server-error': [500, 'InternalFailure', 'We encountered an internal error. Please try again.'],
  'access-denied': [400, 'AccessDeniedException', 'User is not authorized to perform this action'],
  'expired-token': [400, 'ExpiredTokenException', 'The security token included in the request is expired'],
};

/** The service a SigV4-signed request is for. */
function signedService(request: IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? 'unknown';
}

function sendFault(response: ServerResponse, fault: Exclude<WireFault, 'timeout'>, json: boolean): void {
  const requestId = randomUUID();
  if (json) {
    const [status, type, message] = JSON_ERRORS[fault];
    const body = JSON.stringify({ __type: type, message });
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
    response.end(body);
    return;
  }
  const [status, kind, code, message] = QUERY_ERRORS[fault];
  const body = `<ErrorResponse><Error><Type>${kind}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(body);
}

/** The API action of a request: the JSON protocols name it in X-Amz-Target, the query protocols in the body. */
function actionOf(target: string, body: string, url: string | undefined): string {
  if (target) return target.slice(target.lastIndexOf('.') + 1);
  const match = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body) ?? /[?&]Action=([A-Za-z0-9]+)/.exec(url ?? '');
  return match?.[1] ?? 'unknown';
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a fault proxy on 127.0.0.1 that forwards to `target` (e.g. moto's endpoint). */
export async function startFaultProxy(target: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const upstream = new URL(target);
  let active = rules.map((rule) => ({ ...rule, used: 0 }));
  const requests = new Map<string, number>();
  const faulted = new Map<string, number>();
  const calls: ProxiedCall[] = [];
  const hanging = new Set<ServerResponse>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const service = signedService(request);
    requests.set(service, (requests.get(service) ?? 0) + 1);
    const text = body.toString('utf8');
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = actionOf(target, text, request.url);
    const rule = active.find(
      (candidate) =>
        candidate.service === service &&
        (candidate.times === undefined || candidate.used < candidate.times) &&
        (candidate.action === undefined || candidate.action === action),
    );
    const url = new URL(request.url ?? '/', 'http://proxy');
    calls.push({
      service,
      action,
      method: request.method ?? '',
      path: url.pathname,
      query: url.search,
      expectedBucketOwner: request.headers['x-amz-expected-bucket-owner'] as string | undefined,
      faulted: rule !== undefined,
    });
    if (rule) {
      rule.used += 1;
      faulted.set(service, (faulted.get(service) ?? 0) + 1);
      if (rule.fault === 'timeout') {
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
        return;
      }
      return sendFault(response, rule.fault, target !== '');
    }
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', (error) => {
      response.writeHead(502);
      response.end(String(error));
    });
    forwarded.end(body);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    calls,
    requests,
    faulted,
    setRules(next) {
      active = next.map((rule) => ({ ...rule, used: 0 }));
    },
    stop: () => listening.stop(hanging),
  };
}
