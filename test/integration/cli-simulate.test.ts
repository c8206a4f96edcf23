/*
 * `exposed-keys simulate`, run as a user runs it (the built CLI, in a child process) against moto
 * behind a proxy that records every call, with CloudTrail LookupEvents served by a fixture.
 *
 * --local runs the template's state machine on this machine with the real steps, so it contains,
 * investigates and notifies for real. Against the deployed stack, moto starts the execution but
 * runs no task: it answers with a canned history of one state, "A State", that succeeds. So the
 * remote tests check what the CLI can: the execution it started, its input, and that it followed
 * the history to the end; the key is never contained there.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { MOTO_ACCOUNT, useCliEnvironment } from '../support/cli-env.js';
import { publishedEvent, withKey } from '../support/published.js';
import { topicWithInbox } from '../support/sns-inbox.js';

const cli = useCliEnvironment();

const STATES = ['DeleteAccessKeyPair', 'LookupCloudTrailEvents', 'NotifySecurity'];

async function userWithKey(userName: string): Promise<string> {
  const { iam } = cli().moto;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return created.AccessKey?.AccessKeyId as string;
}

async function keysOf(userName: string): Promise<Record<string, string | undefined>> {
  const answer = await cli().moto.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

async function testUsers(): Promise<string[]> {
  const answer = await cli().moto.iam.send(new ListUsersCommand({}));
  return (answer.Users ?? [])
    .flatMap((user) => user.UserName ?? [])
    .filter((name) => name.startsWith('exposed-keys-test-'));
}

/** Deploys the stack with the CLI and returns its state machine's ARN. */
async function deployedStateMachine(): Promise<string> {
  const deploy = await cli().run(['deploy', '--yes']);
  expect(deploy.code, deploy.stderr).toBe(0);
  // Unfiltered: moto fails on a LogicalResourceId filter that passes its resource of a false Condition.
  const answer = await cli().cloudFormation.send(new DescribeStackResourcesCommand({ StackName: 'exposed-keys' }));
  return answer.StackResources?.find((resource) => resource.LogicalResourceId === 'StateMachine')
    ?.PhysicalResourceId as string;
}

describe('replaying an event as it was delivered (--event)', () => {
  async function eventFile(event: unknown): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'exposed-keys-event-'));
    const path = join(folder, 'event.json');
    await writeFile(path, JSON.stringify(event));
    return path;
  }

  it("replays AWS's published Trusted Advisor sample on this machine, with the key it names contained", async () => {
    const key = await userWithKey('test-user');
    const published = withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', key);
    const event = { ...published, account: MOTO_ACCOUNT };

    const run = await cli().run(['simulate', '--yes', '--local', '--event', await eventFile(event), '--json']);

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.event).toEqual(event);
    expect(result.output.containment).toMatchObject({ outcome: 'deleted', userName: 'test-user' });
    expect(await keysOf('test-user')).toEqual({});
  });

  it('touches nothing for a key of another account, as the organisational view delivers it, and says a human must act', async () => {
    const key = await userWithKey('dana');
    const published = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      key,
    );

    // The sample's affected account is the one moto answers as: another member's is used instead.
    published.detail.affectedAccount = '210987654321';

    const run = await cli().run(['simulate', '--yes', '--local', '--event', await eventFile(published), '--json']);

    expect(run.code, run.stderr).toBe(4);
    const result = JSON.parse(run.stdout);
    expect(result.output.containment).toMatchObject({ outcome: 'other-account', contained: false });
    expect(result.printedNotification.subject).toMatch(
      /^ACTION REQUIRED: key of another account, not touched: AKIA\w{16} in 210987654321$/,
    );
    expect(result.printedNotification.message).toMatch(/Account: {5}210987654321 \(reported to 987654321098\)/);
    expect(await keysOf('dana')).toEqual({ [key]: 'Active' });
  });

  it('stops before anything, saying to log in again, when IAM refuses the credentials: exit 3, as respond', async () => {
    const key = await userWithKey('frank');
    const event = {
      ...withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', key),
      account: MOTO_ACCOUNT,
    };
    cli().proxy.setRules([{ service: 'iam', fault: 'expired-token' }]);

    const run = await cli().run(['simulate', '--yes', '--local', '--event', await eventFile(event), '--json']);

    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: .*ExpiredToken.*The key was NOT contained: nothing was changed, and nobody was notified\./m,
    );
    expect(run.stderr).toMatch(/^hint: Log in again/m);
    expect(run.stderr).not.toContain('▶ DeleteAccessKeyPair');
    expect(cli().mutatingCalls()).toEqual([]);
    expect(await keysOf('frank')).toEqual({ [key]: 'Active' });
  });

  it('runs on and says a human must act when IAM refuses a permission: exit 4, as respond', async () => {
    const key = await userWithKey('grace');
    const event = {
      ...withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', key),
      account: MOTO_ACCOUNT,
    };
    cli().proxy.setRules([{ service: 'iam', fault: 'access-denied' }]);

    const run = await cli().run(['simulate', '--yes', '--local', '--event', await eventFile(event), '--json']);

    expect(run.code, run.stderr).toBe(4);
    const result = JSON.parse(run.stdout);
    expect(result.output.containmentError.Cause).toMatch(/iam:GetAccessKeyLastUsed failed: AccessDenied/);
    expect(result.printedNotification.subject).toMatch(/^ACTION REQUIRED/);
    expect(await keysOf('grace')).toEqual({ [key]: 'Active' });
  });

  it('refuses a file that holds no event, and --event with --key, before any call', async () => {
    const notJson = await eventFile('just text');

    const first = await cli().run(['simulate', '--local', '--event', notJson]);
    const second = await cli().run(['simulate', '--local', '--event', notJson, '--key', 'AKIAIOSFODNN7EXAMPLE']);
    // A device (or a pipe) has no size to check beforehand: the cap holds while reading.
    const endless = await cli().run(['simulate', '--local', '--event', '/dev/zero']);

    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/--event .* does not hold a JSON object/);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/--event replays the event as it is/);
    expect(endless.code).toBe(2);
    expect(endless.stderr).toMatch(/larger than an EventBridge event can be/);
    expect(cli().calls()).toEqual([]);
  });
});

