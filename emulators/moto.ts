import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { sleep } from '../src/common/sleep.js';
import { ExitCode, ExposedKeysError } from '../src/errors.js';

/** Thrown when the moto AWS emulator cannot be found or does not start. */
export class MotoUnavailableError extends ExposedKeysError {
  readonly code = 'MOTO_UNAVAILABLE';
  readonly exitCode = ExitCode.unexpected;
}

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  /** The server's process id, to read its CPU time (benchmarks). */
  pid: number | undefined;
  /** Forgets every resource, as a new server would. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The commands that start moto, in the order they are tried. */
const LAUNCHERS: readonly (readonly [string, readonly string[]])[] = [
  ['moto_server', []],
  ['python3', ['-m', 'moto.server']],
];

async function ready(endpoint: string): Promise<boolean> {
  try {
    const answer = await fetch(`${endpoint}/moto-api/`);
    return answer.status === 200;
  } catch {
    return false;
  }
}

function launch(command: string, args: readonly string[], port: number): ChildProcess {
  return spawn(command, [...args, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
}

/**
 * Starts moto (`moto_server`, or `python3 -m moto.server`) on 127.0.0.1 at a free port, and waits
 * until it answers.
 *
 * @throws MotoUnavailableError when neither command starts a server.
 */
export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const problems: string[] = [];
  for (const [command, args] of LAUNCHERS) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = launch(command, args, port);
    let exited = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('exit', () => {
      exited = true;
    });
    child.once('error', (error) => {
      exited = true;
      stderr += String(error);
    });
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (!exited && Date.now() < deadline) {
      if (await ready(endpoint))
        return {
          endpoint,
          port,
          pid: child.pid,
          reset: async () => {
            await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          },
          stop: () =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        };
      await sleep(100);
    }
    if (!exited) child.kill('SIGKILL');
    problems.push(`${command}: ${stderr.trim().split('\n').at(-1) || (exited ? 'exited' : 'did not answer in time')}`);
  }
  throw new MotoUnavailableError(`Could not start the moto AWS emulator (${problems.join('; ')}).`, {
    hint: "Install it with `pip install 'moto[server]'` (Python 3), so that `moto_server` is on PATH.",
  });
}
