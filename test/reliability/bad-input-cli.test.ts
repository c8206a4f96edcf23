import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, type ProxiedCall, startFaultProxy } from '../../emulators/fault-proxy.js';
import { BAD_COMMAND_LINES } from '../support/bad-input-corpus.js';
import { runCli } from '../support/cli-runner.js';
import { type IsolatedCliEnv, isolatedCliEnv } from '../support/isolated-cli-env.js';
import { useMoto } from '../support/moto.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * The command lines of the bad-input corpus, run with the built CLI in a child process against
 * moto behind a proxy that records every call. Each must exit 2 with a plain error on stderr,
 * before anything in the account is called, let alone changed.
 */

const moto = useMoto();
let proxy: FaultProxy;
let cloudTrail: CloudTrailLookupServer;
let isolated: IsolatedCliEnv | undefined;
let env: Record<string, string>;

const READ_ONLY = /^(Get|List|Describe|Lookup)/;
function changes(calls: readonly ProxiedCall[]): ProxiedCall[] {
  return calls.filter((call) => !READ_ONLY.test(call.action));
}

/** The control characters in `text`, but line feeds: echoed raw, they could rewrite the responder's terminal. */
function rawControlCharacters(text: string): string[] {
  return [...text].filter((character) => {
    const code = character.charCodeAt(0);
    return (code < 0x20 && character !== '\n') || (code >= 0x7f && code <= 0x9f);
  });
}

beforeAll(async () => {
  proxy = await startFaultProxy(moto().endpoint);
  cloudTrail = await startCloudTrailLookupServer({ records: [], requestsPerSecond: 0 });
  isolated = isolatedCliEnv({ aws: proxy.endpoint, cloudTrail: cloudTrail.endpoint }, 'exposed-keys-bad-input-');
  env = isolated.env;
});
afterAll(async () => {
  await proxy?.stop();
  await cloudTrail?.stop();
  isolated?.remove();
});
beforeEach(() => {
  proxy.calls.length = 0;
});

async function exposedKeyOf(userName: string): Promise<string> {
  const { iam } = moto();
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return created.AccessKey?.AccessKeyId as string;
}

async function keysOf(userName: string): Promise<Record<string, string | undefined>> {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

describe('the CLI, given bad input', () => {
  it.each(BAD_COMMAND_LINES)('refuses $name with exit code 2 and a plain error, calling nothing', async (testCase) => {
    const run = await runCli(testCase.args, env);

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toMatch(testCase.message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(rawControlCharacters(run.stderr)).toEqual([]);
    expect(run.stdout).toBe('');
    expect(proxy.calls).toEqual([]);
  });

  it('refuses a user who does not exist, and leaves the key and the topic alone', async () => {
    const key = await exposedKeyOf('alice');
    const inbox = await topicWithInbox(moto(), 'security');

    const run = await runCli(
      ['respond', '--key', key, '--user', 'nobody', '--topic', inbox.topicArn, '--regions', 'us-east-1', '--yes'],
      env,
    );

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: There is no IAM user nobody in account 123456789012/m);
    expect(await keysOf('alice')).toEqual({ [key]: 'Active' });
    expect(proxy.calls).toContainEqual(expect.objectContaining({ service: 'iam', action: 'GetUser', faulted: false }));
    expect(changes(proxy.calls)).toEqual([]);
    expect(await inbox.messages()).toEqual([]);
  });

  it('refuses a topic that does not exist, and leaves the key alone', async () => {
    const key = await exposedKeyOf('bob');
    const missing = 'arn:aws:sns:us-east-1:123456789012:nope';

    const run = await runCli(['respond', '--key', key, '--topic', missing, '--regions', 'us-east-1', '--yes'], env);

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: The topic arn:aws:sns:us-east-1:123456789012:nope does not exist/m);
    expect(await keysOf('bob')).toEqual({ [key]: 'Active' });
    expect(proxy.calls).toContainEqual(
      expect.objectContaining({ service: 'sns', action: 'GetTopicAttributes', faulted: false }),
    );
    expect(changes(proxy.calls)).toEqual([]);
  });
});
