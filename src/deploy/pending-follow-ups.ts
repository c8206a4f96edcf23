import { ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { SchedulerApi } from '../aws/narrow-clients.js';
import { describeError } from '../errors.js';
import { findFollowUp, type ScheduledFollowUp } from '../steps/lifecycle/schedules.js';

/** A follow-up the stack's schedule group holds, which deleting the stack cancels. */
export interface PendingFollowUp extends ScheduledFollowUp {
  accessKeyId: string;
}

/** What deleting the stack would cancel: its pending follow-ups, or why they could not be listed. */
export type PendingFollowUps = { followUps: PendingFollowUp[] } | { error: string };

const KINDS = [
  { kind: 'scheduled-deletion', prefix: 'exposed-keys-delete-' },
  { kind: 'verification', prefix: 'exposed-keys-verify-' },
] as const;

/**
 * The follow-ups (a deactivated key's deletion, a verification) waiting in the stack's schedule
 * group, named after the stack: deleting the stack deletes the group and every schedule in it, so
 * that a key left inactive would never be deleted. A stack without schedules has no group: none.
 */
export async function pendingFollowUps(scheduler: SchedulerApi, groupName: string): Promise<PendingFollowUps> {
  const names: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await scheduler.send(new ListSchedulesCommand({ GroupName: groupName, NextToken: token }));
      names.push(...(page.Schedules ?? []).flatMap((schedule) => schedule.Name ?? []));
      token = page.NextToken;
    } while (token);
    const followUps: PendingFollowUp[] = [];
    for (const name of names.sort()) {
      const known = KINDS.find(({ prefix }) => name.startsWith(prefix));
      if (!known) continue;
      const accessKeyId = name.slice(known.prefix.length);
      const found = await findFollowUp(scheduler, groupName, known.kind, accessKeyId);
      if (found) followUps.push({ ...found, accessKeyId });
    }
    return { followUps };
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return { followUps: [] };
    return { error: describeError(toAwsCallError('scheduler:ListSchedules', error)) };
  }
}

/** The follow-ups a deletion cancels, in a sentence for the question and the report; empty when none. */
export function cancelledSentence(pending: PendingFollowUps | undefined): string {
  if (!pending) return '';
  if ('error' in pending)
    return `Its pending follow-ups could not be listed (${pending.error}): any it has is cancelled with it.`;
  if (pending.followUps.length === 0) return '';
  return `It cancels ${listed(pending.followUps)}.`;
}

/** `2 pending follow-up(s): the deletion of AKIA… due …; the verification of AKIA… due …`. */
function listed(followUps: PendingFollowUp[]): string {
  const each = followUps.map(
    (followUp) =>
      `${followUp.kind === 'scheduled-deletion' ? 'the deletion' : 'the verification'} of ${followUp.accessKeyId}${followUp.at ? ` due ${followUp.at}` : ''}`,
  );
  return `${followUps.length} pending follow-up(s): ${each.join('; ')}`;
}

/** True when the deletion cancelled a deactivated key's deletion: a human must delete the key now. */
export function cancelledADeletion(report: { followUps?: PendingFollowUps }): boolean {
  const pending = report.followUps;
  return Boolean(pending && 'followUps' in pending && pending.followUps.some((f) => f.kind === 'scheduled-deletion'));
}

/**
 * What a deletion that failed (`DELETE_FAILED`) cancelled, in a sentence: of the follow-ups pending
 * before it, those its group no longer holds (every one, when the group could not be listed again:
 * then they may be gone). `needsHuman` when a key's deletion is, or may be, among them.
 */
export function cancelledByFailedDeletion(
  before: PendingFollowUps,
  after: PendingFollowUps,
): { sentence: string; needsHuman: boolean } {
  if ('error' in before)
    return {
      sentence: `Its pending follow-ups could not be listed (${before.error}): any it had may be cancelled.`,
      needsHuman: false,
    };
  if (before.followUps.length === 0) return { sentence: '', needsHuman: false };
  if ('error' in after)
    return {
      sentence: `The deletion may have cancelled ${listed(before.followUps)} (they could not be listed again: ${after.error}).`,
      needsHuman: cancelledADeletion({ followUps: before }),
    };
  const left = new Set(after.followUps.map((followUp) => followUp.name));
  const gone = before.followUps.filter((followUp) => !left.has(followUp.name));
  if (gone.length === 0) return { sentence: 'Its pending follow-ups are still scheduled.', needsHuman: false };
  return {
    sentence: `Before failing, the deletion cancelled ${listed(gone)}.`,
    needsHuman: cancelledADeletion({ followUps: { followUps: gone } }),
  };
}
