import {
  DeleteAccessKeyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { containKey } from '../../../../src/steps/contain.js';
import { followUpEvent, readFollowUp } from '../../../../src/steps/lifecycle/follow-up.js';
import { deleteAsScheduled } from '../../../../src/steps/lifecycle/scheduled-deletion.js';
import {
  aliceHoldsTheKey,
  CONTAINED_KEY as KEY,
  keyListed,
  DELETION_REQUEST as REQUEST,
  tagged,
} from '../../../support/contained-key.js';
import { incidentFor } from '../../../support/incidents.js';
import { SCHEDULE_TARGET } from '../../../support/schedule-target.js';

const iamMock = mockClient(IAMClient);
const schedulerMock = mockClient(SchedulerClient);
const iam = new IAMClient({ region: 'us-east-1' });
const scheduler = new SchedulerClient({ region: 'us-east-1' });

/** An IAM and a Scheduler that keep what is written to them: the key's status, the user's tags, the schedules' inputs. */
function stateful(): { schedules: Map<string, string>; deleted: () => boolean } {
  let status = 'Active';
  let deleted = false;
  const tags = new Map<string, string>();
  const schedules = new Map<string, string>();
  iamMock
    .on(ListAccessKeysCommand)
    .callsFake(async () => ({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: status }] }));
  iamMock.on(UpdateAccessKeyCommand).callsFake(async (input) => {
    status = input.Status;
    return {};
  });
  iamMock.on(TagUserCommand).callsFake(async (input) => {
    for (const tag of input.Tags) tags.set(tag.Key, tag.Value);
    return {};
  });
  iamMock.on(ListUserTagsCommand).callsFake(async () => ({ Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) }));
  iamMock.on(DeleteAccessKeyCommand).callsFake(async () => {
    deleted = true;
    return {};
  });
  schedulerMock.on(CreateScheduleCommand).callsFake(async (input) => {
    if (schedules.has(input.Name)) throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    schedules.set(input.Name, input.Target.Input);
    return {};
  });
  schedulerMock.on(UpdateScheduleCommand).callsFake(async (input) => {
    schedules.set(input.Name, input.Target.Input);
    return {};
  });
  return { schedules, deleted: () => deleted };
}

beforeEach(() => {
  iamMock.reset();
  schedulerMock.reset();
  aliceHoldsTheKey(iamMock);
  iamMock.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: 'none', $metadata: {} }));
  keyListed(iamMock, 'Inactive');
});

describe('deleteAsScheduled after two containments of the key at once', () => {
  it('deletes the key when the schedule left fires a moment before the deletion the record names', async () => {
    const iamAndScheduler = stateful();
    const options = { mode: 'deactivate-then-delete' as const, deleteAfterDays: 7, verifyAfterMinutes: 30 };
    const incident = incidentFor(KEY, 'alice', { eventId: 'e1' });
    // The event delivered twice: the first's schedules take a moment to look up, so it writes its schedule last and its record first.
    const [first, second] = await Promise.all([
      containKey(
        {
          iam,
          accountId: '123456789012',
          now: () => new Date('2026-11-27T03:00:00.000Z'),
          schedules: async () => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return { scheduler, target: SCHEDULE_TARGET };
          },
        },
        incident,
        options,
      ),
      containKey(
        {
          iam,
          accountId: '123456789012',
          now: () => new Date('2026-11-27T03:00:00.400Z'),
          schedules: async () => ({ scheduler, target: SCHEDULE_TARGET }),
        },
        incident,
        options,
      ),
    ]);
    const input: unknown = JSON.parse(iamAndScheduler.schedules.get(`exposed-keys-delete-${KEY}`) ?? 'null');
    const read = readFollowUp(input);
    if (!('request' in read)) throw new Error(read.problem);

    const fired = await deleteAsScheduled(
      { iam, now: () => new Date(Date.parse(read.request.deleteAt ?? '') + 5_000) },
      read.request,
    );

    expect([first.deleteAt, second.deleteAt]).not.toContain(null);
    expect(fired).toMatchObject({ outcome: 'deleted' });
    expect(iamAndScheduler.deleted()).toBe(true);
  });
});

describe('deleteAsScheduled deciding by the time the record names', () => {
  it('deletes when the record names a deletion due within the minute Scheduler may fire early or late by', async () => {
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.400Z delete at 2026-11-27T03:00:00.400Z');

    const result = await deleteAsScheduled({ iam, now: () => new Date('2026-11-27T03:00:00.000Z') }, REQUEST);

    expect(result.outcome).toBe('deleted');
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName: 'alice', AccessKeyId: KEY });
  });

  it('leaves alone a key whose record names a deletion more than a minute away, one a later containment moved', async () => {
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T03:01:30.000Z');
    const soon = await deleteAsScheduled({ iam, now: () => new Date('2026-11-27T03:00:00.000Z') }, REQUEST);
    tagged(iamMock, 'deactivated 2026-11-25T03:00:00.000Z delete at 2026-12-02T03:00:00.000Z');
    const moved = await deleteAsScheduled({ iam, now: () => new Date('2026-11-27T03:00:20.000Z') }, REQUEST);

    expect(soon).toMatchObject({
      outcome: 'refused',
      keyStatus: 'Inactive',
      summary: expect.stringMatching(/scheduled its deletion for 2026-11-27T03:01:30.000Z, not now/),
    });
    expect(moved).toMatchObject({
      outcome: 'refused',
      summary: expect.stringMatching(/scheduled its deletion for 2026-12-02T03:00:00.000Z, not now/),
    });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('deletes when the record names a deletion a moment before the schedule, the other order of two containments', async () => {
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T03:00:00.000Z');

    const result = await deleteAsScheduled(
      { iam, now: () => new Date('2026-11-27T03:00:05.000Z') },
      { ...REQUEST, deleteAt: '2026-11-27T03:00:00.400Z' },
    );

    expect(result.outcome).toBe('deleted');
  });
});

describe('deleteAsScheduled given a request that names no time of deletion', () => {
  it('refuses it, whether the deletion the record names is due or not, and deletes nothing', async () => {
    const event = followUpEvent(REQUEST);
    const read = readFollowUp({ ...event, detail: { ...(event.detail as object), deleteAt: undefined } });
    if (!('request' in read)) throw new Error(read.problem);
    const now = () => new Date('2026-11-22T03:00:00.000Z');
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T03:00:00.000Z');
    const early = await deleteAsScheduled({ iam, now }, read.request);
    tagged(iamMock, 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-21T03:00:00.000Z');
    const due = await deleteAsScheduled({ iam, now }, { ...REQUEST, deleteAt: null });

    expect(read.request.deleteAt).toBeNull();
    for (const result of [early, due])
      expect(result).toMatchObject({
        outcome: 'refused',
        keyStatus: 'Inactive',
        summary: expect.stringMatching(/names no time of deletion/),
      });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });
});
