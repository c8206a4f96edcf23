import { describe, expect, it } from 'vitest';
import { isHub, withStackVerifyAfterMinutes } from '../../../../src/cli/run/deployed-stack.js';
import type { ScheduleDeps } from '../../../../src/steps/lifecycle/schedules.js';
import { SCHEDULE_TARGET } from '../../../support/schedule-target.js';

const SCHEDULES: ScheduleDeps = { scheduler: { send: async () => ({}) } as never, target: SCHEDULE_TARGET };

describe("the deployed stack's settings respond uses", () => {
  it('carry the stack’s VerifyAfterMinutes with its schedules, 0 included, read once', async () => {
    let reads = 0;
    const schedules = withStackVerifyAfterMinutes(
      async () => SCHEDULES,
      async () => {
        reads += 1;
        return { VerifyAfterMinutes: '0', OrganizationId: '' };
      },
      () => undefined,
    );

    expect(await schedules()).toEqual({ ...SCHEDULES, verifyAfterMinutes: 0 });
    await schedules();
    expect(reads).toBe(1);
  });

  it('keep the caller’s minutes, saying why, when the parameters cannot be read or do not say', async () => {
    const warned: unknown[] = [];
    const failing = withStackVerifyAfterMinutes(
      async () => SCHEDULES,
      async () => {
        throw new Error('AccessDenied: cloudformation:DescribeStacks');
      },
      (error) => warned.push(error),
    );
    const silent = withStackVerifyAfterMinutes(
      async () => SCHEDULES,
      async () => ({ VerifyAfterMinutes: 'soon' }),
      (error) => warned.push(error),
    );

    expect(await failing()).toEqual(SCHEDULES);
    expect(await silent()).toEqual(SCHEDULES);
    expect(warned).toHaveLength(1);
  });

  it('tell a hub by its OrganizationId', () => {
    expect(isHub({ OrganizationId: 'o-exampleorg1' })).toBe(true);
    expect(isHub({ OrganizationId: '' })).toBe(false);
    expect(isHub({})).toBe(false);
  });
});
