import { shellWord } from '../../common/shell-words.js';
import { describeError, StackNotFoundError } from '../../errors.js';
import type { FollowUpKind, FollowUpRequest } from '../lifecycle/follow-up.js';
import { type ScheduleDeps, scheduleFollowUp, scheduleName } from '../lifecycle/schedules.js';

/** What scheduling the follow-ups of a containment did, for its result. */
export interface FollowUpsScheduled {
  actions: {
    kind: 'schedule-deletion' | 'schedule-verification';
    /** The schedule's name. */
    target: string;
    status: 'done' | 'planned' | 'failed';
    detail: string;
  }[];
  warnings: string[];
  humanSteps: string[];
  /** When the key is due to be deleted, ISO 8601; null when no deletion is scheduled. */
  deleteAt: string | null;
  /** When the verification runs, ISO 8601; null when none is scheduled. */
  verifyAt: string | null;
}

/** What to schedule after a key was made unusable. */
export interface FollowUpPlan {
  accessKeyId: string;
  userName: string;
  accountId: string | null;
  now: Date;
  /** Days before the deletion of a deactivated key; null when no deletion is to be scheduled. */
  deleteAfterDays: number | null;
  /** Minutes before the verification; 0 for none. The schedules' own, when they carry one, replaces it. */
  verifyAfterMinutes: number;
  dryRun: boolean;
  /**
   * A dry run that is the whole run looks the schedules up (they are only read), so that it plans
   * only what the stack can run; so does the plan made before a containment when it may wait for
   * them (a person confirms it), and otherwise not, since containment then waits for nothing but IAM.
   */
  checkSchedules: boolean;
  /** Why a plan that does not check the schedules did not look them up; empty: not yet. */
  notLookedUp?: string;
  /**
   * Why the record of the containment naming the deletion could not be left on the user: the
   * deletion is then not scheduled (a failed action), since at its time it would find no record
   * naming it, and refuse.
   */
  unrecorded?: string | null;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The step for a human when a key left inactive may not be deleted as scheduled: `why` says why. */
export function deleteByHandStep(
  key: { userName: string; accessKeyId: string },
  why = 'its deletion is NOT scheduled',
): string {
  return `The key is inactive but ${why}: delete it by hand once the incident is understood: aws iam delete-access-key --user-name ${shellWord(key.userName)} --access-key-id ${key.accessKeyId}`;
}

/** When a deletion scheduled at `now` is due: `days` later. */
export function deletionDue(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

function request(plan: FollowUpPlan, kind: FollowUpKind, deleteAt: Date | null): FollowUpRequest {
  return {
    kind,
    accessKeyId: plan.accessKeyId,
    userName: plan.userName,
    accountId: plan.accountId,
    containedAt: plan.now.toISOString(),
    deleteAt: deleteAt?.toISOString() ?? null,
  };
}

/**
 * Schedules what follows a containment: the deletion of a key left inactive (deactivate-then-delete),
 * and the verification that it went quiet. A deletion that cannot be scheduled, or whose record
 * could not be left (`unrecorded`), is a failed action (a human must delete the key later); a
 * verification that cannot be is a warning.
 */
export async function scheduleFollowUps(
  schedules: (() => Promise<ScheduleDeps>) | undefined,
  plan: FollowUpPlan,
): Promise<FollowUpsScheduled> {
  const done: FollowUpsScheduled = { actions: [], warnings: [], humanSteps: [], deleteAt: null, verifyAt: null };
  const deleteAt = plan.deleteAfterDays === null ? null : deletionDue(plan.now, plan.deleteAfterDays);
  // Without the stack's schedules there is nothing to run a verification; only a deletion is missed.
  if (!deleteAt && !(schedules && plan.verifyAfterMinutes > 0)) return done;

  let deps: ScheduleDeps | null = null;
  let unavailable = '';
  let noStack = false;
  if (schedules && (!plan.dryRun || plan.checkSchedules))
    try {
      deps = await schedules();
    } catch (error) {
      unavailable = describeError(error);
      // Without a stack there is nothing to verify with; only a deletion that was asked for is missed.
      noStack = error instanceof StackNotFoundError;
    }
  else if (!schedules) unavailable = "no schedule group to schedule it in (exposed-keys' stack has one)";
  // The stack's own setting, read with its schedules, replaces the caller's.
  const minutes = deps?.verifyAfterMinutes ?? plan.verifyAfterMinutes;
  const verifyAt = schedules && minutes > 0 ? new Date(plan.now.getTime() + minutes * MINUTE_MS) : null;

  const attempt = async (kind: FollowUpKind, at: Date) => {
    const name = scheduleName(kind, plan.accessKeyId);
    const what = kind === 'scheduled-deletion' ? 'deletion' : 'verification';
    const planned = { status: 'planned' as const, detail: `schedule the ${what} at ${at.toISOString()} (${name})` };
    // The plan made before asking waits for IAM alone: whether the stack can schedule it is not known yet.
    if (plan.dryRun && !plan.checkSchedules)
      return {
        ...planned,
        detail: `${planned.detail}, if exposed-keys' stack is deployed (not looked up${plan.notLookedUp ? `: ${plan.notLookedUp}` : ' yet'})`,
      };
    // A dry run changes nothing: not finding out whether the stack could schedule it fails nothing either.
    if (plan.dryRun && !deps)
      return { ...planned, detail: `${planned.detail}; the stack's schedules could not be checked: ${unavailable}` };
    if (kind === 'scheduled-deletion' && plan.unrecorded)
      return {
        status: 'failed' as const,
        detail: `did not schedule the deletion: exposed-keys' record of the containment, which the deletion must find on the user, could not be left there (${plan.unrecorded})`,
      };
    if (!deps) return { status: 'failed' as const, detail: `could not schedule the ${what}: ${unavailable}` };
    if (plan.dryRun) return planned;
    try {
      await scheduleFollowUp(deps, request(plan, kind, deleteAt), at);
      return {
        status: 'done' as const,
        detail: `${what} scheduled at ${at.toISOString()} (schedule ${name} in group ${deps.target.groupName})`,
      };
    } catch (error) {
      return { status: 'failed' as const, detail: `could not schedule the ${what}: ${describeError(error)}` };
    }
  };

  if (deleteAt) {
    const scheduled = await attempt('scheduled-deletion', deleteAt);
    done.actions.push({
      kind: 'schedule-deletion',
      target: scheduleName('scheduled-deletion', plan.accessKeyId),
      ...scheduled,
    });
    if (scheduled.status === 'failed') done.humanSteps.push(deleteByHandStep(plan));
    else done.deleteAt = deleteAt.toISOString();
  }
  if (verifyAt && !noStack) {
    const scheduled = await attempt('verification', verifyAt);
    if (scheduled.status === 'failed')
      done.warnings.push(
        `No verification after containment: ${scheduled.detail.replace(/^could not schedule the verification: /, '')}`,
      );
    else {
      done.actions.push({
        kind: 'schedule-verification',
        target: scheduleName('verification', plan.accessKeyId),
        ...scheduled,
      });
      done.verifyAt = verifyAt.toISOString();
    }
  }
  return done;
}
