import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { planChangesSomething } from '../../../../src/cli/run/respond-plan.js';
import {
  AwsCallError,
  ContainmentError,
  InvalidInputError,
  KeyGoneError,
  StackNotFoundError,
} from '../../../../src/errors.js';
import { containKey } from '../../../../src/steps/contain.js';
import { needsHuman } from '../../../../src/steps/incident-outcome.js';
import { followUpEvent, readFollowUp } from '../../../../src/steps/lifecycle/follow-up.js';
import { planRelease, releaseKey } from '../../../../src/steps/lifecycle/release.js';
import { deleteAsScheduled } from '../../../../src/steps/lifecycle/scheduled-deletion.js';
import { atExpression, scheduleName } from '../../../../src/steps/lifecycle/schedules.js';
import {
  aliceHoldsTheKey,
  CONTAINED_KEY as KEY,
  keyListed,
  DELETION_REQUEST as REQUEST,
  sessionsDeniedBefore,
  CONTAINED_TAG as TAG,
  tagged,
} from '../../../support/contained-key.js';
import { incidentFor } from '../../../support/incidents.js';
import { SCHEDULE_TARGET } from '../../../support/schedule-target.js';

const NOW = new Date('2026-11-27T03:00:00.000Z');
const TARGET = SCHEDULE_TARGET;
const iamMock = mockClient(IAMClient);
const schedulerMock = mockClient(SchedulerClient);
const iam = new IAMClient({ region: 'us-east-1' });
const scheduler = new SchedulerClient({ region: 'us-east-1' });

const SKIPPED = { status: 'skipped' as const, reason: 'not investigated here' };

beforeEach(() => {
  iamMock.reset();
  schedulerMock.reset();
  aliceHoldsTheKey(iamMock);
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
  keyListed(iamMock, 'Active');
  schedulerMock.on(CreateScheduleCommand).resolves({});
  schedulerMock.on(UpdateScheduleCommand).resolves({});
  schedulerMock.on(DeleteScheduleCommand).resolves({});
});

describe('schedule names and times', () => {
  it('name the schedule after the key, within Scheduler’s rules, and give a one-time time in UTC', () => {
    expect(scheduleName('scheduled-deletion', KEY)).toBe(`exposed-keys-delete-${KEY}`);
    expect(scheduleName('verification', KEY)).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    expect(atExpression(new Date('2026-12-04T03:00:00.123Z'))).toBe('at(2026-12-04T03:00:00)');
  });

  it('read back the follow-up a schedule sends, and refuse one that does not come from exposed-keys', () => {
    const event = followUpEvent(REQUEST);

    expect(readFollowUp(event)).toEqual({ request: REQUEST });
    expect(readFollowUp({ ...event, source: 'aws.health' })).toEqual({ problem: expect.stringMatching(/^source/) });
    expect(readFollowUp({ ...event, detail: { ...(event.detail as object), accessKeyId: 'nope' } })).toEqual({
      problem: 'detail.accessKeyId is not an access key id',
    });
  });
});

