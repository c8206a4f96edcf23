import { describeError } from '../../errors.js';
import { findFollowUp, type ScheduleDeps, scheduleFollowUp, scheduleName } from '../lifecycle/schedules.js';
import { deleteByHandStep, type FollowUpsScheduled } from './follow-ups.js';

/*
 * Containment leaves its record, naming the deletion, on the user before it schedules the
 * deletion: a function that dies in between (a timeout, a crash) leaves a record naming a deletion
 * no schedule will run. A later containment that finds the key contained so schedules it again.
 */

/**
 * How far ahead a deletion whose time has passed, or nearly, is scheduled: Scheduler needs a time
 * still to come when it gets the schedule, and the deletion runs within a minute of it.
 */
const LEAD_MS = 120_000;

/** When a deletion scheduled again runs: at the record's time, or a little after now when that has passed, or nearly. */
function rescheduledAt(deletion: RecordedDeletion): Date {
  return new Date(Math.max(Date.parse(deletion.deleteAt), deletion.now.getTime() + LEAD_MS));
}

/** A deletion that exposed-keys' record on the user names. */
export interface RecordedDeletion {
  accessKeyId: string;
  userName: string;
  accountId: string | null;
  /** When the record says the key was contained, ISO 8601. */
  containedAt: string;
  /** The time of deletion the record names, ISO 8601. */
  deleteAt: string;
  now: Date;
}

/** What {@link scheduleLostDeletion} did, for the containment's result, and its summary in a few words. */
export interface LostDeletion extends FollowUpsScheduled {
  said: string;
}

function failed(deletion: RecordedDeletion, detail: string, said: string, why?: string): LostDeletion {
  return {
    actions: [
      {
        kind: 'schedule-deletion',
        target: scheduleName('scheduled-deletion', deletion.accessKeyId),
        status: 'failed',
        detail,
      },
    ],
    warnings: [],
    humanSteps: [deleteByHandStep(deletion, why)],
    deleteAt: null,
    verifyAt: null,
    said,
  };
}

/**
 * The stack's schedules, and whether one holds the deletion of the key.
 *
 * @throws when the schedules cannot be had, or Scheduler does not answer.
 */
async function deletionSchedule(
  schedules: () => Promise<ScheduleDeps>,
  accessKeyId: string,
): Promise<{ deps: ScheduleDeps; scheduled: boolean }> {
  const deps = await schedules();
  const found = await findFollowUp(deps.scheduler, deps.target.groupName, 'scheduled-deletion', accessKeyId);
  return { deps, scheduled: found !== null };
}

/**
 * Looks the schedule of the deletion a record names up, and schedules it again when there is none:
 * at the time the record names, or a little after now when that time has passed or nearly. The
 * request names the record's time all the same, since the deletion checks it against the record.
 * Null when the schedule is there. A lookup or a scheduling that fails is a failed action, with
 * the command to delete the key by hand.
 */
export async function scheduleLostDeletion(
  schedules: () => Promise<ScheduleDeps>,
  deletion: RecordedDeletion,
): Promise<LostDeletion | null> {
  const { accessKeyId, deleteAt } = deletion;
  const name = scheduleName('scheduled-deletion', accessKeyId);
  let deps: ScheduleDeps;
  try {
    const found = await deletionSchedule(schedules, accessKeyId);
    if (found.scheduled) return null;
    deps = found.deps;
  } catch (error) {
    return failed(
      deletion,
      `could not find out whether the deletion at ${deleteAt} that exposed-keys' record names is scheduled: ${describeError(error)}`,
      `its deletion at ${deleteAt} may NOT be scheduled (its schedule could not be looked up)`,
      `its deletion at ${deleteAt} may NOT be scheduled`,
    );
  }
  const at = rescheduledAt(deletion);
  const { userName, accountId, containedAt } = deletion;
  try {
    await scheduleFollowUp(
      deps,
      { kind: 'scheduled-deletion', accessKeyId, userName, accountId, containedAt, deleteAt },
      at,
    );
  } catch (error) {
    return failed(
      deletion,
      `the deletion at ${deleteAt} that exposed-keys' record names had no schedule, and could not be scheduled again: ${describeError(error)}`,
      `its deletion at ${deleteAt} is NOT scheduled (it had no schedule, and could not be given one)`,
    );
  }
  return {
    actions: [
      {
        kind: 'schedule-deletion',
        target: name,
        status: 'done',
        detail: `the deletion at ${deleteAt} that exposed-keys' record names had no schedule: scheduled again at ${at.toISOString()} (schedule ${name} in group ${deps.target.groupName})`,
      },
    ],
    warnings: [],
    humanSteps: [],
    deleteAt: at.toISOString(),
    verifyAt: null,
    said: `its deletion at ${deleteAt} had no schedule: scheduled again, for ${at.toISOString()}, unless released`,
  };
}

/**
 * What the run would do about the deletion a record names, for a plan (a dry run): the deletion
 * scheduled again when no schedule holds it. With `lookUp`, the schedule is looked up (only read),
 * and nothing is planned when it is there; otherwise, or when it cannot be looked up, the plan
 * says the run will look and schedule it if missing, so that a person is asked before it may.
 */
export async function planLostDeletion(
  schedules: (() => Promise<ScheduleDeps>) | undefined,
  deletion: RecordedDeletion,
  lookUp: boolean,
): Promise<FollowUpsScheduled['actions'][number] | null> {
  if (!schedules) return null;
  const { accessKeyId, deleteAt } = deletion;
  const name = scheduleName('scheduled-deletion', accessKeyId);
  const planned = (detail: string) => ({
    kind: 'schedule-deletion' as const,
    target: name,
    status: 'planned' as const,
    detail,
  });
  if (!lookUp)
    return planned(
      `schedule again the deletion at ${deleteAt} that exposed-keys' record names, if no schedule holds it (${name}; not looked up yet)`,
    );
  try {
    if ((await deletionSchedule(schedules, accessKeyId)).scheduled) return null;
  } catch (error) {
    return planned(
      `schedule again the deletion at ${deleteAt} that exposed-keys' record names, if no schedule holds it (${name}); its schedule could not be looked up: ${describeError(error)}`,
    );
  }
  const at = rescheduledAt(deletion);
  return planned(
    `schedule again the deletion at ${deleteAt} that exposed-keys' record names, which no schedule holds, at ${at.toISOString()} (${name})`,
  );
}
