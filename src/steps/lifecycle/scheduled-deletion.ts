import { DeleteAccessKeyCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { shellCommand } from '../../common/shell-words.js';
import { ContainmentError, describeError } from '../../errors.js';
import { recordContainment } from '../containment/actions.js';
import { containedRecord } from '../containment/evidence.js';
import { listedStatus, resolveOwner } from '../containment/owner.js';
import { containmentRecord, deletionDueIn, isReleaseRecord } from '../containment/record-text.js';
import type { FollowUpRequest } from './follow-up.js';
import type { ScheduledDeletionResult } from './follow-up-result.js';

/** What {@link deleteAsScheduled} needs. */
export interface ScheduledDeletionDeps {
  iam: IamClient;
  now?: () => Date;
}

/*
 * How early a deletion may run before the time its record names. Scheduler starts a one-time
 * schedule anywhere within the minute of its `at(…)` time, which drops the milliseconds; and two
 * containments of the key at once write the record and the schedule in separate calls, so the
 * record left may name a deletion a moment after the schedule left. A minute covers both, and cuts
 * the release window no shorter than Scheduler itself may.
 */
const SCHEDULER_PRECISION_MS = 60_000;

function refused(
  request: FollowUpRequest,
  summary: string,
  humanSteps: string[],
  keyStatus?: 'Active' | 'Inactive',
): ScheduledDeletionResult {
  return {
    kind: 'scheduled-deletion',
    accessKeyId: request.accessKeyId,
    userName: request.userName,
    outcome: 'refused',
    summary,
    humanSteps,
    warnings: [],
    ...(keyStatus ? { keyStatus } : {}),
  };
}

/** How IAM lists the key for `userName`, for a deletion it refused; undefined when IAM does not say. */
async function statusFor(
  iam: IamClient,
  userName: string,
  accessKeyId: string,
): Promise<'Active' | 'Inactive' | undefined> {
  try {
    const status = await listedStatus(iam, userName, accessKeyId);
    if (status === null) return undefined;
    return status === 'Active' ? 'Active' : 'Inactive';
  } catch {
    return undefined;
  }
}

function alreadyGone(request: FollowUpRequest, summary: string): ScheduledDeletionResult {
  return { ...refused(request, summary, []), outcome: 'already-deleted' };
}

/** True when IAM knows the key no more; false when it still does, or cannot say. */
async function goneFromIam(iam: IamClient, accessKeyId: string): Promise<boolean> {
  try {
    return (await resolveOwner(iam, accessKeyId, null)).kind === 'unknown';
  } catch {
    return false;
  }
}

/**
 * Deletes a key that deactivate-then-delete left inactive, when its schedule comes. The schedule's
 * word is not enough: the key is deleted only when IAM says it still belongs to the user named, is
 * still inactive, and carries exposed-keys' record of its containment. A key made active again
 * since (by hand, not with `exposed-keys release`) is left alone, and a human is asked to decide.
 * So is a key whose record names a deletion not yet due, or whose request names no time of deletion.
 *
 * @throws ContainmentError when IAM fails: the key is still there, inactive.
 */
export async function deleteAsScheduled(
  deps: ScheduledDeletionDeps,
  request: FollowUpRequest,
): Promise<ScheduledDeletionResult> {
  const { accessKeyId, userName } = request;
  const now = (deps.now ?? (() => new Date()))();
  const deleteByHand = shellCommand`aws iam delete-access-key --user-name ${userName} --access-key-id ${accessKeyId}`;
  // Every schedule's request names its time: one without (an execution started by hand) must not cut the release window short.
  if (request.deleteAt === null)
    return refused(
      request,
      `The request to delete ${accessKeyId} of ${userName} names no time of deletion (detail.deleteAt), so it is none of exposed-keys' schedules; it was not deleted.`,
      [`Decide whether ${accessKeyId} must go before its scheduled deletion; if so: ${deleteByHand}`],
      await statusFor(deps.iam, userName, accessKeyId),
    );
  // What the key was known to be when IAM failed: checked and found inactive, or not yet checked.
  let checked = false;
  try {
    const owner = await resolveOwner(deps.iam, accessKeyId, userName);
    const record = await containedRecord(deps.iam, userName, accessKeyId);
    // A key IAM does not know cannot be used, whoever removed it: with its user, perhaps, which
    // took exposed-keys' record along. Key ids are never given again.
    if (owner.kind === 'unknown')
      return alreadyGone(
        request,
        record
          ? `${accessKeyId} was already gone: nothing left to delete.`
          : `IAM no longer knows ${accessKeyId} (deleted outside this schedule, perhaps with its user ${userName}): it cannot be used, and there is nothing left to delete.`,
      );
    // A refused deletion says how IAM lists the key: an inactive one is still contained.
    if (owner.kind !== 'user' || owner.userName.toLowerCase() !== userName.toLowerCase())
      return refused(
        request,
        `${accessKeyId} does not belong to ${userName}; nothing was deleted.`,
        [`Find out who owns ${accessKeyId} now: aws iam get-access-key-last-used --access-key-id ${accessKeyId}`],
        owner.kind === 'user' ? await statusFor(deps.iam, owner.userName, accessKeyId) : undefined,
      );
    if (!record)
      return refused(
        request,
        `Nothing shows exposed-keys contained ${accessKeyId}; it was not deleted.`,
        [`Decide whether ${accessKeyId} must go; if so: ${deleteByHand}`],
        await statusFor(deps.iam, owner.userName, accessKeyId),
      );
    // A release whose schedule removal was lost must still win over the schedule.
    if (isReleaseRecord(record))
      return refused(
        request,
        `${accessKeyId} was released (${record}); it was not deleted.`,
        [`Delete it by hand once nothing needs it: ${deleteByHand}`],
        await statusFor(deps.iam, owner.userName, accessKeyId),
      );
    // The record decides, not the schedule: one left by an earlier containment must not act on a later one's decision (`--mode deactivate` keeps the key, another moves the deletion later).
    const due = deletionDueIn(record);
    if (due === null || Date.parse(due) > now.getTime() + SCHEDULER_PRECISION_MS)
      return refused(
        request,
        `The latest containment of ${accessKeyId} (${record}) ${due === null ? 'scheduled no deletion' : `scheduled its deletion for ${due}, not now`}; it was not deleted.`,
        [`Decide whether ${accessKeyId} must go; if so: ${deleteByHand}`],
        await statusFor(deps.iam, owner.userName, accessKeyId),
      );
    const status = await listedStatus(deps.iam, owner.userName, accessKeyId);
    if (status === 'Active')
      return refused(
        request,
        `${accessKeyId} of ${userName} is ACTIVE again (made so outside exposed-keys release), so it was not deleted.`,
        [
          `Find out who reactivated ${accessKeyId} and why (CloudTrail: UpdateAccessKey).`,
          `If it is still exposed, deactivate and delete it: ${deleteByHand}`,
        ],
        'Active',
      );
    checked = true;
    await deps.iam.send(new DeleteAccessKeyCommand({ UserName: owner.userName, AccessKeyId: accessKeyId }));
  } catch (error) {
    // IAM answers so too for a user renamed since it was checked: the key is gone only once IAM does not know it.
    if (isAwsError(error, 'NoSuchEntity') && (await goneFromIam(deps.iam, accessKeyId)))
      return alreadyGone(request, `${accessKeyId} was already gone: nothing left to delete.`);
    throw checked
      ? new ContainmentError(
          accessKeyId,
          `Could not delete ${accessKeyId} of ${userName} as scheduled; it is still there, inactive: ${describeError(toAwsCallError('iam:DeleteAccessKey', error))}`,
          { cause: error, hint: `Delete it by hand: ${deleteByHand}` },
        )
      : new ContainmentError(
          accessKeyId,
          `Could not check ${accessKeyId} of ${userName} before its scheduled deletion, so it was not deleted (whether it is still inactive is not known): ${describeError(error)}`,
          {
            cause: error,
            hint: `Check it is still inactive (${shellCommand`aws iam list-access-keys --user-name ${userName}`}), then delete it by hand: ${deleteByHand}`,
          },
        );
  }
  const warning = await recordContainment(
    deps.iam,
    userName,
    accessKeyId,
    containmentRecord('deleted as scheduled', now),
  );
  return {
    kind: 'scheduled-deletion',
    accessKeyId,
    userName,
    outcome: 'deleted',
    summary: `Deleted ${accessKeyId} of ${userName}, inactive since ${request.containedAt}, as scheduled.`,
    humanSteps: [],
    warnings: warning ? [warning] : [],
  };
}
