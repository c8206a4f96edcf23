import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on 127.0.0.1: where to reach it, and how to stop it. */
export interface LoopbackServer {
  endpoint: string;
  /** Ends the responses held open on purpose (`hanging`), closes every connection, then the server. */
  stop: (hanging?: Iterable<ServerResponse>) => Promise<void>;
}

/** Starts `server` on 127.0.0.1, at `port` or a free one: tests and benchmarks only ever talk to this machine. */
export async function listenOnLoopback(server: Server, port = 0): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: (hanging = []) =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
