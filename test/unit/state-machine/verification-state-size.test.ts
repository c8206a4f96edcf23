import type { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import type { CloudTrailApi } from '../../../src/aws/narrow-clients.js';
import { MAX_VERIFICATION_BYTES } from '../../../src/state-machine/fit-verification.js';
import { investigateTask } from '../../../src/state-machine/tasks/investigate-task.js';
import type { WorkflowState } from '../../../src/state-machine/workflow-state.js';
import { followUpEvent } from '../../../src/steps/lifecycle/follow-up.js';
import type { VerificationResult } from '../../../src/steps/lifecycle/follow-up-result.js';
import { everyRegionNotSearched } from '../../../src/steps/lifecycle/regions-not-searched.js';

/*
 * A verification's result travels in the state machine's state, which Step Functions caps at
 * 256 KB with an error no Catch takes: the alert would be lost with it.
 */

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const CONTAINED_AT = new Date(Date.now() - 3_600_000);
const REGIONS = ['us-east-1', ...Array.from({ length: 19 }, (_, index) => `xx-test-${index + 1}`)];
const SESSIONS = Array.from({ length: 3 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`);

function record(eventID: string, accessKeyId: string, eventName: string, time: Date, responseElements?: object) {
  const fields = {
    eventID,
    eventTime: time.toISOString(),
    eventName,
    eventSource: 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    sourceIPAddress: `203.0.113.${eventID.length % 250}`,
    userIdentity: { accessKeyId },
    ...(responseElements ? { responseElements } : {}),
  };
  return { EventId: eventID, EventName: eventName, EventTime: time, CloudTrailEvent: JSON.stringify(fields) };
}

/**
 * The key minted 3 session keys before containment, and it and each of them made 30 calls of
 * 1,000 astral-plane characters since (LookupEvents' own limit is 2 calls a second: a few keys,
 * each with long names, stand for many keys); every region but us-east-1 refuses, why in 2,000 astral characters.
 */
function cloudTrail(region: string): CloudTrailApi {
  return {
    send: (async (command: LookupEventsCommand) => {
      if (region !== 'us-east-1')
        throw Object.assign(new Error(`${region} ${'😀'.repeat(2_000)}`), { name: 'AccessDeniedException' });
      const key = command.input.LookupAttributes?.[0]?.AttributeValue ?? '';
      const since = (command.input.StartTime as Date).getTime() >= CONTAINED_AT.getTime();
      if (!since)
        return {
          Events:
            key === KEY
              ? SESSIONS.map((session, index) =>
                  record(`mint-${index}`, KEY, 'GetSessionToken', new Date(CONTAINED_AT.getTime() - 60_000), {
                    credentials: { accessKeyId: session },
                  }),
                )
              : [],
        };
      return {
        Events: Array.from({ length: 30 }, (_, index) =>
          record(
            `${key}-${index}`,
            key,
            `Call${index}${'🐙'.repeat(1_000)}`,
            new Date(CONTAINED_AT.getTime() + 60_000),
          ),
        ),
      };
    }) as CloudTrailApi['send'],
  };
}

describe('a verification of a key whose session keys called from containment on', () => {
  it('returns a result that fits the state, every active key and every region not searched in it', async () => {
    const state: WorkflowState = {
      event: followUpEvent({
        kind: 'verification',
        accessKeyId: KEY,
        userName: 'alice',
        accountId: null,
        containedAt: CONTAINED_AT.toISOString(),
        deleteAt: null,
      }),
    };
    const task = investigateTask(
      { cloudTrail, listRegions: async () => REGIONS, accountId: '111111111111' },
      { lookbackHours: 24, regions: REGIONS },
    );

    const result = (await task(state)) as VerificationResult;

    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(MAX_VERIFICATION_BYTES);
    expect(result.cutToFit).toBe(true);
    expect(result.activity).toHaveLength(4);
    expect(result.activity.every((calls) => calls.totalEvents === 30)).toBe(true);
    const named = new Set(everyRegionNotSearched(result).map((failed) => `${failed.accessKeyId} ${failed.region}`));
    for (const key of [KEY, ...SESSIONS])
      for (const region of REGIONS.slice(1)) expect(named.has(`${key} ${region}`)).toBe(true);
  });
});
