import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { type RespondRequest, respondCommand } from '../../../../src/cli/run/respond-command.js';
import { aliceHoldsTheKey, CONTAINED_KEY as KEY, keyListed } from '../../../support/contained-key.js';
import { callerInHub } from '../../../support/organization-access.js';
import { capturedOutput } from '../../../support/output.js';
import { summaryFor } from '../../../support/summaries.js';

/*
 * `respond` asks CloudFormation about its stack for three things: the topic to notify, the
 * schedules of the follow-ups, and the stack's settings (VerifyAfterMinutes). One description of
 * the stack serves them all.
 */

vi.mock('../../../../src/cli/run/investigate.js', () => ({
  sourceOf: async () => ({
    name: 'lookup-events',
    unsearchable: (message: string) => new Error(message),
    summarize: async (query: { accessKeyIds: string[] }) => query.accessKeyIds.map((id) => summaryFor(id)),
  }),
  inventoryWith: async () => ({ items: [], trustedAccounts: 'this-account', truncated: false }),
}));

const ACCOUNT = '123456789012';
const MEMBER = '210987654321';
const MEMBER_SESSION = 'ASIAMEMBERSESSION001';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:exposed-keys-topic`;
const STATE_MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:exposed-keys`;
const cloudFormationMock = mockClient(CloudFormationClient);
const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);
const schedulerMock = mockClient(SchedulerClient);
const snsMock = mockClient(SNSClient);
const organizationsMock = mockClient(OrganizationsClient);
const mocks = [cloudFormationMock, iamMock, stsMock, schedulerMock, snsMock, organizationsMock];

beforeEach(() => {
  for (const mock of mocks) mock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/responder` });
  aliceHoldsTheKey(iamMock);
  keyListed(iamMock, 'Active');
  iamMock.on(GetRoleCommand).resolves({ Role: { Arn: `arn:aws:iam::${ACCOUNT}:role/scheduler` } as never });
  cloudFormationMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'exposed-keys',
        StackId: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/exposed-keys/1`,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Parameters: [{ ParameterKey: 'VerifyAfterMinutes', ParameterValue: '45' }],
      },
    ],
  });
  cloudFormationMock.on(DescribeStackResourcesCommand).resolves({
    StackResources: [
      ['NotificationTopic', TOPIC],
      ['StateMachine', STATE_MACHINE],
      ['SchedulerRole', 'scheduler'],
    ].map(([logical, physical]) => ({
      LogicalResourceId: logical,
      PhysicalResourceId: physical,
      ResourceType: 'AWS::Resource',
      ResourceStatus: 'CREATE_COMPLETE',
      Timestamp: new Date(),
    })),
  });
  schedulerMock.on(CreateScheduleCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

afterEach(() => {
  for (const mock of mocks) mock.reset();
});

const clients = () =>
  new AwsClients({
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIACALLERKEY0000001', secretAccessKey: 'x' }),
  });

const REQUEST: RespondRequest = {
  accessKeyId: KEY,
  mode: 'deactivate-then-delete',
  deleteAfterDays: 7,
  dryRun: false,
  revokeSessions: true,
  followSessions: false,
  window: { start: new Date(Date.now() - 86_400_000), end: new Date() },
  regions: ['us-east-1'],
};

function respond(request: RespondRequest = REQUEST, asked?: { answers: string[] }) {
  const captured = capturedOutput(asked ? { terminal: true, answers: asked.answers } : {});
  const progress = { step() {}, update() {}, succeed() {}, fail() {}, log() {}, stop() {} };
  const run = respondCommand(clients(), request, {
    output: captured.output,
    progress,
    yes: !asked,
    stackName: 'exposed-keys',
  });
  return { run, stderr: () => captured.stderr.text };
}

/** The stack deployed with these VerifyAfterMinutes. */
function deployedWith(minutes: string) {
  cloudFormationMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'exposed-keys',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Parameters: [{ ParameterKey: 'VerifyAfterMinutes', ParameterValue: minutes }],
      },
    ],
  });
}

/** The plan shown before the question, answered no: its lines, and the minutes of the verification it plans, if any. */
async function planAnsweredNo(request: RespondRequest = { ...REQUEST, mode: 'deactivate' }) {
  const before = Date.now();
  const { run, stderr } = respond(request, { answers: ['n'] });
  const outcome = await run;
  expect(outcome.aborted).toBe(true);
  expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  const verification = /schedule the verification at (\S+) /.exec(stderr())?.[1];
  return {
    plan: stderr(),
    minutes: verification === undefined ? undefined : Math.round((Date.parse(verification) - before) / 60_000),
  };
}

