/*
 * Ctrl-C while `investigate` and `respond` read CloudTrail LookupEvents (minutes, at 2 requests a
 * second per region): the built CLI in a child process, sent SIGINT once LookupEvents has served
 * its first page, against moto and the LookupEvents fixture.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ListStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { useCliEnvironment } from '../support/cli-env.js';
import { topicWithInbox } from '../support/sns-inbox.js';

const cli = useCliEnvironment();
const BIN = fileURLToPath(new URL('../../bin/exposed-keys.js', import.meta.url));

interface InterruptedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the first SIGINT to the end of the process. */
  endedAfterMs: number;
}

/** True once LookupEvents has served a page. */
const lookupServed = () => (cli().cloudTrail.requests.get('us-east-1') ?? 0) >= 1;

/**
 * Runs the CLI and sends SIGINT once `when` holds (by default, once LookupEvents has served a page),
 * and again `againAfterMs` later, if given.
 */
function runAndInterrupt(
  args: string[],
  againAfterMs?: number,
  when: (stderr: string) => boolean = lookupServed,
): Promise<InterruptedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cli().env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const poll = setInterval(() => {
      if (sentAt || !when(stderr)) return;
      sentAt = Date.now();
      child.kill('SIGINT');
      if (againAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), againAfterMs);
    }, 50);
    const killer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve({ code, stdout, stderr, endedAfterMs: Date.now() - sentAt });
    });
  });
}

/** alice's key, with `events` served as its activity: 1,500 are 30 pages, 15 seconds to read. */
async function exposedKey(events = 1_500): Promise<string> {
  const { iam } = cli().moto;
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey?.AccessKeyId as string;
  await cli().serveAttack({
    accessKeyId: key,
    userName: 'alice',
    endAt: new Date(Date.now() - 3_600_000),
    events,
  });
  return key;
}

describe('pressing Ctrl-C while LookupEvents is read', () => {
  it('investigate stops at once, shows what it read as not complete, and exits 130', async () => {
    const key = await exposedKey();

    const run = await runAndInterrupt(['investigate', '--key', key, '--regions', 'us-east-1', '--no-follow-sessions']);

    expect(run.code, run.stderr).toBe(130);
    expect(run.endedAfterMs).toBeLessThan(5_000);
    expect(run.stdout).toMatch(/Activity of/);
    expect(run.stdout).toMatch(/TRUNCATED/);
    expect(run.stderr).toMatch(/us-east-1: the investigation was stopped after \d+ page\(s\)/);
  }, 90_000);

  it('respond still reports the deleted key and notifies the topic, even when Ctrl-C is pressed twice, and exits 130', async () => {
    const key = await exposedKey();
    const inbox = await topicWithInbox(cli().moto, 'security');

    const run = await runAndInterrupt(
      ['respond', '--key', key, '--regions', 'us-east-1', '--yes', '--topic', inbox.topicArn],
      300,
    );

    expect(run.code, run.stderr).toBe(130);
    expect(run.endedAfterMs).toBeLessThan(8_000);
    const left = await cli().moto.iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(left.AccessKeyMetadata ?? []).toEqual([]);
    expect(run.stdout).toMatch(/Containment: deleted/);
    expect(run.stdout).toContain(`Notified ${inbox.topicArn}`);
    expect(run.stderr).toMatch(/Stopping: containment, once begun, and the notification finish first/);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Message).toMatch(/EXPOSED KEY DELETED/);
    expect(messages[0]?.Message).toMatch(/NOT searched: us-east-1: the investigation was stopped after \d+ page/);
  }, 90_000);
});

describe('pressing Ctrl-C during simulate --create-test-user', () => {
  it('stops the local run, removes the test user before the process ends, and exits 130', async () => {
    // LookupEvents never answers: the run is held in the investigation when Ctrl-C comes.
    cli().setLookupFault('timeout');

    const run = await runAndInterrupt(['simulate', '--local', '--create-test-user', '--timeout', '60']);

    expect(run.code, run.stderr).toBe(130);
    expect(run.endedAfterMs).toBeLessThan(10_000);
    const created = /Created test user (exposed-keys-test-[0-9a-f]+)/.exec(run.stderr)?.[1];
    expect(created, run.stderr).toBeDefined();
    expect(run.stderr).toMatch(/Stopping: the test user is removed first/);
    expect(run.stderr).toContain(`Removed test user ${created}`);
    expect(run.stderr).toMatch(/The local run was stopped in LookupCloudTrailEvents/);
    const users = await cli().moto.iam.send(new ListUsersCommand({}));
    expect((users.Users ?? []).map((user) => user.UserName)).not.toContain(created);
  }, 90_000);
});

describe('pressing Ctrl-C during deploy', () => {
  it('stops before the stack is changed, says where the artifact is, and exits 130', async () => {
    const run = await runAndInterrupt(['deploy', '--yes'], undefined, (stderr) => stderr.includes('Building'));

    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(
      /Stopped before stack exposed-keys was changed; the artifact is at s3:\/\/exposed-keys-artifacts-\d{12}-us-east-1\/lambda\/[0-9a-f]{64}\.zip/,
    );
    const stacks = await cli().cloudFormation.send(new ListStacksCommand({}));
    expect((stacks.StackSummaries ?? []).filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
  }, 90_000);
});

describe('pressing Ctrl-C during simulate --local of a real key', () => {
  it('goes on to the notification, saying so, rather than end between containment and the alert', async () => {
    const key = await exposedKey(300);

    const run = await runAndInterrupt(['simulate', '--local', '--key', key, '--yes', '--timeout', '60']);

    expect(run.stderr).toMatch(
      /The local run goes on, so that the key’s containment ends and the security team is told/,
    );
    expect(run.code, run.stderr).toBe(0);
    const left = await cli().moto.iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(left.AccessKeyMetadata ?? []).toEqual([]);
    expect(run.stdout).toMatch(/EXPOSED KEY DELETED/);
  }, 90_000);
});