describe('simulating an incident on this machine (--local)', () => {
  it('asks before containing a real key, and without a terminal or --yes refuses, changing nothing', async () => {
    const key = await userWithKey('erin');

    const run = await cli().run(['simulate', '--local', '--key', key]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/simulate contains a real key: add --yes/);
    expect(await keysOf('erin')).toEqual({ [key]: 'Active' });
  });

  it('refuses, changing nothing, to contain the very key the CLI is signed in with', async () => {
    const key = await userWithKey('carol');

    const run = await cli().run(['simulate', '--local', '--yes', '--key', key], {
      AWS_ACCESS_KEY_ID: key,
      AWS_SECRET_ACCESS_KEY: 'the-leaked-secret',
    });

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/signed in with AKIA\w+, the very key to contain/);
    expect(await keysOf('carol')).toEqual({ [key]: 'Active' });
    expect(cli().mutatingCalls()).toEqual([]);
  });

  it('runs the state machine, deletes the key, and prints each state and the notification', async () => {
    const key = await userWithKey('carol');
    const served = await cli().serveAttack({ accessKeyId: key, userName: 'carol', endAt: new Date(), events: 30 });

    const run = await cli().run(['simulate', '--yes', '--local', '--key', key]);

    expect(run.code, run.stderr).toBe(0);
    expect(await keysOf('carol')).toEqual({});
    for (const state of STATES) {
      expect(run.stderr).toContain(`▶ ${state}`);
      expect(run.stderr).toMatch(new RegExp(`✔ ${state} \\d+\\.\\d s`));
    }
    expect(run.stdout).toMatch(/Execution SUCCEEDED/);
    expect(run.stdout).toContain(`containment    deleted: Deleted ${key} of carol.`);
    expect(run.stdout).toMatch(new RegExp(`investigation  ${served.length} events`));
    expect(run.stdout).toMatch(/notification {3}Exposed key deleted/);
    expect(run.stdout).toMatch(/Notification \(no topic, printed\)/);
    // The stack's investigation takes the inventory of what the attacker left: so does the local run.
    expect(run.stdout).toContain('WHAT THE ATTACKER LEFT (checked now; nothing was removed)');
    expect(cli().actions()).not.toContain('Publish');
  });

  it('publishes the notification to the topic given with --topic', async () => {
    const key = await userWithKey('carol');
    const inbox = await topicWithInbox(cli().moto, 'security');

    const run = await cli().run(['simulate', '--yes', '--local', '--key', key, '--topic', inbox.topicArn]);

    expect(run.code, run.stderr).toBe(0);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Message).toContain(key);
    expect(messages[0]?.Message).toMatch(/simulated/i);
    expect(run.stdout).not.toMatch(/no topic, printed/);
    expect(await keysOf('carol')).toEqual({});
  });

  it('creates a test user, contains its key, checks it is gone, and removes the user', async () => {
    const run = await cli().run(['simulate', '--local', '--create-test-user', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.mode).toBe('local');
    expect(result.execution.status).toBe('SUCCEEDED');
    expect(result.testUser).toMatchObject({ keyStatusAfter: null, removed: true });
    expect(result.testUser.userName).toMatch(/^exposed-keys-test-/);
    expect(result.output.containment).toMatchObject({ outcome: 'deleted', accessKeyId: result.testUser.accessKeyId });
    expect(await testUsers()).toEqual([]);
    expect(cli().actions()).toEqual(
      expect.arrayContaining(['CreateUser', 'CreateAccessKey', 'DeleteAccessKey', 'DeleteUser']),
    );
  });

  it('handles an AWS Health event with --source health', async () => {
    const key = await userWithKey('carol');

    const run = await cli().run(['simulate', '--yes', '--source', 'health', '--local', '--key', key, '--json']);

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.event).toMatchObject({
      source: 'aws.health',
      'detail-type': 'AWS Health Event',
      detail: { service: 'RISK', affectedEntities: [{ entityValue: key }] },
    });
    expect(result.output.containment).toMatchObject({ outcome: 'deleted', userName: 'carol' });
    expect(await keysOf('carol')).toEqual({});
  });
});

