import { describe, expect, it } from 'vitest';
import { schedulesForPlan } from '../../../../src/cli/run/plan-schedules.js';
import { StackNotFoundError } from '../../../../src/errors.js';
import type { ScheduleDeps } from '../../../../src/steps/lifecycle/schedules.js';
import { SCHEDULE_TARGET } from '../../../support/schedule-target.js';

const SCHEDULES: ScheduleDeps = { scheduler: { send: async () => ({}) } as never, target: SCHEDULE_TARGET };

describe("the stack's schedules, looked up for the plan", () => {
  it("carry the stack's VerifyAfterMinutes, and a stack found missing is looked up too", async () => {
    expect(await schedulesForPlan(async () => ({ ...SCHEDULES, verifyAfterMinutes: 0 }), 1_000)).toEqual({
      lookedUp: true,
      verifyAfterMinutes: 0,
    });
    expect(await schedulesForPlan(async () => SCHEDULES, 1_000)).toEqual({ lookedUp: true });
    const missing = schedulesForPlan(() => Promise.reject(new StackNotFoundError('exposed-keys', 'us-east-1')), 1_000);
    expect(await missing).toEqual({ lookedUp: true });
  });

  it('are not looked up, saying why, when they fail or do not come in time', async () => {
    const failed = await schedulesForPlan(() => Promise.reject(new Error('Rate exceeded')), 1_000);
    const started = Date.now();
    const hung = await schedulesForPlan(() => new Promise<ScheduleDeps>(() => {}), 50);

    expect(failed).toEqual({ lookedUp: false, reason: 'Error: Rate exceeded' });
    expect(hung).toEqual({ lookedUp: false, reason: 'no answer within 0.05 s' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