describe('containKey in deactivate-then-delete mode', () => {
  const deps = () => ({
    iam,
    accountId: '123456789012',
    now: () => NOW,
    schedules: async () => ({ scheduler, target: TARGET }),
  });

  it('deactivates the key, schedules its deletion and a verification after the days and minutes given', async () => {
    const result = await containKey(deps(), incidentFor(KEY, 'alice'), {
      mode: 'deactivate-then-delete',
      deleteAfterDays: 3,
      verifyAfterMinutes: 45,
    });

    expect(result).toMatchObject({
      outcome: 'deactivated',
      contained: true,
      containedAt: NOW.toISOString(),
      deleteAt: '2026-11-30T03:00:00.000Z',
      verifyAt: '2026-11-27T03:45:00.000Z',
    });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { AccessKeyId: KEY, Status: 'Inactive' });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `exposed-keys-delete-${KEY}`,
      GroupName: 'exposed-keys',
      ScheduleExpression: 'at(2026-11-30T03:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({ Arn: TARGET.stateMachineArn, RoleArn: TARGET.roleArn }),
    });
    const input = JSON.parse(schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input ?? '');
    expect(readFollowUp(input)).toEqual({
      request: { ...REQUEST, containedAt: NOW.toISOString(), deleteAt: '2026-11-30T03:00:00.000Z' },
    });
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `exposed-keys-verify-${KEY}`,
      ScheduleExpression: 'at(2026-11-27T03:45:00)',
    });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      Tags: [{ Key: TAG, Value: 'deactivated 2026-11-27T03:00:00.000Z delete at 2026-11-30T03:00:00.000Z' }],
    });
  });

  it('schedules, when contained again, the deletion an earlier containment could not schedule, and never after a release', async () => {
    keyListed(iamMock, 'Inactive');
    sessionsDeniedBefore(iamMock, '2026-11-26T03:00:00.000Z');
    tagged(iamMock, 'deactivated 2026-11-26T03:00:00.000Z');

    const again = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(again).toMatchObject({ outcome: 'already-contained', deleteAt: '2026-12-04T03:00:00.000Z' });
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, { Name: `exposed-keys-delete-${KEY}` });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      Tags: [{ Key: TAG, Value: 'deactivated 2026-11-26T03:00:00.000Z delete at 2026-12-04T03:00:00.000Z' }],
    });

    schedulerMock.resetHistory();
    tagged(iamMock, 'released 2026-11-26T04:00:00.000Z left inactive');
    const released = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(released.outcome).toBe('already-contained');
    expect(schedulerMock).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it("sends what a schedule could not start to the stack's dead-letter queue, after an hour of retries", async () => {
    const deadLetterArn = 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1ABC';
    const withQueue = { ...deps(), schedules: async () => ({ scheduler, target: { ...TARGET, deadLetterArn } }) };

    await containKey(withQueue, incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });
    await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    const targets = schedulerMock.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input.Target);
    expect(targets.length).toBeGreaterThanOrEqual(2);
    const [first] = targets;
    expect(first?.DeadLetterConfig).toEqual({ Arn: deadLetterArn });
    expect(first?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3_600, MaximumRetryAttempts: 185 });
    // A stack older than the queue: the schedule has none, as before.
    expect(targets.at(-1)?.DeadLetterConfig).toBeUndefined();
  });

  it('moves a schedule that is already there rather than failing', async () => {
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(schedulerMock).toHaveReceivedCommandWith(UpdateScheduleCommand, { Name: `exposed-keys-delete-${KEY}` });
    expect(result.actions.every((action) => action.status === 'done')).toBe(true);
  });

  it('says the deletion is not scheduled, with the command to delete by hand, when Scheduler refuses', async () => {
    schedulerMock.on(CreateScheduleCommand).rejects(new Error('AccessDenied'));

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(result.outcome).toBe('deactivated');
    expect(result.actions.find((action) => action.kind === 'schedule-deletion')?.status).toBe('failed');
    expect(result.humanSteps.join('\n')).toContain(
      `aws iam delete-access-key --user-name alice --access-key-id ${KEY}`,
    );
    expect(result.warnings.join('\n')).toMatch(/No verification after containment/);
    expect(result.deleteAt).toBeNull();
  });

  it('records the containment before it schedules the deletion, or moves the schedule an earlier attempt left', async () => {
    const order: string[] = [];
    iamMock.on(TagUserCommand).callsFake(() => order.push('TagUser') && {});
    schedulerMock.on(CreateScheduleCommand).callsFake(({ Name }: { Name: string }) => {
      order.push(`CreateSchedule ${Name}`);
      if (Name.startsWith('exposed-keys-delete-'))
        throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
      return {};
    });
    schedulerMock
      .on(UpdateScheduleCommand)
      .callsFake(({ Name }: { Name: string }) => order.push(`UpdateSchedule ${Name}`) && {});

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(order.slice(0, 3)).toEqual([
      'TagUser',
      `CreateSchedule exposed-keys-delete-${KEY}`,
      `UpdateSchedule exposed-keys-delete-${KEY}`,
    ]);
    expect(schedulerMock).toHaveReceivedCommandWith(UpdateScheduleCommand, {
      Name: `exposed-keys-delete-${KEY}`,
      ScheduleExpression: 'at(2026-12-04T03:00:00)',
    });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      Tags: [{ Key: TAG, Value: 'deactivated 2026-11-27T03:00:00.000Z delete at 2026-12-04T03:00:00.000Z' }],
    });
    expect(result.deleteAt).toBe('2026-12-04T03:00:00.000Z');
  });

  it('schedules no deletion the record cannot name: a failed action, with the command to delete by hand', async () => {
    iamMock
      .on(TagUserCommand)
      .rejects(
        Object.assign(new Error('Cannot exceed quota for TagsPerUser: 50'), { name: 'LimitExceeded', $metadata: {} }),
      );
    const incident = incidentFor(KEY, 'alice');

    const result = await containKey(deps(), incident, { mode: 'deactivate-then-delete' });

    expect(schedulerMock).not.toHaveReceivedCommandWith(CreateScheduleCommand, { Name: `exposed-keys-delete-${KEY}` });
    expect(schedulerMock).not.toHaveReceivedCommand(UpdateScheduleCommand);
    expect(result.deleteAt).toBeNull();
    expect(result.summary).toBe(`Deactivated ${KEY} of alice.`);
    const deletion = result.actions.find((action) => action.kind === 'schedule-deletion');
    expect(deletion?.status).toBe('failed');
    expect(deletion?.detail).toMatch(/record of the containment.*could not be left there .*TagsPerUser/);
    expect(result.humanSteps).toContainEqual(
      expect.stringContaining(`aws iam delete-access-key --user-name alice --access-key-id ${KEY}`),
    );
    const report = { incident, containment: { status: 'done' as const, result }, investigation: SKIPPED };
    expect(needsHuman(report)).toBe(true);
    // The verification needs no record.
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, { Name: `exposed-keys-verify-${KEY}` });
  });

  it('writes its record again without the deletion when Scheduler refuses it, so that a later containment schedules it', async () => {
    schedulerMock.on(CreateScheduleCommand).rejects(new Error('AccessDenied'));

    await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    const values = iamMock.commandCalls(TagUserCommand).map((call) => call.args[0].input.Tags?.[0]?.Value);
    expect(values).toEqual([
      'deactivated 2026-11-27T03:00:00.000Z delete at 2026-12-04T03:00:00.000Z',
      'deactivated 2026-11-27T03:00:00.000Z',
    ]);
  });

  it('schedules no deletion, contained again, when the record of it cannot be left', async () => {
    keyListed(iamMock, 'Inactive');
    sessionsDeniedBefore(iamMock, '2026-11-26T03:00:00.000Z');
    tagged(iamMock, 'deactivated 2026-11-26T03:00:00.000Z');
    iamMock.on(TagUserCommand).rejects(Object.assign(new Error('denied by an SCP'), { name: 'AccessDenied' }));

    const again = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(again.outcome).toBe('already-contained');
    expect(again.deleteAt).toBeNull();
    expect(again.actions.find((action) => action.kind === 'schedule-deletion')?.status).toBe('failed');
    expect(schedulerMock).not.toHaveReceivedCommandWith(CreateScheduleCommand, { Name: `exposed-keys-delete-${KEY}` });
  });

  describe('contained again, when the deletion its record names has no schedule (the function died in between)', () => {
    const notFound = () =>
      new ResourceNotFoundException({ message: 'Schedule not found', Message: 'Schedule not found', $metadata: {} });
    const deletionAction = (result: { actions: { kind: string }[] }) =>
      result.actions.find((action) => action.kind === 'schedule-deletion');

    beforeEach(() => {
      keyListed(iamMock, 'Inactive');
      sessionsDeniedBefore(iamMock, '2026-11-26T03:00:00.000Z');
      tagged(iamMock, 'deactivated 2026-11-26T03:00:00.000Z delete at 2026-12-03T03:00:00.000Z');
      schedulerMock.on(GetScheduleCommand).rejects(notFound());
    });

    it('schedules the deletion again for the time its record names, and says so', async () => {
      const again = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

      expect(schedulerMock).toHaveReceivedCommandWith(GetScheduleCommand, {
        Name: `exposed-keys-delete-${KEY}`,
        GroupName: 'exposed-keys',
      });
      expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
        Name: `exposed-keys-delete-${KEY}`,
        GroupName: 'exposed-keys',
        ScheduleExpression: 'at(2026-12-03T03:00:00)',
      });
      const input = JSON.parse(schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input ?? '');
      expect(readFollowUp(input)).toEqual({
        request: { ...REQUEST, containedAt: '2026-11-26T03:00:00.000Z', deleteAt: '2026-12-03T03:00:00.000Z' },
      });
      expect(again).toMatchObject({
        outcome: 'already-contained',
        contained: true,
        deleteAt: '2026-12-03T03:00:00.000Z',
        humanSteps: [],
      });
      expect(again.actions.map((action) => [action.kind, action.status])).toEqual([['schedule-deletion', 'done']]);
      expect(again.summary).toMatch(/its deletion at 2026-12-03T03:00:00.000Z had no schedule: scheduled again/);
      // The record already names the deletion: it is left as it is.
      expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
    });

    it('schedules a deletion whose time has passed a little later, still naming the time of the record, so that it deletes', async () => {
      tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T02:00:00.000Z');

      const again = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

      expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
        Name: `exposed-keys-delete-${KEY}`,
        ScheduleExpression: 'at(2026-11-27T03:02:00)',
      });
      expect(again.deleteAt).toBe('2026-11-27T03:02:00.000Z');
      const input = JSON.parse(schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input ?? '');
      const sent = readFollowUp(input);
      expect(sent).toEqual({ request: { ...REQUEST, deleteAt: '2026-11-27T02:00:00.000Z' } });
      // When the schedule comes, the deletion finds the record naming it, and deletes.
      if (!('request' in sent)) throw new Error('no request');
      const deleted = await deleteAsScheduled({ iam, now: () => new Date('2026-11-27T03:02:00.000Z') }, sent.request);
      expect(deleted.outcome).toBe('deleted');
    });

    it('says nothing new when the schedule is there', async () => {
      schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-12-03T03:00:00)' });

      const again = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

      expect(again).toMatchObject({ outcome: 'already-contained', actions: [], humanSteps: [] });
      expect(again.deleteAt).toBeUndefined();
      expect(again.summary).toBe(
        `${KEY} of alice was already inactive: exposed-keys contained it earlier (deactivated 2026-11-26T03:00:00.000Z delete at 2026-12-03T03:00:00.000Z).`,
      );
      expect(schedulerMock).not.toHaveReceivedCommand(CreateScheduleCommand);
      expect(schedulerMock).not.toHaveReceivedCommand(UpdateScheduleCommand);
    });

    it.each([
      [
        'the schedule cannot be looked up',
        () => schedulerMock.on(GetScheduleCommand).rejects(new Error('AccessDenied')),
        'may NOT be scheduled',
      ],
      [
        'Scheduler refuses it',
        () => schedulerMock.on(CreateScheduleCommand).rejects(new Error('AccessDenied')),
        'is NOT scheduled',
      ],
    ])('asks a human to delete the key by hand when %s', async (_, fail, said) => {
      fail();
      const incident = incidentFor(KEY, 'alice');

      const again = await containKey(deps(), incident, { mode: 'deactivate-then-delete' });

      expect(again.outcome).toBe('already-contained');
      expect(deletionAction(again)).toMatchObject({ status: 'failed', detail: expect.stringMatching(/AccessDenied/) });
      expect(again.humanSteps).toContainEqual(
        expect.stringContaining(`aws iam delete-access-key --user-name alice --access-key-id ${KEY}`),
      );
      expect(again.summary).toContain(`its deletion at 2026-12-03T03:00:00.000Z ${said}`);
      expect(again.deleteAt).toBeNull();
      const report = { incident, containment: { status: 'done' as const, result: again }, investigation: SKIPPED };
      expect(needsHuman(report)).toBe(true);
    });

    it("fails the deletion, with the step to take, when the stack's schedules cannot be had", async () => {
      const noStack = {
        ...deps(),
        schedules: async () => {
          throw new StackNotFoundError('exposed-keys', 'us-east-1');
        },
      };

      const again = await containKey(noStack, incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

      expect(deletionAction(again)).toMatchObject({ status: 'failed' });
      expect(again.humanSteps).toContainEqual(expect.stringContaining('aws iam delete-access-key'));
    });

    it('changes nothing on a dry run, and plans the deletion the run would schedule again, so that a person is asked', async () => {
      const plan = await containKey(deps(), incidentFor(KEY, 'alice'), {
        mode: 'deactivate-then-delete',
        revokeSessions: false,
        dryRun: true,
        checkSchedules: true,
      });

      expect(plan.outcome).toBe('planned');
      expect(plan.actions).toEqual([
        expect.objectContaining({
          kind: 'schedule-deletion',
          status: 'planned',
          detail: expect.stringMatching(/deletion at 2026-12-03T03:00:00.000Z .* which no schedule holds/),
        }),
      ]);
      expect(planChangesSomething({ status: 'done', result: plan })).toBe(true);
      expect(schedulerMock).toHaveReceivedCommand(GetScheduleCommand);
      expect(schedulerMock).not.toHaveReceivedCommand(CreateScheduleCommand);
      expect(schedulerMock).not.toHaveReceivedCommand(UpdateScheduleCommand);
      expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
    });

    it('plans nothing when the schedule is there, and the look-up for a plan made without looking the schedules up', async () => {
      const notLookedUp = await containKey(deps(), incidentFor(KEY, 'alice'), {
        mode: 'deactivate-then-delete',
        revokeSessions: false,
        dryRun: true,
      });
      expect(schedulerMock).not.toHaveReceivedCommand(GetScheduleCommand);
      schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-12-03T03:00:00)' });
      const there = await containKey(deps(), incidentFor(KEY, 'alice'), {
        mode: 'deactivate-then-delete',
        revokeSessions: false,
        dryRun: true,
        checkSchedules: true,
      });

      expect(notLookedUp.actions).toEqual([
        expect.objectContaining({
          kind: 'schedule-deletion',
          status: 'planned',
          detail: expect.stringMatching(/if no schedule holds it .*not looked up yet/),
        }),
      ]);
      expect(there.actions).toEqual([]);
    });
  });

  it("schedules the verification after the stack's own minutes when its schedules carry them, none for 0", async () => {
    const stack = (verifyAfterMinutes: number) => ({
      ...deps(),
      schedules: async () => ({ scheduler, target: TARGET, verifyAfterMinutes }),
    });

    const none = await containKey(stack(0), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });
    const later = await containKey(stack(10), incidentFor(KEY, 'alice'), { mode: 'delete' });

    expect(none).toMatchObject({ verifyAt: null, deleteAt: '2026-12-04T03:00:00.000Z' });
    expect(none.actions.map((action) => action.kind)).not.toContain('schedule-verification');
    expect(later.verifyAt).toBe('2026-11-27T03:10:00.000Z');
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `exposed-keys-verify-${KEY}`,
      ScheduleExpression: 'at(2026-11-27T03:10:00)',
    });
    expect(schedulerMock).toHaveReceivedCommandTimes(CreateScheduleCommand, 2);
  });

  it('plans the schedules on a dry run and sends nothing', async () => {
    const result = await containKey(deps(), incidentFor(KEY, 'alice'), {
      mode: 'deactivate-then-delete',
      dryRun: true,
    });

    expect(result.actions.map((action) => [action.kind, action.status])).toEqual([
      ['deactivate-access-key', 'planned'],
      ['revoke-sessions', 'planned'],
      ['record-containment', 'planned'],
      ['schedule-deletion', 'planned'],
      ['schedule-verification', 'planned'],
    ]);
    expect(schedulerMock.calls()).toHaveLength(0);
  });

  it('plans no verification on a dry run when there is no stack to run it', async () => {
    const result = await containKey(
      {
        ...deps(),
        schedules: async () => {
          throw new StackNotFoundError('exposed-keys', 'us-east-1');
        },
      },
      incidentFor(KEY, 'alice'),
      { mode: 'deactivate', dryRun: true, checkSchedules: true },
    );

    expect(result.actions.map((action) => action.kind)).toEqual([
      'deactivate-access-key',
      'revoke-sessions',
      'record-containment',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('plans the deletion on a dry run whose lookup of the schedules failed, saying so, and fails nothing', async () => {
    const result = await containKey(
      {
        ...deps(),
        schedules: async () => {
          throw new Error('AccessDenied: cloudformation:DescribeStackResources');
        },
      },
      incidentFor(KEY, 'alice'),
      { mode: 'deactivate-then-delete', dryRun: true, checkSchedules: true },
    );

    const deletion = result.actions.find((action) => action.kind === 'schedule-deletion');
    expect(deletion).toMatchObject({ status: 'planned' });
    expect(deletion?.detail).toMatch(/could not be checked: .*AccessDenied/);
    expect(result.actions.every((action) => action.status === 'planned')).toBe(true);
  });

  it('plans no deactivation, in a dry run, of a key already inactive, as the run would find it', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z');

    const plan = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate', dryRun: true });

    expect(plan.summary).toMatch(/^Dry run: AKIAIOSFODNN7EXAMPLE of alice is already inactive, and stays so;/);
    expect(plan.actions.map((action) => action.kind)).not.toContain('deactivate-access-key');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('plans, for a key exposed-keys left inactive, only what the run does: the record of a deletion it schedules now', async () => {
    keyListed(iamMock, 'Inactive');
    const options = { mode: 'deactivate-then-delete' as const, revokeSessions: false };
    const kinds = (result: Awaited<ReturnType<typeof containKey>>) =>
      result.actions.map((action) => [action.kind, action.status]);
    // Its deletion was not scheduled then: the run records and schedules it now.
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z');

    const plan = await containKey(deps(), incidentFor(KEY, 'alice'), { ...options, dryRun: true });
    expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
    const run = await containKey(deps(), incidentFor(KEY, 'alice'), options);

    expect(kinds(plan)).toEqual([
      ['record-containment', 'planned'],
      ['schedule-deletion', 'planned'],
      ['schedule-verification', 'planned'],
    ]);
    expect(kinds(run)).toEqual([
      ['record-containment', 'done'],
      ['schedule-deletion', 'done'],
      ['schedule-verification', 'done'],
    ]);

    // Its record names the deletion, whose schedule is there: the run changes nothing, and the plan says so.
    iamMock.resetHistory();
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const nothing = await containKey(deps(), incidentFor(KEY, 'alice'), {
      ...options,
      dryRun: true,
      checkSchedules: true,
    });
    const again = await containKey(deps(), incidentFor(KEY, 'alice'), options);

    expect(nothing.actions).toEqual([]);
    expect(nothing.summary).toMatch(
      /exposed-keys contained it earlier \(deactivated 2026-11-20T03:00:00.000Z delete at/,
    );
    expect(again.actions).toEqual([]);
    expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
  });

  it('contains again a key found inactive whose record says it was reactivated since', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'reactivated 2026-11-22T03:00:00.000Z');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate' });

    expect(result.outcome).toBe('already-contained');
    expect(result.summary).toMatch(/not by exposed-keys/);
    expect(iamMock).toHaveReceivedCommand(PutUserPolicyCommand);
  });

  it('does not look the schedules up for the plan made before a containment, which waits for IAM alone', async () => {
    let lookedUp = false;
    const result = await containKey(
      {
        ...deps(),
        schedules: async () => {
          lookedUp = true;
          throw new Error('CloudFormation hangs');
        },
      },
      incidentFor(KEY, 'alice'),
      { mode: 'deactivate', dryRun: true },
    );

    expect(lookedUp).toBe(false);
    expect(result.actions.map((action) => [action.kind, action.status])).toContainEqual([
      'schedule-verification',
      'planned',
    ]);
  });

  it('completes the containment of a key someone else deactivated: sessions denied, deletion scheduled', async () => {
    keyListed(iamMock, 'Inactive');

    const result = await containKey(deps(), incidentFor(KEY, 'alice'), { mode: 'deactivate-then-delete' });

    expect(result).toMatchObject({
      outcome: 'already-contained',
      contained: true,
      deleteAt: '2026-12-04T03:00:00.000Z',
    });
    expect(result.actions.map((action) => [action.kind, action.status])).toEqual([
      ['revoke-sessions', 'done'],
      ['record-containment', 'done'],
      ['schedule-deletion', 'done'],
      ['schedule-verification', 'done'],
    ]);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, { Name: `exposed-keys-delete-${KEY}` });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      Tags: [{ Key: TAG, Value: `found inactive ${NOW.toISOString()} delete at 2026-12-04T03:00:00.000Z` }],
    });
  });
});