describe('simulating an incident on the deployed stack', () => {
  it('starts an execution with the key in its input and follows it to the end', async () => {
    const stateMachineArn = await deployedStateMachine();
    const key = await userWithKey('carol');

    const run = await cli().run(['simulate', '--yes', '--key', key]);

    expect(run.code, run.stderr).toBe(0);
    const executions = await cli().sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions).toHaveLength(1);
    const executionArn = executions.executions?.[0]?.executionArn as string;
    const described = await cli().sfn.send(new DescribeExecutionCommand({ executionArn }));
    const input = JSON.parse(described.input ?? '{}');
    expect(input).toMatchObject({
      source: 'aws.trustedadvisor',
      account: MOTO_ACCOUNT,
      detail: { 'check-item-detail': { 'Access Key ID': key, 'User Name (IAM or Root)': 'carol' } },
    });
    expect(run.stderr).toContain(`Started ${executionArn}`);
    expect(run.stderr).toMatch(/▶ A State/);
    expect(run.stderr).toMatch(/✔ A State/);
    expect(run.stdout).toContain(`Execution SUCCEEDED`);
    expect(run.stdout).toContain(executionArn);
    expect(cli().actions()).toEqual(expect.arrayContaining(['StartExecution', 'GetExecutionHistory']));
  });

  it('returns as soon as the execution has started with --no-wait', async () => {
    const stateMachineArn = await deployedStateMachine();
    const key = await userWithKey('carol');

    const run = await cli().run(['simulate', '--yes', '--key', key, '--no-wait', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.execution.status).toBe('RUNNING');
    expect(result.execution.executionArn).toMatch(/^arn:aws:states:us-east-1:\d{12}:execution:/);
    const executions = await cli().sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions?.map((execution) => execution.executionArn)).toEqual([result.execution.executionArn]);
    expect(cli().actions()).not.toContain('GetExecutionHistory');
  });

  it('reports a test key still active, exits 4, and still removes the test user', async () => {
    await deployedStateMachine();

    const run = await cli().run(['simulate', '--create-test-user']);

    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/test key {7}AKIA[A-Z2-7]{16} is still Active/);
    expect(run.stdout).toMatch(/test user {6}exposed-keys-test-[0-9a-f]+ removed/);
    expect(await testUsers()).toEqual([]);
  });

  it('says how to deploy when there is no stack', async () => {
    const key = await userWithKey('carol');

    const run = await cli().run(['simulate', '--yes', '--key', key]);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/Stack exposed-keys was not found/);
    expect(run.stderr).toMatch(/exposed-keys deploy/);
    expect(await keysOf('carol')).toEqual({ [key]: 'Active' });
    expect(cli().actions()).not.toContain('StartExecution');
  });
});

describe('refusing conflicting simulate flags', () => {
  const KEY = 'AKIAQWERTYUIOPASDFGH';
  const cases: [string, string[], RegExp][] = [
    ['--create-test-user with --key', ['--create-test-user', '--key', KEY], /leave out --key/],
    ['--create-test-user with --no-wait', ['--create-test-user', '--no-wait'], /must wait/],
    ['--local with --no-wait', ['--local', '--key', KEY, '--no-wait'], /--local runs here/],
    [
      '--topic without --local',
      ['--key', KEY, '--topic', `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:t`],
      /applies to --local/,
    ],
    ['an unknown --source', ['--key', KEY, '--source', 'guardduty'], /--source must be one of/],
    ['no --key and no --create-test-user', ['--local'], /access key id is required/],
  ];

  it.each(cases)('exits 2 without a call for %s', async (_case, flags, message) => {
    const run = await cli().run(['simulate', ...flags]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(cli().calls()).toEqual([]);
  });
});
