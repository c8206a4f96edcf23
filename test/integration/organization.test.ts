/*
 * Organisation mode end to end on moto: an organisation with a member account, `deploy --org` (the
 * hub, the member StackSet, its instances), a member's leaked key forwarded to the hub and
 * contained in the member account by the hub's own state machine and handlers, `respond --account`
 * by hand, the hub refusing an account outside the organisation, `status --org` and
 * `destroy --org`. Emulator gaps, worked around as said where they matter: moto's rules cannot
 * start a state machine (PutEvents fails), so the hub's rule is checked for its target and then
 * pointed at a queue to see what arrives; moto drops the `account` field of delivered events,
 * which AWS keeps, so the test puts it back; moto never checks trust or IAM policies.
 */
import {
  DescribeStackResourcesCommand,
  DescribeStackSetCommand,
  DescribeStacksCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, GetRoleCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { actingIn, createOrganization, type TestOrganization } from '../../emulators/organization.js';
import { runStateMachineLocally } from '../../src/state-machine/run-local.js';
import { MOTO_ACCOUNT, useCliEnvironment } from '../support/cli-env.js';
import { loadEvent } from '../support/fixtures.js';
import { artifactHandlers } from '../support/lambda-artifact.js';
import type { DeliveredMessage } from '../support/sns-inbox.js';

const cli = useCliEnvironment();
const HUB = 'exposed-keys';

async function resourceOf(stackName: string, logicalId: string): Promise<string> {
  const answer = await cli().cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const found = answer.StackResources?.find((resource) => resource.LogicalResourceId === logicalId);
  if (!found?.PhysicalResourceId) throw new Error(`no ${logicalId} in ${stackName}`);
  return found.PhysicalResourceId;
}

/** An SQS queue of the hub account, with its ARN, and a way to read what it received. */
async function hubQueue(name: string) {
  const sqs = cli().moto.sqs;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return {
    arn: attributes.Attributes?.QueueArn as string,
    async received(client: SQSClient = sqs): Promise<Message[]> {
      const all: Message[] = [];
      for (;;) {
        const page = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        if (!page.Messages?.length) return all;
        all.push(...page.Messages);
      }
    },
  };
}

/** The hub topic's messages, through a queue subscribed to it. */
async function hubInbox() {
  const topicArn = await resourceOf(HUB, 'NotificationTopic');
  const queue = await hubQueue('hub-inbox');
  await cli().moto.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn }));
  return {
    topicArn,
    messages: async () =>
      (await queue.received()).map((message) => JSON.parse(message.Body ?? '{}') as DeliveredMessage),
  };
}

async function deployedOrganization(): Promise<TestOrganization> {
  const organization = await createOrganization(cli().moto.endpoint);
  const run = await cli().run(['deploy', '--org', '--yes'], {}, { timeoutMs: 180_000 });
  expect(run.code, run.stderr).toBe(0);
  return organization;
}

async function leakedKey(organization: TestOrganization, userName: string) {
  const { iam } = organization.member;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return created.AccessKey?.AccessKeyId as string;
}

async function memberKeys(organization: TestOrganization, userName: string) {
  const answer = await organization.member.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return (answer.AccessKeyMetadata ?? []).map((key) => key.AccessKeyId);
}