describe('deleteAsScheduled', () => {
  it('deletes a key that is still inactive and carries the record of its containment', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);

    const result = await deleteAsScheduled({ iam, now: () => NOW }, REQUEST);

    expect(result).toMatchObject({ outcome: 'deleted', accessKeyId: KEY });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName: 'alice', AccessKeyId: KEY });
  });

  it('leaves alone a key made active again, and one nothing shows exposed-keys contained', async () => {
    keyListed(iamMock, 'Active');
    tagged(iamMock);
    const active = await deleteAsScheduled({ iam }, REQUEST);
    iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
    keyListed(iamMock, 'Inactive');
    const untagged = await deleteAsScheduled({ iam }, REQUEST);

    expect(active).toMatchObject({ outcome: 'refused', summary: expect.stringMatching(/ACTIVE again/) });
    expect(untagged).toMatchObject({ outcome: 'refused', summary: expect.stringMatching(/Nothing shows/) });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('reports a key already gone as deleted, and an IAM failure as a containment error', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'gone', $metadata: {} }));
    tagged(iamMock);
    expect((await deleteAsScheduled({ iam }, REQUEST)).outcome).toBe('already-deleted');

    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    keyListed(iamMock, 'Inactive');
    iamMock.on(DeleteAccessKeyCommand).rejects(new Error('AccessDenied'));
    await expect(deleteAsScheduled({ iam }, REQUEST)).rejects.toThrow(ContainmentError);
  });
});

