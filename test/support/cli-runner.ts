import { type ChildProcessByStdio, type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** How a run of the CLI ended: its exit code (null when it was killed) and everything it printed. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface CliRunOptions {
  /** Written to the CLI's standard input, which is then closed (default: nothing; it is never a terminal). */
  input?: string;
  /** Kill the CLI after this many milliseconds (default 90 s); the run then ends with code null. */
  timeoutMs?: number;
}

const BIN = fileURLToPath(new URL('../../bin/exposed-keys.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * Runs the built CLI (`node bin/exposed-keys.js …args`) in a child process with exactly `env` as
 * its environment, and waits for it to end. Asynchronous, so that emulators running in the test's
 * own process keep answering the CLI's calls.
 */
export function runCli(args: string[], env: Record<string, string>, options: CliRunOptions = {}): Promise<CliResult> {
  if (!existsSync(BUILT)) return Promise.reject(new Error(`The CLI is not built (${BUILT}): run \`npm run build\`.`));
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  // A CLI that ends without reading its input closes the pipe; that is not a failure of the run.
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  return outcomeOf(child, options.timeoutMs ?? 90_000);
}

/**
 * Waits for a child process started with piped stdout and stderr to end, collecting what it
 * printed; kills it after `timeoutMs` (it then ends with code null).
 */
export function outcomeOf(
  child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>,
  timeoutMs: number,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
