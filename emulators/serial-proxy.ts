import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

/*
 * moto's server is threaded and its DynamoDB takes no lock: two UpdateItem calls on one item at the
 * same moment can both read it empty. DynamoDB applies each write to an item atomically (the
 * guarantee conditional writes and if_not_exists rely on). This loopback proxy restores that
 * guarantee in front of moto by forwarding one request at a time, so that a concurrency test
 * exercises the code's claim logic and not moto's missing lock.
 */

/** A running serializing proxy. */
export interface SerialProxy {
  endpoint: string;
  /** Requests forwarded so far. */
  forwarded(): number;
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts, on 127.0.0.1, a proxy to `target` that lets one request through at a time. */
export async function startSerialProxy(target: string): Promise<SerialProxy> {
  const upstream = new URL(target);
  let queue: Promise<void> = Promise.resolve();
  let count = 0;

  const forward = (request: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          readBody(answer).then(
            (answerBody) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
            reject,
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const server: Server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        const turn = queue.then(() => forward(request, body));
        queue = turn.then(
          () => undefined,
          () => undefined,
        );
        return turn;
      })
      .then((answer) => {
        count += 1;
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      })
      .catch((error: unknown) => {
        response.writeHead(502);
        response.end(String(error));
      });
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    forwarded: () => count,
    stop: () => listening.stop(),
  };
}
