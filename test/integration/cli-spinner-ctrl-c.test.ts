/*
 * Ctrl-C while a spinner turns, at a real terminal (a pseudo-terminal made by
 * test/support/pty-run.py): the terminal must still turn it into SIGINT, so that a search hung on
 * an AWS call stops there, says what it read, and exits 130.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/exposed-keys.js', import.meta.url));
const PTY = fileURLToPath(new URL('../support/pty-run.py', import.meta.url));

/** A CloudTrail endpoint that takes every request and never answers it. */
let silent: Server;
const held: Socket[] = [];

beforeAll(async () => {
  silent = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('pressing Ctrl-C while investigate waits on LookupEvents', () => {
  it('stops the search at once, with the spinner turning, and exits 130', async () => {
    const { port } = silent.address() as { port: number };
    const spec = {
      argv: [process.execPath, BIN, 'investigate', '--key', 'AKIAIOSFODNN7EXAMPLE', '--regions', 'us-east-1'],
      env: {
        PATH: process.env.PATH ?? '',
        TERM: 'xterm',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_CLOUDTRAIL: `http://127.0.0.1:${port}`,
      },
      when: 'Investigating',
      timeout: 25,
    };

    const { stdout } = await promisify(execFile)('python3', [PTY, JSON.stringify(spec)], { timeout: 60_000 });

    const run = JSON.parse(stdout) as { output: string; code: number; sent: boolean };
    expect(run.sent).toBe(true);
    expect(run.code, run.output).toBe(130);
    expect(run.output).toMatch(/the investigation was stopped before its first page/);
  }, 90_000);
});