describe('deleteAsScheduled refusing a deletion', () => {
  it('says how IAM lists the key then: inactive, still contained, or ACTIVE again', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'released 2026-11-21T03:00:00.000Z left inactive');
    const released = await deleteAsScheduled({ iam }, REQUEST);
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z');
    const noDeletionDue = await deleteAsScheduled({ iam }, REQUEST);
    keyListed(iamMock, 'Active');
    tagged(iamMock);
    const active = await deleteAsScheduled({ iam }, REQUEST);
    iamMock.on(ListAccessKeysCommand).rejects(new Error('Rate exceeded'));
    tagged(iamMock, 'released 2026-11-21T03:00:00.000Z left inactive');
    const unknown = await deleteAsScheduled({ iam }, REQUEST);

    expect(released).toMatchObject({ outcome: 'refused', keyStatus: 'Inactive' });
    expect(noDeletionDue).toMatchObject({ outcome: 'refused', keyStatus: 'Inactive' });
    expect(active).toMatchObject({ outcome: 'refused', keyStatus: 'Active' });
    expect(unknown.outcome).toBe('refused');
    expect(unknown.keyStatus).toBeUndefined();
  });
});

describe('deleteAsScheduled when the key or its user changed after containment', () => {
  it('reports a key deleted with its user (which took the record along) as gone, not as a deletion refused', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'gone', $metadata: {} }));
    iamMock.on(ListUserTagsCommand).rejects(new NoSuchEntityException({ message: 'no user', $metadata: {} }));

    const result = await deleteAsScheduled({ iam }, REQUEST);

    expect(result).toMatchObject({ outcome: 'already-deleted', humanSteps: [] });
    expect(result.summary).toMatch(/IAM no longer knows .* it cannot be used/);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('never reports a key gone when its deletion found no such key because the user was renamed', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    iamMock.on(GetAccessKeyLastUsedCommand).resolvesOnce({ UserName: 'alice' }).resolves({ UserName: 'alice2' });
    iamMock.on(DeleteAccessKeyCommand).rejects(new NoSuchEntityException({ message: 'no such key', $metadata: {} }));

    await expect(deleteAsScheduled({ iam }, REQUEST)).rejects.toThrow(
      /Could not delete .* it is still there, inactive/,
    );
  });
});

