import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { runStateMachineLocally } from '../../src/state-machine/run-local.js';
import { followUpEvent } from '../../src/steps/lifecycle/follow-up.js';
import { listBucketsActivity } from '../support/exposed-user.js';
import { loadEvent } from '../support/fixtures.js';
import { artifactHandlers } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * The follow-up paths of the template's own state machine (the scheduled deletion, the verification
 * after containment), run on this machine with the real handlers of the built artifact against moto:
 * a first execution deactivates the key and schedules; each schedule's own input then starts the
 * next execution, as EventBridge Scheduler would.
 */

const moto = useMoto();
let cloudTrail: CloudTrailLookupServer;
let scheduler: SchedulerClient;
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/exposed-keys-SchedulerRole';

beforeAll(async () => {
  cloudTrail = await startCloudTrailLookupServer({ records: [], requestsPerSecond: 0 });
  scheduler = new SchedulerClient({ region: 'us-east-1', endpoint: moto().endpoint });
});
afterAll(async () => {
  await cloudTrail.stop();
});
beforeEach(async () => {
  cloudTrail.setRecords([]);
  await scheduler.send(new CreateScheduleGroupCommand({ Name: 'exposed-keys' }));
});

async function exposedKey(userName: string): Promise<string> {
  await moto().iam.send(new CreateUserCommand({ UserName: userName }));
  return (await moto().iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
}

async function keysOf(userName: string) {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

async function run(event: unknown) {
  const inbox = await topicWithInbox(moto());
  const handlers = await artifactHandlers({
    AWS_ENDPOINT_URL: moto().endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
    TOPIC_ARN: inbox.topicArn,
    INVESTIGATE_REGIONS: 'us-east-1',
    LOOKBACK_HOURS: '24',
    CONTAINMENT_MODE: 'deactivate-then-delete',
    DELETE_AFTER_DAYS: '7',
    VERIFY_AFTER_MINUTES: '30',
    SCHEDULE_GROUP: 'exposed-keys',
    SCHEDULER_ROLE_ARN: SCHEDULER_ROLE,
  });
  const result = await runStateMachineLocally({ event, handlers });
  return { result, messages: await inbox.messages() };
}

async function scheduledInput(name: string): Promise<unknown> {
  const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: 'exposed-keys' }));
  expect(schedule.Target?.RoleArn).toBe(SCHEDULER_ROLE);
  return JSON.parse(schedule.Target?.Input ?? 'null');
}

/** The execution a scheduled deletion's input starts, with the clock at the time it names, when Scheduler starts it. */
async function runWhenDue(input: unknown) {
  const { deleteAt } = (input as { detail: { deleteAt: string } }).detail;
  vi.setSystemTime(Date.parse(deleteAt) + 5_000);
  try {
    return await run(input);
  } finally {
    vi.useRealTimers();
  }
}

