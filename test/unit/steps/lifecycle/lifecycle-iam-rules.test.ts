import {
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { messageOf } from '../../../../src/message/message-of.js';
import { containKey } from '../../../../src/steps/contain.js';
import { type IncidentReport, keyContained } from '../../../../src/steps/incident-outcome.js';
import type { FollowUpResult } from '../../../../src/steps/lifecycle/follow-up-result.js';
import { planRelease, releaseKey } from '../../../../src/steps/lifecycle/release.js';
import { deleteAsScheduled } from '../../../../src/steps/lifecycle/scheduled-deletion.js';
import { aliceHoldsTheKey, CONTAINED_KEY as KEY } from '../../../support/contained-key.js';
import { incidentFor } from '../../../support/incidents.js';
import { SCHEDULE_TARGET } from '../../../support/schedule-target.js';

/*
 * IAM's API model (botocore iam/2010-05-08 service-2.json, shape tagValueType):
 *   {"type":"string","max":256,"min":0,"pattern":"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"}
 * Real IAM answers TagUser with a value outside it with a ValidationError; moto checks only the
 * key's characters. So here IAM is a mock that keeps tags and checks values as IAM does.
 */
const IAM_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const NOW = new Date('2026-11-27T03:00:00.000Z');
const TARGET = SCHEDULE_TARGET;
const iamMock = mockClient(IAMClient);
const schedulerMock = mockClient(SchedulerClient);
const iam = new IAMClient({ region: 'us-east-1' });
const scheduler = new SchedulerClient({ region: 'us-east-1' });

/** The user's tags, kept as IAM keeps them, and TagUser validated as IAM validates it. */
let tags: Map<string, string>;
let status: 'Active' | 'Inactive';

/** The report of a follow-up that was done, as the notification reads it. */
function followUpReport(
  kind: 'release' | 'verification',
  result: FollowUpResult,
  containedAt: string | null,
): IncidentReport {
  return {
    incident: null,
    containment: { status: 'skipped', reason: 'a follow-up contains nothing' },
    investigation: { status: 'skipped', reason: 'a follow-up investigates nothing' },
    followUp: {
      kind,
      accessKeyId: KEY,
      userName: 'alice',
      accountId: '123456789012',
      containedAt,
      step: { status: 'done', result },
    },
  };
}

beforeEach(() => {
  iamMock.reset();
  schedulerMock.reset();
  tags = new Map();
  status = 'Active';
  aliceHoldsTheKey(iamMock);
  iamMock
    .on(ListAccessKeysCommand)
    .callsFake(async () => ({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: status }] }));
  iamMock.on(UpdateAccessKeyCommand).callsFake(async (input) => {
    status = input.Status;
    return {};
  });
  iamMock.on(ListUserTagsCommand).callsFake(async () => ({
    Tags: [...tags].map(([Key, Value]) => ({ Key, Value })),
  }));
  iamMock.on(TagUserCommand).callsFake(async (input) => {
    for (const tag of input.Tags ?? [])
      if (!IAM_TAG_VALUE.test(tag.Value ?? ''))
        throw Object.assign(
          new Error(
            `1 validation error detected: Value '${tag.Value}' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,
          ),
          { name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 } },
        );
    for (const tag of input.Tags ?? []) tags.set(tag.Key as string, tag.Value as string);
    return {};
  });
  schedulerMock.on(CreateScheduleCommand).resolves({});
  schedulerMock.on(UpdateScheduleCommand).resolves({});
  schedulerMock.on(DeleteScheduleCommand).resolves({});
});

describe('deactivate-then-delete against IAM’s tag rules', () => {
  it('writes a containment record IAM accepts', async () => {
    const result = await containKey(
      { iam, accountId: '123456789012', now: () => NOW, schedules: async () => ({ scheduler, target: TARGET }) },
      incidentFor(KEY, 'alice'),
      { mode: 'deactivate-then-delete', deleteAfterDays: 7, verifyAfterMinutes: 30 },
    );
    const written = iamMock.commandCalls(TagUserCommand).flatMap((call) => call.args[0].input.Tags ?? []);
    expect(written.length).toBeGreaterThan(0);
    for (const tag of written) expect(tag.Value).toMatch(IAM_TAG_VALUE);
    expect(result.warnings).toEqual([]);
  });

  it('deletes the key when its schedule comes (the promise every message of the containment makes)', async () => {
    const contained = await containKey(
      { iam, accountId: '123456789012', now: () => NOW, schedules: async () => ({ scheduler, target: TARGET }) },
      incidentFor(KEY, 'alice'),
      { mode: 'deactivate-then-delete', deleteAfterDays: 7, verifyAfterMinutes: 30 },
    );
    // The message promised it: "It will be DELETED at … unless released".
    expect(contained.deleteAt).toBe('2026-12-04T03:00:00.000Z');

    const deletion = await deleteAsScheduled(
      { iam, now: () => new Date('2026-12-04T03:00:00.000Z') },
      {
        kind: 'scheduled-deletion',
        accessKeyId: KEY,
        userName: 'alice',
        accountId: '123456789012',
        containedAt: NOW.toISOString(),
        deleteAt: contained.deleteAt ?? null,
      },
    );
    expect(deletion.summary).not.toMatch(/Nothing shows exposed-keys contained/);
    expect(deletion.outcome).toBe('deleted');
  });

  it('records a release IAM accepts, so a schedule whose removal was lost cannot delete a released key', async () => {
    status = 'Inactive';
    // The record of a deletion due now: only the release's record may stop it.
    tags.set(`exposed-keys/contained/${KEY}`, `deactivated 2026-11-20T03:00:00.000Z delete at ${NOW.toISOString()}`);
    const plan = await planRelease({ iam, now: () => NOW }, { accessKeyId: KEY });
    // No stack's schedule group found (another --stack-name or region): only the tag records the release.
    await releaseKey({ iam, now: () => NOW }, plan, { reactivate: false });

    const deletion = await deleteAsScheduled(
      { iam, now: () => NOW },
      {
        kind: 'scheduled-deletion',
        accessKeyId: KEY,
        userName: 'alice',
        accountId: '123456789012',
        containedAt: '2026-11-20T03:00:00.000Z',
        deleteAt: NOW.toISOString(),
      },
    );
    expect(deletion.outcome).toBe('refused');
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });
});

describe('release of a key that is ACTIVE now', () => {
  it('does not tell the security team the key is inactive', async () => {
    // exposed-keys deactivated it; someone made it active again by hand since.
    status = 'Active';
    tags.set(`exposed-keys/contained/${KEY}`, 'deactivated 2026-11-20T03:00:00.000Z');
    schedulerMock
      .on(GetScheduleCommand)
      .resolves({ Name: `exposed-keys-delete-${KEY}`, ScheduleExpression: 'at(2026-11-27T03:00:00)' });
    const deps = { iam, scheduler, groupName: 'exposed-keys', now: () => NOW };
    const plan = await planRelease(deps, { accessKeyId: KEY });
    expect(plan.status).toBe('Active');
    const result = await releaseKey(deps, plan, { reactivate: false });
    expect(result.status).toBe('Active');

    const report = followUpReport('release', result, plan.containedAt);
    const message = messageOf(report);
    const text = [message.headline, message.keyNow, ...message.done].join('\n');
    // IAM says Active: the message must not say inactive, and must ask a human to act.
    expect(text).not.toMatch(/inactive/i);
    expect(message.urgent).toBe(true);
    expect(keyContained(report)).toBe(false);
  });
});

describe('a verification whose search was cut short', () => {
  it('does not report "Verified: no activity since containment" and end the execution as fine', async () => {
    const { verifyContainment } = await import('../../../../src/steps/lifecycle/verification.js');
    const { needsHuman } = await import('../../../../src/steps/incident-outcome.js');
    const empty = (accessKeyId: string, truncated: boolean) =>
      ({
        accessKeyId,
        userName: 'alice',
        source: 'lookup-events',
        window: { start: '', end: '' },
        regions: { searched: ['us-east-1', 'eu-west-1'], failed: [] },
        totalEvents: 0,
        firstSeen: null,
        lastSeen: null,
        truncated,
        sessionKeys: [],
        riskyEvents: [],
        eventNames: [],
        errorCodes: [],
        sourceIps: [],
      }) as never;
    // The look-back before containment (a busy attacker) used the whole time budget: the search
    // since containment stopped at the deadline before reading a single page.
    const source = {
      name: 'lookup-events' as const,
      unsearchable: (message: string) => new Error(message),
      summarize: async (query: { accessKeyIds: readonly string[] }) =>
        query.accessKeyIds.map((key) => empty(key, true)),
    };
    const result = await verifyContainment(
      { source, now: () => new Date('2026-11-27T03:30:00.000Z') },
      {
        kind: 'verification',
        accessKeyId: KEY,
        userName: 'alice',
        accountId: '123456789012',
        containedAt: '2026-11-27T03:00:00.000Z',
        deleteAt: null,
      },
      { lookbackHours: 24, deadline: Date.now() },
    );
    expect(result.truncated).toBe(true);
    const report = followUpReport('verification', result, '2026-11-27T03:00:00.000Z');
    const message = messageOf(report);
    expect(message.headline).not.toMatch(/^Verified/);
    expect(message.keyNow).not.toMatch(/^Quiet/);
    expect(needsHuman(report)).toBe(true);
  });
});