describe('deleteAsScheduled steps for a human', () => {
  it('writes a user name zsh would expand (=name) as one quoted shell word', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: '=alice' });
    iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });

    const result = await deleteAsScheduled({ iam }, { ...REQUEST, userName: '=alice' });

    expect(result.outcome).toBe('refused');
    expect(result.humanSteps.join()).toContain(`aws iam delete-access-key --user-name '=alice' --access-key-id ${KEY}`);
  });
});

describe('deleteAsScheduled when IAM fails before the deletion', () => {
  it('says the key was not checked, so not known to be inactive, and was not deleted', async () => {
    tagged(iamMock);
    iamMock.on(ListAccessKeysCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const error = await deleteAsScheduled({ iam, now: () => NOW }, REQUEST).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ContainmentError);
    expect((error as Error).message).toMatch(
      /Could not check .* so it was not deleted \(whether it is still inactive is not known\)/,
    );
    expect((error as ContainmentError).hint).toMatch(/^Check it is still inactive/);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });
});

describe('deleteAsScheduled after a later containment', () => {
  it('leaves alone a key whose latest containment scheduled no deletion, or another one', async () => {
    keyListed(iamMock, 'Inactive');
    // Contained again since with --mode deactivate: the key is to stay, inactive.
    tagged(iamMock, 'deactivated 2026-11-22T03:00:00.000Z');
    const kept = await deleteAsScheduled({ iam, now: () => NOW }, REQUEST);
    tagged(iamMock, 'deactivated 2026-11-22T03:00:00.000Z delete at 2026-11-29T03:00:00.000Z');
    const later = await deleteAsScheduled({ iam, now: () => NOW }, REQUEST);

    expect(kept).toMatchObject({ outcome: 'refused', summary: expect.stringMatching(/scheduled no deletion/) });
    expect(later).toMatchObject({
      outcome: 'refused',
      summary: expect.stringMatching(/scheduled its deletion for 2026-11-29T03:00:00.000Z, not now/),
    });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });
});