function trustedAdvisorEvent(accessKeyId: string, userName: string) {
  const event = loadEvent('trusted-advisor-exposed');
  event.detail['check-item-detail']['Access Key ID'] = accessKeyId;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

describe('the follow-ups of a containment, in the state machine with the real handlers', () => {
  it('deactivates and schedules; the scheduled deletion then deletes the key and says so', async () => {
    const key = await exposedKey('alice');

    const contained = await run(trustedAdvisorEvent(key, 'alice'));

    expect(contained.result.status).toBe('SUCCEEDED');
    expect(await keysOf('alice')).toEqual({ [key]: 'Inactive' });
    expect(contained.messages[0]?.Message).toMatch(/It will be DELETED at .* unless released/);

    const deletion = await runWhenDue(await scheduledInput(`exposed-keys-delete-${key}`));

    expect(deletion.result.status).toBe('SUCCEEDED');
    expect(deletion.result.events.map((event) => event.state)).toContain('DeleteAsScheduled');
    expect(deletion.result.output?.followUp).toMatchObject({ kind: 'scheduled-deletion', outcome: 'deleted' });
    expect(await keysOf('alice')).toEqual({});
    expect(deletion.messages).toHaveLength(1);
    expect(deletion.messages[0]?.Subject).toBe(`Exposed key deleted as scheduled: ${key} (alice) in 123456789012`);
  });

  it('schedules again, contained again, a deletion whose containment died before scheduling it; it then deletes the key', async () => {
    const key = await exposedKey('erin');
    await run(trustedAdvisorEvent(key, 'erin'));
    // As a containment that died between leaving its record and scheduling the deletion leaves it.
    await scheduler.send(new DeleteScheduleCommand({ Name: `exposed-keys-delete-${key}`, GroupName: 'exposed-keys' }));

    const again = await run(trustedAdvisorEvent(key, 'erin'));

    expect(again.result.status).toBe('SUCCEEDED');
    expect(again.messages[0]?.Message).toMatch(/had no schedule: scheduled again, for \S+Z, unless released/);
    const deletion = await runWhenDue(await scheduledInput(`exposed-keys-delete-${key}`));

    expect(deletion.result.output?.followUp).toMatchObject({ kind: 'scheduled-deletion', outcome: 'deleted' });
    expect(await keysOf('erin')).toEqual({});
  });

  it('refuses the scheduled deletion of a key made active again, and fails the execution for a human', async () => {
    const key = await exposedKey('bob');
    await run(trustedAdvisorEvent(key, 'bob'));
    await moto().iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'bob',
        AccessKeyId: key,
        Status: 'Active',
      }),
    );

    const deletion = await runWhenDue(await scheduledInput(`exposed-keys-delete-${key}`));

    expect(deletion.result.status).toBe('FAILED');
    expect(deletion.result.error).toBe('KeyNotContained');
    expect(await keysOf('bob')).toEqual({ [key]: 'Active' });
    expect(deletion.messages[0]?.Subject).toMatch(/^ACTION REQUIRED: scheduled deletion refused/);
  });

  it('verifies: quiet when nothing was called since containment', async () => {
    const key = await exposedKey('carol');
    await run(trustedAdvisorEvent(key, 'carol'));

    const verification = await run(await scheduledInput(`exposed-keys-verify-${key}`));

    expect(verification.result.status).toBe('SUCCEEDED');
    expect(verification.result.events.map((event) => event.state)).toContain('VerifyContainment');
    expect(verification.result.output?.followUp).toMatchObject({ kind: 'verification', quiet: true });
    expect(verification.messages[0]?.Subject).toMatch(/^Verified: no activity since containment/);
  });

  it('verifies: ACTIVITY AFTER CONTAINMENT, with the calls, fails the execution for a human', async () => {
    const key = await exposedKey('dave');
    const containedAt = new Date(Date.now() - 3 * 3_600_000);
    // Three calls an hour apart, the latest an hour ago: all after containment.
    cloudTrail.setRecords(listBucketsActivity(key, 'dave', { 'us-east-1': 2 }));
    const event = followUpEvent({
      kind: 'verification',
      accessKeyId: key,
      userName: 'dave',
      accountId: '123456789012',
      containedAt: containedAt.toISOString(),
      deleteAt: null,
    });

    const verification = await run(event);

    expect(verification.result.status).toBe('FAILED');
    expect(verification.result.error).toBe('HumanMustAct');
    expect(verification.messages[0]?.Subject).toMatch(/^ACTION REQUIRED: ACTIVITY AFTER CONTAINMENT/);
    expect(verification.messages[0]?.Message).toContain('the key: 2 call(s) (ListBuckets x2)');
  });

  it('notifies an unreadable follow-up rather than acting on it', async () => {
    const { result, messages } = await run({
      source: 'exposed-keys',
      detail: { followUp: 'scheduled-deletion', accessKeyId: 'not-a-key' },
    });

    expect(result.status).toBe('FAILED');
    expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: unreadable exposed-keys follow-up/);
  });
});
