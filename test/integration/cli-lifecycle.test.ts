/*
 * The containment lifecycle from the command line (the built CLI, in a child process) against moto:
 * deactivate now and schedule the deletion in the deployed stack's schedule group, then release.
 * moto's CloudFormation does not create the schedule group, so the test creates it (named after
 * the stack, as the template names it); moto's Scheduler keeps the schedules.
 */

import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../src/steps/contain.js';
import { readFollowUp } from '../../src/steps/lifecycle/follow-up.js';
import { useCliEnvironment } from '../support/cli-env.js';
import { topicWithInbox } from '../support/sns-inbox.js';

const cli = useCliEnvironment();
let scheduler: SchedulerClient;

beforeAll(() => {
  scheduler = new SchedulerClient({ region: 'us-east-1', endpoint: cli().moto.endpoint });
});

async function exposedKey(userName: string): Promise<string> {
  const { iam } = cli().moto;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return created.AccessKey?.AccessKeyId as string;
}

async function statusOf(userName: string, accessKeyId: string) {
  const answer = await cli().moto.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return answer.AccessKeyMetadata?.find((key) => key.AccessKeyId === accessKeyId)?.Status;
}

async function schedule(name: string) {
  try {
    return await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: 'exposed-keys' }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}

async function deployedStack(...flags: string[]) {
  const deploy = await cli().run(['deploy', '--yes', ...flags]);
  expect(deploy.code, deploy.stderr).toBe(0);
  await scheduler.send(new CreateScheduleGroupCommand({ Name: 'exposed-keys' }));
}

function respond(key: string, ...flags: string[]) {
  return cli().run(['respond', '--key', key, '--regions', 'us-east-1', '--mode', 'deactivate-then-delete', ...flags]);
}