describe('planRelease and releaseKey', () => {
  const deps = { iam, scheduler, groupName: 'exposed-keys', now: () => NOW };

  it('refuses a key that nothing shows exposed-keys contained, changing nothing', async () => {
    keyListed(iamMock, 'Inactive');
    schedulerMock
      .on(GetScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} }));

    await expect(planRelease(deps, { accessKeyId: KEY })).rejects.toThrow(InvalidInputError);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(schedulerMock).not.toHaveReceivedCommand(DeleteScheduleCommand);
  });

  it('refuses, changing nothing, a key whose record says it was released and that someone made inactive since', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'reactivated 2026-11-22T03:00:00.000Z');
    schedulerMock
      .on(GetScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} }));

    await expect(planRelease(deps, { accessKeyId: KEY })).rejects.toThrow(
      /Nothing to release: its record on alice says it was released already \("reactivated 2026-11-22T03:00:00.000Z"\), and it was made inactive outside exposed-keys since/,
    );
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('says an IAM failure while looking for the owner is a failed call that changed nothing, not a containment to do by hand', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    const failure = await planRelease(deps, { accessKeyId: KEY }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AwsCallError);
    expect(failure).not.toBeInstanceOf(ContainmentError);
    expect((failure as Error).message).toMatch(/iam:GetAccessKeyLastUsed/);
  });

  it('names the tag and the schedule as evidence, removes the deletion and leaves the key inactive', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });

    const plan = await planRelease(deps, { accessKeyId: KEY });
    const result = await releaseKey(deps, plan, { reactivate: false });

    expect(plan.evidence).toEqual([
      expect.stringMatching(new RegExp(`^tag ${TAG} on alice`)),
      `schedule exposed-keys-delete-${KEY} in group exposed-keys, due 2026-11-27T03:00:00.000Z`,
      `schedule exposed-keys-verify-${KEY} in group exposed-keys, due 2026-11-27T03:00:00.000Z`,
    ]);
    expect(result).toMatchObject({ reactivated: false, status: 'Inactive', cancelled: [`exposed-keys-delete-${KEY}`] });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(plan.containedAt).toBe('2026-11-20T03:00:00.000Z');
  });

  it('takes the time of containment from its record only when the record begins with one', async () => {
    keyListed(iamMock, 'Inactive');
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const containedAt = async (record: string) => {
      tagged(iamMock, record);
      return (await planRelease(deps, { accessKeyId: KEY })).containedAt;
    };

    expect(await containedAt('found inactive 2026-11-21T04:05:06.000Z')).toBe('2026-11-21T04:05:06.000Z');
    expect(await containedAt('deactivated 2026-02-30T03:00:00.000Z')).toBeNull();
    expect(await containedAt('by hand\u001b[2J 2026-11-21T04:05:06.000Z')).toBeNull();
    expect(await containedAt('')).toBeNull();
  });

  it("takes no time of containment from the record of an earlier release, whose time is the release's", async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'released 2026-11-22T03:00:00.000Z left inactive');
    schedulerMock
      .on(GetScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} }));

    const plan = await planRelease(deps, { accessKeyId: KEY });

    expect(plan.evidence).toEqual([`tag ${TAG} on alice: "released 2026-11-22T03:00:00.000Z left inactive"`]);
    expect(plan.containedAt).toBeNull();
  });

  it('with reactivate, removes the verification too and makes the key active again', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });

    const result = await releaseKey(deps, await planRelease(deps, { accessKeyId: KEY }), { reactivate: true });

    expect(result.cancelled).toHaveLength(2);
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      UserName: 'alice',
      AccessKeyId: KEY,
      Status: 'Active',
    });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      Tags: [{ Key: TAG, Value: `reactivated ${NOW.toISOString()}` }],
    });
  });
});