describe('respond and its deployed stack', () => {
  it('describes the stack once, for its topic, its schedules and its VerifyAfterMinutes', async () => {
    const outcome = await respond().run;

    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStackResourcesCommand, 1);
    if (outcome.aborted) throw new Error('aborted');
    const { result } = outcome;
    expect(result.containment).toMatchObject({ outcome: 'deactivated' });
    // The schedules and the stack's own minutes came from that one description.
    const names = schedulerMock.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input.Name);
    expect(names).toEqual([`exposed-keys-delete-${KEY}`, `exposed-keys-verify-${KEY}`]);
    const containment = result.containment as { containedAt: string; verifyAt: string };
    expect(Date.parse(containment.verifyAt) - Date.parse(containment.containedAt)).toBe(45 * 60_000);
    expect(result.notification).toMatchObject({ status: 'sent', topicArn: TOPIC });
  });

  it('asks once when CloudFormation fails, and still contains, schedules nothing and prints the message', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    cloudFormationMock.on(DescribeStacksCommand).rejects(throttled);
    cloudFormationMock.on(DescribeStackResourcesCommand).rejects(throttled);

    const outcome = await respond({ ...REQUEST, mode: 'deactivate' }).run;

    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStackResourcesCommand, 1);
    if (outcome.aborted) throw new Error('aborted');
    const { result } = outcome;
    expect(result.containment).toMatchObject({
      outcome: 'deactivated',
      contained: true,
      warnings: [expect.stringMatching(/^No verification after containment: .*Rate exceeded/)],
    });
    expect(schedulerMock).not.toHaveReceivedCommand(CreateScheduleCommand);
    expect(result.notification.status).toBe('printed');
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^Could not look up the topic of stack exposed-keys, so the message is printed: .*Rate exceeded/,
      ),
    ]);
  });

  it('says once that the parameters could not be read, however many ask, and goes on with the defaults', async () => {
    callerInHub(stsMock, ACCOUNT, MEMBER, MEMBER_SESSION);
    organizationsMock.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-exampleorg1' } });
    organizationsMock.on(DescribeAccountCommand).resolves({ Account: { Id: MEMBER, Name: 'Payments' } });
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('not allowed to describe stacks'), { name: 'AccessDenied' }));

    const { run, stderr } = respond({
      ...REQUEST,
      account: { accountId: MEMBER, roleName: 'exposed-keys-responder' },
    });
    const outcome = await run;

    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
    expect(stderr().match(/not allowed to describe stacks/g)).toHaveLength(1);
    expect(stderr()).toMatch(
      /^warning: Could not read the parameters of stack exposed-keys: .*\. The response goes on without them: whether the stack is an organisation's hub is not known, and a verification it schedules comes after 30 minutes\.$/m,
    );
    if (outcome.aborted) throw new Error('aborted');
    const containment = outcome.result.containment as { containedAt: string; verifyAt: string };
    expect(Date.parse(containment.verifyAt) - Date.parse(containment.containedAt)).toBe(30 * 60_000);
    expect(outcome.result.notification).toMatchObject({ status: 'sent', topicArn: TOPIC });
  });
});

describe('the plan respond asks about', () => {
  it("shows the verification after the stack's own VerifyAfterMinutes", async () => {
    deployedWith('45');

    const { plan, minutes } = await planAnsweredNo();

    expect(minutes).toBe(45);
    expect(plan).not.toMatch(/not looked up/);
  });

  it('says that no verification follows when the stack is deployed with VerifyAfterMinutes 0', async () => {
    deployedWith('0');

    const { plan, minutes } = await planAnsweredNo();

    expect(minutes).toBeUndefined();
    expect(plan).toMatch(/^ {2}- no verification after containment \(the stack's VerifyAfterMinutes is 0\)$/m);
  });

  it('says the stack was not looked up, and why, when it could not be described', async () => {
    cloudFormationMock
      .on(DescribeStackResourcesCommand)
      .rejects(Object.assign(new Error('not allowed to describe stack resources'), { name: 'AccessDenied' }));

    const { plan, minutes } = await planAnsweredNo();

    expect(minutes).toBe(30);
    expect(plan).toMatch(
      /, if exposed-keys' stack is deployed \(not looked up: .*not allowed to describe stack resources\)$/m,
    );
  });

  it('with --yes, contains before CloudFormation is asked, and its plan says so', async () => {
    deployedWith('0');

    const { run, stderr } = respond({ ...REQUEST, mode: 'deactivate' });
    await run;

    expect(stderr()).toMatch(
      /, if exposed-keys' stack is deployed \(not looked up: with --yes, containment waits for nothing but IAM\)$/m,
    );
    const calls = [...iamMock.calls(), ...cloudFormationMock.calls()].map((call) => call.args[0].constructor.name);
    expect(calls.indexOf('UpdateAccessKeyCommand')).toBeLessThan(calls.indexOf('DescribeStacksCommand'));
  });
});