function trustedAdvisorEvent(accountId: string, accessKeyId: string, userName: string) {
  const event = loadEvent('trusted-advisor-exposed');
  event.account = accountId;
  event.detail['check-item-detail']['Access Key ID'] = accessKeyId;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

/** The hub's state machine on this machine, with the real handlers of the artifact, as the hub's functions run. */
async function runHub(event: unknown, organizationId: string, topicArn: string) {
  const handlers = await artifactHandlers({
    AWS_ENDPOINT_URL: cli().moto.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cli().cloudTrail.endpoint,
    TOPIC_ARN: topicArn,
    INVESTIGATE_REGIONS: 'us-east-1',
    LOOKBACK_HOURS: '24',
    ORGANIZATION_ID: organizationId,
    RESPONDER_ROLE_NAME: 'exposed-keys-responder',
  });
  return runStateMachineLocally({ event, handlers });
}

describe('deploy --org', () => {
  it('deploys the hub, the member StackSet to the root with automatic deployment, and the members’ stacks', async () => {
    const organization = await createOrganization(cli().moto.endpoint);

    const run = await cli().run(['deploy', '--org', '--yes'], {}, { timeoutMs: 180_000 });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Organization ${organization.organizationId}`);
    expect(run.stderr).toContain(
      `create StackSet exposed-keys-members (service-managed, automatic deployment) to ${organization.rootId}`,
    );
    expect(run.stderr).toMatch(/25% of the accounts at once, up to 10% may fail \(SOFT_FAILURE_TOLERANCE\)/);
    expect(run.stdout).toContain('StackSet create-instances: SUCCEEDED');
    expect(run.stdout).toContain('Management account: hub.');
    const hub = (await cli().cloudFormation.send(new DescribeStacksCommand({ StackName: HUB }))).Stacks?.[0];
    expect(hub?.Parameters).toContainEqual({
      ParameterKey: 'OrganizationId',
      ParameterValue: organization.organizationId,
    });
    const stackSet = await cli().cloudFormation.send(
      new DescribeStackSetCommand({ StackSetName: 'exposed-keys-members' }),
    );
    expect(stackSet.StackSet).toMatchObject({ PermissionModel: 'SERVICE_MANAGED', Status: 'ACTIVE' });
    expect(stackSet.StackSet?.Parameters).toContainEqual({
      ParameterKey: 'UndeliveredQueueName',
      ParameterValue: 'exposed-keys-members-undelivered',
    });
    const instances = await cli().cloudFormation.send(
      new ListStackInstancesCommand({ StackSetName: 'exposed-keys-members' }),
    );
    expect(instances.Summaries?.map((summary) => summary.Account)).toContain(organization.member.accountId);
    // The member stack's resources, in the member account.
    const role = await organization.member.iam.send(new GetRoleCommand({ RoleName: 'exposed-keys-responder' }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::${organization.member.accountId}:role/exposed-keys-responder`);
    expect(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')).toContain(
      `arn:aws:iam::${MOTO_ACCOUNT}:role/exposed-keys-hub/*`,
    );
  });

  it('says, with its hint, that status --org finds no hub stack, rather than crash', async () => {
    await deployedOrganization();

    const status = await cli().run(['status', '--org', '--stack-name', 'no-such-hub']);

    expect(status.code, status.stderr).toBe(3);
    expect(status.stderr).toContain('Stack no-such-hub was not found in us-east-1.');
    expect(status.stderr).not.toMatch(/\n\s+at /);
  });

  it('shows the StackSet’s instances by account with status --org', async () => {
    const organization = await deployedOrganization();

    const status = await cli().run(['status', '--org']);

    // The hub was deployed without --email: nobody receives its alerts, which status says with exit 3.
    expect(status.code, status.stderr).toBe(3);
    expect(status.stderr).toContain('Nobody receives the notifications');
    expect(status.stdout).toMatch(new RegExp(`${organization.member.accountId} +CURRENT +SUCCEEDED +NOT_CHECKED`));
    expect(status.stdout).toContain('StackSet exposed-keys-members: ACTIVE');
    // The member's queue of events not forwarded was read through its responder role: empty.
    expect(status.stdout).toContain(
      'Events the members could not forward to the hub (queue exposed-keys-members-undelivered)',
    );
    expect(status.stdout).toContain('1 account(s) read, 1 with none waiting');
    expect(status.stderr).not.toContain('could not be forwarded');
  });

  it('says with status --org that a member holds events it could not forward to the hub, and what to do', async () => {
    const organization = await deployedOrganization();
    // Someone receives the hub's alerts, so that status --org has nothing else to warn of but what
    // moto does not keep: a StackSet's automatic deployment, the units it deploys to (AWS gives both).
    await hubInbox();
    const quiet = await cli().run(['status', '--org']);
    expect(quiet.code, quiet.stderr).toBe(3);
    expect(quiet.stderr.split('\n').filter((line) => line.startsWith('warning:'))).toEqual([
      expect.stringContaining('Automatic deployment of the member StackSet exposed-keys-members is off'),
      expect.stringContaining(
        'Whether every account of the targeted units has the member stack was not checked: the StackSet names no root or organizational unit it deploys to.',
      ),
    ]);
    expect(quiet.stdout).toContain('1 account(s) read, 1 with none waiting');
    const { sqs } = organization.member;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'exposed-keys-members-undelivered' }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(loadEvent('trusted-advisor-exposed')) }),
    );

    const status = await cli().run(['status', '--org']);

    expect(status.code, status.stderr).toBe(3);
    expect(status.stdout).toMatch(new RegExp(`${organization.member.accountId}: 1 waiting`));
    expect(status.stderr).toContain(
      `1 account(s) hold 1 exposed-key event(s) they could not forward to the hub, and no one was alerted (${organization.member.accountId}: 1).`,
    );
    expect(status.stderr).toContain('exposed-keys respond --account <account id> --key <key id>');
    expect(status.stderr).not.toContain('Nobody receives');
    const json = await cli().run(['status', '--org', '--json']);
    expect(JSON.parse(json.stdout).organization.forwarding).toEqual({
      queueName: 'exposed-keys-members-undelivered',
      empty: [],
      waiting: [{ accountId: organization.member.accountId, messages: 1 }],
      unread: [],
    });
  });

  it('removes the members’ stacks with destroy --org before the StackSet and the hub, and stops, naming the accounts, when any is left', async () => {
    const organization = await deployedOrganization();
    cli().forgetCalls();

    const destroyed = await cli().run(['destroy', '--org', '--yes'], {}, { timeoutMs: 180_000 });

    expect(cli().actions()).toContain('DeleteStackInstances');
    // moto removes instances only by account (AWS: only by OU for service-managed StackSets), so
    // here the instances stay, and destroy --org must stop before deleting the StackSet or the hub.
    expect(destroyed.code).toBe(3);
    expect(destroyed.stderr).toContain(`${organization.member.accountId} SUCCEEDED`);
    expect(destroyed.stderr).toMatch(/The member stack is still in 2 account\(s\)/);
    expect(cli().actions()).not.toContain('DeleteStackSet');
    expect(cli().actions()).not.toContain('DeleteStack');
  });
});