describe('a released key', () => {
  it('is not deleted when a schedule comes after all', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock, 'released 2026-11-21T03:00:00.000Z, left inactive');

    const result = await deleteAsScheduled({ iam }, REQUEST);

    expect(result).toMatchObject({ outcome: 'refused', summary: expect.stringMatching(/was released/) });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });
});

describe('releaseKey while its scheduled deletion comes due', () => {
  const deps = { iam, scheduler, groupName: 'exposed-keys', now: () => NOW };
  const notFound = () => new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} });

  it('records the release before it removes the deletion, so that a deletion started meanwhile finds it', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const plan = await planRelease(deps, { accessKeyId: KEY });
    const order: string[] = [];
    iamMock.on(TagUserCommand).callsFake(() => order.push('TagUser') && {});
    schedulerMock.on(DeleteScheduleCommand).callsFake(() => order.push('DeleteSchedule') && {});

    await releaseKey(deps, plan, { reactivate: false });

    expect(order).toEqual(['TagUser', 'DeleteSchedule']);
  });

  it('gives the key as IAM lists it once released, not as the plan found it', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const plan = await planRelease(deps, { accessKeyId: KEY });
    keyListed(iamMock, 'Active');

    const result = await releaseKey(deps, plan, { reactivate: false });

    expect(plan.status).toBe('Inactive');
    expect(result.status).toBe('Active');
  });

  it('fails, saying the deletion ran first, when the deletion the plan saw is gone with the key', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const plan = await planRelease(deps, { accessKeyId: KEY });
    // While the question was open, the schedule started its execution (removing itself), which deleted the key.
    schedulerMock.on(DeleteScheduleCommand).rejects(notFound());
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const failure = await releaseKey(deps, plan, { reactivate: false }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(KeyGoneError);
    expect((failure as KeyGoneError).exitCode).toBe(4);
    expect((failure as Error).message).toMatch(
      new RegExp(`^${KEY} of alice is gone: its scheduled deletion ran before the release could cancel it`),
    );
    expect((failure as KeyGoneError).hint).toContain('aws iam create-access-key --user-name alice');
  });

  it('reports a key still there as released when its deletion schedule was gone, the deletion having found the release', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const plan = await planRelease(deps, { accessKeyId: KEY });
    schedulerMock.on(DeleteScheduleCommand).rejects(notFound());

    const result = await releaseKey(deps, plan, { reactivate: false });

    expect(result).toMatchObject({ status: 'Inactive', cancelled: [] });
  });
});

