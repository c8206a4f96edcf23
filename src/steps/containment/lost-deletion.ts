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
    deps = await schedules();
    if (await findFollowUp(deps.scheduler, deps.target.groupName, 'scheduled-deletion', accessKeyId)) return null;
  } catch (error) {
    return failed(
      deletion,
      `could not find out whether the deletion at ${deleteAt} that exposed-keys' record names is scheduled: ${describeError(error)}`,
      `its deletion at ${deleteAt} may NOT be scheduled (its schedule could not be looked up)`,
      `its deletion at ${deleteAt} may NOT be scheduled`,
    );
  }
  const at = new Date(Math.max(Date.parse(deleteAt), deletion.now.getTime() + LEAD_MS));
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
