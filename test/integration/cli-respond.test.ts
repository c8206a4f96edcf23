/*
 * `exposed-keys respond`, run as a responder runs it (the built CLI, in a child process) against
 * moto behind a proxy that records every call, with CloudTrail LookupEvents served by a fixture
 * from part of a recorded attack replayed as the exposed key's activity. Searching us-east-1 only
 * (--regions) keeps LookupEvents, at 2 requests per second, quick.
 */

import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { ListSubscriptionsByTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { MOTO_ACCOUNT, useCliEnvironment } from '../support/cli-env.js';
import { topicWithInbox } from '../support/sns-inbox.js';

const cli = useCliEnvironment();

/** The served activity ends two hours ago: inside the default 24-hour window, outside the last hour. */
const HOURS_AGO = 2;

async function userWithTwoKeys(userName: string) {
  const { iam } = cli().moto;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const first = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const second = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { exposed: first.AccessKey?.AccessKeyId as string, other: second.AccessKey?.AccessKeyId as string };
}

async function keysOf(userName: string): Promise<Record<string, string | undefined>> {
  const answer = await cli().moto.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

/** alice with two keys, the first exposed, and its recorded activity served by LookupEvents. */
async function exposedKeyOfAlice(events?: number) {
  const keys = await userWithTwoKeys('alice');
  const served = await cli().serveAttack({
    accessKeyId: keys.exposed,
    userName: 'alice',
    endAt: new Date(Date.now() - HOURS_AGO * 3_600_000),
    events,
  });
  return { ...keys, served };
}

function respond(key: string, ...flags: string[]) {
  return cli().run(['respond', '--key', key, '--regions', 'us-east-1', ...flags]);
}

function timeOf(record: CloudTrailRecord): number {
  return Date.parse(String(record.eventTime));
}

describe('responding to an exposed key', () => {
  it("deletes the key, leaves the user's other key alone, investigates, and notifies the topic once", async () => {
    const { exposed, other, served } = await exposedKeyOfAlice();
    const inbox = await topicWithInbox(cli().moto, 'security');

    const run = await respond(exposed, '--topic', inbox.topicArn, '--yes');

    expect(run.code, run.stderr).toBe(0);
    expect(await keysOf('alice')).toEqual({ [other]: 'Active' });
    expect(run.stdout).toMatch(/Containment: deleted/);
    expect(run.stdout).toContain(`Investigation: ${served.length} events in 1 region(s)`);
    expect(run.stdout).toContain(`Notified ${inbox.topicArn}`);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toContain(exposed);
    expect(messages[0]?.Message).toContain(exposed);
    expect(cli().actions()).toContain('DeleteAccessKey');
  });

  it('puts one finding naming the key in Security Hub, which a second response updates', async () => {
    const { exposed } = await exposedKeyOfAlice(10);
    const findings = async () =>
      ((await cli().moto.securityHub.send(new GetFindingsCommand({}))).Findings ?? []).filter(
        (finding) => finding.Id === `exposed-keys/${MOTO_ACCOUNT}/${exposed}`,
      );

    const first = await respond(exposed, '--yes', '--json');
    const [created] = await findings();
    const again = await respond(exposed, '--user', 'alice', '--yes', '--json');

    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).finding).toMatchObject({ status: 'imported', created: true });
    expect(JSON.parse(again.stdout).finding).toMatchObject({ status: 'imported', created: false });
    expect(created).toMatchObject({
      AwsAccountId: MOTO_ACCOUNT,
      Resources: [
        { Type: 'AwsIamAccessKey', Id: exposed, Details: { AwsIamAccessKey: { PrincipalName: 'alice' } } },
        {},
      ],
    });
    const [updated] = await findings();
    expect(await findings()).toHaveLength(1);
    expect(updated?.CreatedAt).toBe(created?.CreatedAt);
    expect(updated?.Title).toMatch(/^Exposed key already contained/);
    expect(Date.parse(updated?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(created?.UpdatedAt ?? ''));
  });

  it("notifies the deployed stack's topic when no --topic is given", async () => {
    const deploy = await cli().run(['deploy', '--yes']);
    expect(deploy.code, deploy.stderr).toBe(0);
    // moto's CloudFormation skips the stack's schedule group; without it the verification is not scheduled (exit 3).
    const scheduler = new SchedulerClient({ region: 'us-east-1', endpoint: cli().moto.endpoint });
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'exposed-keys' }));
    const { exposed } = await exposedKeyOfAlice(10);
    const stack = await cli().cloudFormation.send(new DescribeStackResourcesCommand({ StackName: 'exposed-keys' }));
    const topicArn = stack.StackResources?.find((resource) => resource.LogicalResourceId === 'NotificationTopic')
      ?.PhysicalResourceId as string;
    const { sqs, sns } = cli().moto;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'stack-inbox' }));
    const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.Attributes?.QueueArn }));

    const run = await respond(exposed, '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).notification).toMatchObject({ status: 'sent', topicArn });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages).toHaveLength(1);
    const subscriptions = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(subscriptions.Subscriptions).toHaveLength(1);
  });

  it('finds the owner of the key itself when --user is not given', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);

    const run = await respond(exposed, '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.incident).toMatchObject({ accessKeyId: exposed, userName: 'alice', accountId: MOTO_ACCOUNT });
    expect(result.containment).toMatchObject({ outcome: 'deleted', userName: 'alice' });
    expect(await keysOf('alice')).toEqual({ [other]: 'Active' });
    expect(cli().actions()).toContain('GetAccessKeyLastUsed');
  });

  it('prints exactly one JSON document with --json, whose activity counts the served events', async () => {
    const { exposed, served } = await exposedKeyOfAlice();

    const run = await respond(exposed, '--user', 'alice', '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining(['incident', 'containment', 'activity', 'notification', 'needsHuman']),
    );
    expect(result.activity).toMatchObject({
      accessKeyId: exposed,
      userName: 'alice',
      source: 'lookup-events',
      regions: { searched: ['us-east-1'], failed: [] },
      totalEvents: served.length,
      firstSeen: new Date(timeOf(served[0] as CloudTrailRecord)).toISOString(),
      lastSeen: new Date(timeOf(served.at(-1) as CloudTrailRecord)).toISOString(),
    });
    expect(result.containment.outcome).toBe('deleted');
    expect(result.notification.status).toBe('printed');
    expect(result.needsHuman).toBe(false);
  });

  it('changes nothing at all with --dry-run, and prints the plan and the message', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    const inbox = await topicWithInbox(cli().moto, 'security');

    const run = await respond(exposed, '--topic', inbox.topicArn, '--dry-run');

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Plan for ${exposed}`);
    expect(run.stderr).toMatch(/DRY RUN/);
    expect(run.stderr).toContain(`delete ${exposed} of alice`);
    expect(run.stdout).toMatch(/Containment: planned/);
    expect(run.stdout).toMatch(/Subject: .*/);
    expect(run.stdout).toMatch(/dry run: nothing is sent/);
    expect(cli().actions()).toContain('GetAccessKeyLastUsed');
    expect(cli().mutatingCalls()).toEqual([]);
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    const policies = await cli().moto.iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }));
    expect(policies.PolicyNames).toEqual([]);
    expect(await inbox.messages()).toEqual([]);
  });

  it('deactivates the key with --mode deactivate', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);

    const run = await respond(exposed, '--mode', 'deactivate', '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).containment.outcome).toBe('deactivated');
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Inactive', [other]: 'Active' });
  });

  it('asks before recording the containment of a key found inactive, changing nothing without --yes', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    await cli().moto.iam.send(
      new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: exposed, Status: 'Inactive' }),
    );
    cli().forgetCalls();

    const run = await respond(exposed, '--mode', 'deactivate', '--no-revoke-sessions');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `record "found inactive" on alice, with the time of containment (tag exposed-keys/contained/${exposed})`,
    );
    expect(run.stderr).toMatch(/add --yes/);
    expect(cli().mutatingCalls()).toEqual([]);
    const tags = await cli().moto.iam.send(new ListUserTagsCommand({ UserName: 'alice' }));
    expect(tags.Tags).toEqual([]);
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Inactive', [other]: 'Active' });
  });

  it('leaves the key active with --mode notify-only, and still succeeds', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);

    const run = await respond(exposed, '--mode', 'notify-only', '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.containment.outcome).toBe('notify-only');
    expect(result.needsHuman).toBe(false);
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    expect(cli().mutatingCalls()).toEqual([]);
  });

  it('exits 3 when the notification cannot be sent, with the key still deleted', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    const inbox = await topicWithInbox(cli().moto, 'security');
    cli().proxy.setRules([{ service: 'sns', action: 'Publish', fault: 'access-denied' }]);

    const run = await respond(exposed, '--topic', inbox.topicArn, '--yes');

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/The notification was not sent/);
    expect(run.stdout).toMatch(/Notification FAILED/);
    expect(run.stdout).toMatch(/Subject: /);
    expect(await keysOf('alice')).toEqual({ [other]: 'Active' });
    expect(await inbox.messages()).toEqual([]);
  });

  it('exits 3 when no region could be investigated, with the key still deleted and the team told', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    const inbox = await topicWithInbox(cli().moto, 'security');
    cli().setLookupFault('access-denied');

    const run = await respond(exposed, '--topic', inbox.topicArn, '--yes');

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/The investigation failed/);
    expect(await keysOf('alice')).toEqual({ [other]: 'Active' });
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Message).toMatch(/AccessDenied/);
  });

  it('reports a repeated response as already contained, by the record it left on the user', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    const first = await respond(exposed, '--yes');
    expect(first.code, first.stderr).toBe(0);

    const again = await respond(exposed, '--user', 'alice', '--yes', '--json');

    expect(again.code, again.stderr).toBe(0);
    const { containment } = JSON.parse(again.stdout);
    expect(containment.outcome).toBe('already-contained');
    expect(containment.summary).toMatch(/exposed-keys contained it earlier \(deleted /);
    expect(await keysOf('alice')).toEqual({ [other]: 'Active' });
  });

  it('says a key the account does not hold is not found, needing a human, rather than contained', async () => {
    const run = await respond('AKIAIOSFODNN7EXAMPLE', '--yes', '--json');

    expect(run.code, run.stderr).toBe(4);
    const result = JSON.parse(run.stdout);
    expect(result.containment).toMatchObject({ outcome: 'not-found', contained: false });
    expect(result.needsHuman).toBe(true);
    expect(run.stderr).not.toMatch(/already contained/i);
  });
});

describe('choosing what to investigate', () => {
  it('finds no events with --hours when the activity is older', async () => {
    const { exposed } = await exposedKeyOfAlice(10);

    const run = await respond(exposed, '--hours', '1', '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    const { activity } = JSON.parse(run.stdout);
    expect(activity.totalEvents).toBe(0);
    expect(Date.parse(activity.window.end) - Date.parse(activity.window.start)).toBe(3_600_000);
  });

  it('counts only the events between --start and --end', async () => {
    const { exposed, served } = await exposedKeyOfAlice();
    const times = served.map(timeOf);
    const start = new Date(times[10] as number);
    const end = new Date(times[40] as number);
    const inside = times.filter((time) => time >= start.getTime() && time <= end.getTime()).length;

    const run = await respond(exposed, '--start', start.toISOString(), '--end', end.toISOString(), '--yes', '--json');

    expect(run.code, run.stderr).toBe(0);
    const { activity } = JSON.parse(run.stdout);
    expect(activity.window).toEqual({ start: start.toISOString(), end: end.toISOString() });
    expect(activity.totalEvents).toBe(inside);
    expect(activity.totalEvents).toBeLessThan(served.length);
  });

  it('searches only the regions given with --regions', async () => {
    const { exposed, served } = await exposedKeyOfAlice(10);

    const run = await cli().run([
      'respond',
      '--key',
      exposed,
      '--regions',
      'us-east-1,eu-west-1',
      '--no-follow-sessions',
      '--yes',
      '--json',
    ]);

    expect(run.code, run.stderr).toBe(0);
    const { activity } = JSON.parse(run.stdout);
    expect([...activity.regions.searched].sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(activity.totalEvents).toBe(served.length);
    expect([...cli().cloudTrail.requests.keys()].sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(cli().actions()).not.toContain('DescribeRegions');
  });
});

describe('responding when the key cannot be contained', () => {
  it('asks a human to act, with exit code 4, for a temporary (ASIA) key', async () => {
    const run = await respond('ASIAQWERTYUIOPASDFGH', '--yes', '--json');

    expect(run.code).toBe(4);
    const result = JSON.parse(run.stdout);
    expect(result.containment.outcome).toBe('manual-action-required');
    expect(result.containment.humanSteps.length).toBeGreaterThan(0);
    expect(result.needsHuman).toBe(true);
    expect(cli().mutatingCalls()).toEqual([]);
  });

  it('refuses, changing nothing, when the CLI is signed in with the very key to contain', async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    const signedWithIt = { AWS_ACCESS_KEY_ID: exposed, AWS_SECRET_ACCESS_KEY: 'the-leaked-secret' };

    const run = await cli().run(['respond', '--key', exposed, '--regions', 'us-east-1', '--yes'], signedWithIt);

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/signed in with AKIA\w+, the very key to contain/);
    expect(run.stderr).toMatch(/Nothing was changed/);
    expect(run.stderr).toMatch(/other credentials/);
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    expect(cli().mutatingCalls()).toEqual([]);
    expect(cli().actions()).toEqual([]);

    const dryRun = await cli().run(['respond', '--key', exposed, '--regions', 'us-east-1', '--dry-run'], signedWithIt);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stderr).toMatch(/Without --dry-run, respond would refuse/);
  });

  it("touches nothing, with exit code 4, when --user names someone other than the key's owner", async () => {
    const { exposed, other } = await exposedKeyOfAlice(10);
    await cli().moto.iam.send(new CreateUserCommand({ UserName: 'bob' }));

    const run = await respond(exposed, '--user', 'bob', '--yes');

    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/owner-mismatch/);
    expect(run.stdout).toMatch(/^Do now {9}1\. --user names bob, but IAM says .* belongs to alice/m);
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    expect(cli().mutatingCalls()).toEqual([]);
  });
});

describe('refusing bad input', () => {
  const cases: [string, (key: string) => string[], RegExp][] = [
    ['an access key id of the wrong shape', () => ['--key', 'AKIA-not-a-key', '--yes'], /--key/],
    ['a user that does not exist', (key) => ['--key', key, '--user', 'nobody', '--yes'], /no IAM user nobody/],
    [
      'a topic that does not exist',
      (key) => ['--key', key, '--topic', `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:missing`, '--yes'],
      /topic .*missing does not exist/,
    ],
    ['--hours with --start', (key) => ['--key', key, '--hours', '2', '--start', '2026-01-01', '--yes'], /not both/],
    ['no --yes when not at a terminal', (key) => ['--key', key], /add --yes to confirm/],
  ];

  it.each(cases)('exits 2 and changes nothing for %s', async (_case, flags, message) => {
    const { exposed, other } = await userWithTwoKeys('alice');

    const run = await cli().run(['respond', '--regions', 'us-east-1', ...flags(exposed)]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(await keysOf('alice')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    expect(cli().mutatingCalls()).toEqual([]);
  });
});