describe('releaseKey when something fails', () => {
  const deps = { iam, scheduler, groupName: 'exposed-keys', now: () => NOW };
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });

  it('removes the scheduled deletion the plan could not read', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).rejects(throttled());

    const plan = await planRelease(deps, { accessKeyId: KEY });
    const result = await releaseKey(deps, plan, { reactivate: false });

    expect(plan.schedules).toEqual([]);
    expect(schedulerMock).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: `exposed-keys-delete-${KEY}` });
    expect(result.cancelled).toEqual([`exposed-keys-delete-${KEY}`]);
  });

  it('changes nothing when the key cannot be made active again, and says so', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    iamMock.on(UpdateAccessKeyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const release = releaseKey(deps, await planRelease(deps, { accessKeyId: KEY }), { reactivate: true });

    await expect(release).rejects.toThrow(/iam:UpdateAccessKey.*Nothing was changed\./);
    expect(schedulerMock).not.toHaveReceivedCommand(DeleteScheduleCommand);
    expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
  });

  it('says what it did before a schedule could not be removed', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    schedulerMock.on(DeleteScheduleCommand).rejects(throttled());

    const release = releaseKey(deps, await planRelease(deps, { accessKeyId: KEY }), { reactivate: true });

    await expect(release).rejects.toThrow(
      new RegExp(`scheduler:DeleteSchedule.*Already done: ${KEY} made ACTIVE again; the release recorded on alice\\.`),
    );
  });

  it('fails when it can neither record the release nor reach a schedule group, as a deletion would then go ahead', async () => {
    keyListed(iamMock, 'Inactive');
    tagged(iamMock);
    iamMock.on(TagUserCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const noStack = { iam, groupName: null, now: () => NOW };

    const release = releaseKey(noStack, await planRelease(noStack, { accessKeyId: KEY }), { reactivate: false });

    await expect(release).rejects.toThrow(
      /no stack's schedule group was found: a deletion scheduled for .* would still delete it/,
    );
  });
});