describe('a leak in a member account', () => {
  it('is forwarded to the hub bus, contained in the member account by the hub, and the message names the member', async () => {
    const organization = await deployedOrganization();
    const accessKeyId = await leakedKey(organization, 'leaky');
    const inbox = await hubInbox();
    // The hub's rule starts the state machine; moto cannot, so it is checked, then pointed at a queue.
    const hubEvents = new EventBridgeClient({ region: 'us-east-1', endpoint: cli().moto.endpoint });
    // The template names the bus after the stack (moto gives its resource no physical id).
    const busName = `${HUB}-hub`;
    const rule = await resourceOf(HUB, 'HubTrustedAdvisorRule');
    const ruleName = rule.includes('|') ? (rule.split('|')[1] as string) : rule;
    const targets = await hubEvents.send(new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: busName }));
    expect(targets.Targets?.[0]?.Arn).toBe(await resourceOf(HUB, 'StateMachine'));
    const arrived = await hubQueue('hub-bus-arrivals');
    await hubEvents.send(
      new RemoveTargetsCommand({ Rule: ruleName, EventBusName: busName, Ids: ['exposed-keys-state-machine'] }),
    );
    await hubEvents.send(
      new PutTargetsCommand({ Rule: ruleName, EventBusName: busName, Targets: [{ Id: 'arrivals', Arn: arrived.arn }] }),
    );
    const leak = trustedAdvisorEvent(organization.member.accountId, accessKeyId, 'leaky');

    // What Trusted Advisor puts on the member's default bus (moto accepts the aws.* source).
    await organization.member.events.send(
      new PutEventsCommand({
        Entries: [{ Source: leak.source, DetailType: leak['detail-type'], Detail: JSON.stringify(leak.detail) }],
      }),
    );
    const [delivered] = await arrived.received();
    const forwarded = JSON.parse(delivered?.Body ?? '{}');
    const result = await runHub(
      { ...forwarded, account: organization.member.accountId },
      organization.organizationId,
      inbox.topicArn,
    );

    expect(forwarded.detail).toEqual(leak.detail);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.containment).toMatchObject({ outcome: 'deleted', accountName: organization.member.name });
    expect(await memberKeys(organization, 'leaky')).toEqual([]);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Message.split('\n')[0]).toBe(
      `Account ${organization.member.accountId} (${organization.member.name})`,
    );
    expect(messages[0]?.Subject).toBe(
      `Exposed key deleted: ${accessKeyId} (leaky) in ${organization.member.accountId}`,
    );
    const bus = await hubEvents.send(new DescribeEventBusCommand({ Name: busName }));
    expect(bus.Arn).toBe(`arn:aws:events:us-east-1:${MOTO_ACCOUNT}:event-bus/${busName}`);
  });

  it('is contained by hand with respond --account, through the member’s responder role, naming the member', async () => {
    const organization = await deployedOrganization();
    // moto's CloudFormation does not create the stack's schedule group: without it, no verification (exit 3).
    await new SchedulerClient({ region: 'us-east-1', endpoint: cli().moto.endpoint }).send(
      new CreateScheduleGroupCommand({ Name: 'exposed-keys' }),
    );
    const accessKeyId = await leakedKey(organization, 'manual');
    const inbox = await hubInbox();

    const run = await cli().run([
      'respond',
      '--key',
      accessKeyId,
      '--account',
      organization.member.accountId,
      '--regions',
      'us-east-1',
      '--topic',
      inbox.topicArn,
      '--yes',
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(await memberKeys(organization, 'manual')).toEqual([]);
    expect(run.stdout.split('\n')).toContain(`Account ${organization.member.accountId} (${organization.member.name})`);
    const [message] = await inbox.messages();
    expect(message?.Message).toContain(`${accessKeyId} of manual in account ${organization.member.accountId}`);
    expect(cli().actions()).toContain('AssumeRole');
  });

  it('is deactivated then released from the hub with release --account, a false alarm made active again', async () => {
    const organization = await deployedOrganization();
    // moto's CloudFormation does not create the stack's schedule group.
    await new SchedulerClient({ region: 'us-east-1', endpoint: cli().moto.endpoint }).send(
      new CreateScheduleGroupCommand({ Name: 'exposed-keys' }),
    );
    const accessKeyId = await leakedKey(organization, 'false-alarm');
    const account = organization.member.accountId;
    const status = async () =>
      (await organization.member.iam.send(new ListAccessKeysCommand({ UserName: 'false-alarm' })))
        .AccessKeyMetadata?.[0]?.Status;

    const responded = await cli().run([
      'respond',
      '--key',
      accessKeyId,
      '--account',
      account,
      '--mode',
      'deactivate-then-delete',
      '--regions',
      'us-east-1',
      '--yes',
    ]);
    expect(responded.code, responded.stderr).toBe(0);
    expect(await status()).toBe('Inactive');
    // Run from the hub: the command to release names the member's account.
    expect(responded.stdout).toContain(
      `unless released (exposed-keys release --key ${accessKeyId} --account ${account})`,
    );

    const released = await cli().run(['release', '--key', accessKeyId, '--account', account, '--reactivate', '--yes']);

    expect(released.code, released.stderr).toBe(0);
    expect(await status()).toBe('Active');
    expect(released.stdout).toContain(`Account ${account}`);
  });

  it('of an account outside the organisation is refused by the hub: nothing touched, and said', async () => {
    const organization = await deployedOrganization();
    const inbox = await hubInbox();
    const outsider = '999999999999';
    const outside = await actingIn(cli().moto.endpoint, outsider);
    await outside.iam.send(new CreateUserCommand({ UserName: 'stranger' }));
    const key = await outside.iam.send(new CreateAccessKeyCommand({ UserName: 'stranger' }));
    const accessKeyId = key.AccessKey?.AccessKeyId as string;

    const result = await runHub(
      trustedAdvisorEvent(outsider, accessKeyId, 'stranger'),
      organization.organizationId,
      inbox.topicArn,
    );

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('KeyNotContained');
    expect(result.output?.containment?.outcome).toBe('outside-organization');
    const stillThere = await outside.iam.send(new ListAccessKeysCommand({ UserName: 'stranger' }));
    expect(stillThere.AccessKeyMetadata?.map((entry) => entry.AccessKeyId)).toEqual([accessKeyId]);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: key outside the organization, not touched/);
    expect(messages[0]?.Message.split('\n')[0]).toBe(`Account ${outsider}`);
  });
});
