/*
 * Ctrl-C at respond's "Proceed? [y/N]" question, at a real terminal (a pseudo-terminal made by
 * test/support/pty-run.py): the terminal gives Ctrl-C to the prompt, not to the process as SIGINT.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { useCliEnvironment } from '../support/cli-env.js';

const cli = useCliEnvironment();
const BIN = fileURLToPath(new URL('../../bin/exposed-keys.js', import.meta.url));
const PTY = fileURLToPath(new URL('../support/pty-run.py', import.meta.url));

describe('pressing Ctrl-C at the confirmation question', () => {
  it('is a no: respond changes nothing, says so, and exits 130', async () => {
    const { iam } = cli().moto;
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey?.AccessKeyId as string;
    const spec = {
      argv: [process.execPath, BIN, 'respond', '--key', key, '--regions', 'us-east-1'],
      env: { ...cli().env, TERM: 'xterm' },
      when: 'Proceed?',
      timeout: 40,
    };

    const { stdout } = await promisify(execFile)('python3', [PTY, JSON.stringify(spec)], { timeout: 70_000 });

    const run = JSON.parse(stdout) as { output: string; code: number; sent: boolean };
    expect(run.sent).toBe(true);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(keys.AccessKeyMetadata?.map((each) => each.Status)).toEqual(['Active']);
    expect(run.output).not.toMatch(/Unexpected error/);
    expect(run.output).toMatch(/Nothing was changed\./);
    expect(run.code).toBe(130);
    expect(cli().mutatingCalls()).toEqual([]);
  }, 90_000);
});