describe('deactivate now, delete later, unless released', () => {
  it('leaves the key inactive with a deletion scheduled after it, and says when in the message', async () => {
    await deployedStack();
    const key = await exposedKey('alice');
    const inbox = await topicWithInbox(cli().moto, 'security');

    const run = await respond(key, '--delete-after-days', '3', '--topic', inbox.topicArn, '--yes');

    expect(run.code, run.stderr).toBe(0);
    expect(await statusOf('alice', key)).toBe('Inactive');
    const deletion = await schedule(`exposed-keys-delete-${key}`);
    expect(deletion?.ScheduleExpression).toMatch(/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/);
    const due = Date.parse(`${deletion?.ScheduleExpression?.slice(3, -1)}Z`);
    expect(Math.abs(due - (Date.now() + 3 * 86_400_000))).toBeLessThan(600_000);
    expect(deletion?.ActionAfterCompletion).toBe('DELETE');
    expect(deletion?.Target?.Arn).toMatch(/^arn:aws:states:us-east-1:\d{12}:stateMachine:/);
    // What the schedule cannot start goes to the stack's dead-letter queue, which alerts the topic.
    expect(deletion?.Target?.DeadLetterConfig?.Arn).toMatch(
      /^arn:aws:sqs:us-east-1:\d{12}:exposed-keys-UndeliveredQueue-/,
    );
    expect(readFollowUp(JSON.parse(deletion?.Target?.Input ?? '{}'))).toMatchObject({
      request: { kind: 'scheduled-deletion', accessKeyId: key, userName: 'alice' },
    });
    expect(await schedule(`exposed-keys-verify-${key}`)).not.toBeNull();
    const [message] = await inbox.messages();
    expect(message?.Message).toMatch(/It will be DELETED at \d{4}-\d{2}-\d{2}T[\d:.]+Z unless released/);
  });

  it('schedules no verification from a stack deployed with --verify-after-minutes 0, and the deletion all the same', async () => {
    await deployedStack('--mode', 'deactivate-then-delete', '--verify-after-minutes', '0');
    const key = await exposedKey('grace');

    const run = await respond(key, '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).containment.verifyAt).toBeNull();
    expect(await schedule(`exposed-keys-verify-${key}`)).toBeNull();
    expect(await schedule(`exposed-keys-delete-${key}`)).not.toBeNull();
  });

  it('completes the containment of a key someone deactivated by hand: sessions denied, deletion scheduled', async () => {
    await deployedStack();
    const key = await exposedKey('frank');
    const { iam } = cli().moto;
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'frank', AccessKeyId: key, Status: 'Inactive' }));

    const run = await respond(key, '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.containment.outcome).toBe('already-contained');
    expect(result.containment.summary).toMatch(/already inactive, not by exposed-keys/);
    expect(await statusOf('frank', key)).toBe('Inactive');
    const policies = await iam.send(new ListUserPoliciesCommand({ UserName: 'frank' }));
    expect(policies.PolicyNames).toContain(REVOKE_SESSIONS_POLICY_NAME);
    expect(await schedule(`exposed-keys-delete-${key}`)).not.toBeNull();
    expect(await schedule(`exposed-keys-verify-${key}`)).not.toBeNull();

    // Run again, it finds its own record and changes nothing more.
    cli().forgetCalls();
    const again = await respond(key, '--yes', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).containment.summary).toMatch(/exposed-keys contained it earlier \(found inactive /);
    expect(
      cli()
        .mutatingCalls()
        .filter((call) => call.service === 'iam'),
    ).toEqual([]);
  });

  it('release removes the scheduled deletion and leaves the key inactive; --reactivate makes it active', async () => {
    await deployedStack();
    const key = await exposedKey('bob');
    expect((await respond(key, '--yes')).code).toBe(0);
    const inbox = await topicWithInbox(cli().moto, 'releases');

    const released = await cli().run(['release', '--key', key, '--yes', '--topic', inbox.topicArn]);

    expect(released.code, released.stderr).toBe(0);
    const [message] = await inbox.messages();
    expect(message?.Message).toMatch(/Account:?\s+123456789012/);
    expect(message?.Message).toMatch(/Contained:?\s+\d{4}-\d{2}-\d{2}T[\d:.]+Z/);
    expect(released.stdout).toContain(`exposed-keys-delete-${key}`);
    expect(await schedule(`exposed-keys-delete-${key}`)).toBeNull();
    expect(await schedule(`exposed-keys-verify-${key}`)).not.toBeNull();
    expect(await statusOf('bob', key)).toBe('Inactive');

    const reactivated = await cli().run(['release', '--key', key, '--reactivate', '--yes']);

    expect(reactivated.code, reactivated.stderr).toBe(0);
    expect(await statusOf('bob', key)).toBe('Active');
    expect(await schedule(`exposed-keys-verify-${key}`)).toBeNull();
    expect(reactivated.stdout).toMatch(/REACTIVATED/);
  });

  it('release refuses a key exposed-keys did not contain, and changes nothing', async () => {
    const key = await exposedKey('carol');
    cli().forgetCalls();

    const run = await cli().run(['release', '--key', key, '--reactivate', '--yes']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/exposed-keys releases only keys it contained/);
    expect(cli().mutatingCalls()).toEqual([]);
    expect(await statusOf('carol', key)).toBe('Active');
  });

  it('release --reactivate without --yes and without a terminal refuses, naming the flag', async () => {
    await deployedStack();
    const key = await exposedKey('erin');
    expect((await respond(key, '--yes')).code).toBe(0);

    const run = await cli().run(['release', '--key', key, '--reactivate']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/makes an exposed key usable again: add --yes/);
    expect(await statusOf('erin', key)).toBe('Inactive');
  });

  it('refuses deactivate-then-delete without a stack to schedule in, before any change', async () => {
    const key = await exposedKey('dave');
    cli().forgetCalls();

    const run = await respond(key, '--yes');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/schedules the deletion in the stack exposed-keys, which was not found/);
    expect(cli().mutatingCalls()).toEqual([]);
    expect(await statusOf('dave', key)).toBe('Active');
  });
});
