import { describeError, StackNotFoundError } from '../../errors.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';
import type { StackLookup } from './respond-plan.js';

/**
 * The stack's schedules looked up for the plan, waiting `withinMs` at most: found (with the stack's
 * VerifyAfterMinutes, when it says), or found missing, are looked up; failing, or answering too late,
 * they are not, and the plan says why. The lookup goes on: the run shares its answer.
 */
export async function schedulesForPlan(schedules: () => Promise<ScheduleDeps>, withinMs: number): Promise<StackLookup> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<StackLookup>((resolve) => {
    timer = setTimeout(() => resolve({ lookedUp: false, reason: `no answer within ${withinMs / 1000} s` }), withinMs);
  });
  const answered = schedules().then(
    ({ verifyAfterMinutes }): StackLookup =>
      verifyAfterMinutes === undefined ? { lookedUp: true } : { lookedUp: true, verifyAfterMinutes },
    (error: unknown): StackLookup =>
      error instanceof StackNotFoundError ? { lookedUp: true } : { lookedUp: false, reason: describeError(error) },
  );
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}
