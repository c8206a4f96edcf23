import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient, SchedulerApi } from '../../aws/narrow-clients.js';
import { shellCommand } from '../../common/shell-words.js';
import { ContainmentError, describeError, InvalidInputError, KeyGoneError } from '../../errors.js';
import { recordContainment } from '../containment/actions.js';
import { containedRecord, containedTag } from '../containment/evidence.js';
import { listedStatus, resolveOwner } from '../containment/owner.js';
import { isReleaseRecord, recordTime, releaseRecord, usableSince } from '../containment/record-text.js';
import type { ReleaseResult } from './follow-up-result.js';
import { cancelFollowUp, findFollowUp, type ScheduledFollowUp, scheduleName } from './schedules.js';

/** What a release needs: IAM, and the stack's schedule group when there is one. */
export interface ReleaseDeps {
  iam: IamClient;
  scheduler?: SchedulerApi;
  /** The stack's schedule group; null when there is no stack (then only the tag is evidence). */
  groupName?: string | null;
  now?: () => Date;
}

/** What a release would act on, found without changing anything. */
export interface ReleasePlan {
  accessKeyId: string;
  userName: string;
  status: 'Active' | 'Inactive';
  /** What shows exposed-keys contained the key, each in a sentence. */
  evidence: string[];
  /** The follow-ups scheduled for the key. */
  schedules: ScheduledFollowUp[];
  /** When exposed-keys contained the key, as its record on the user says; null when it does not. */
  containedAt: string | null;
  warnings: string[];
}

/** Thrown when `release` is asked to act on a key that nothing shows exposed-keys contained. */
function notContainedHere(accessKeyId: string, why: string): InvalidInputError {
  return new InvalidInputError('--key', `Nothing to release: ${why}. exposed-keys releases only keys it contained.`, {
    hint: `Check the key id and the account. A key contained by hand is made active again with aws iam update-access-key --access-key-id ${accessKeyId} --status Active --user-name <owner>.`,
  });
}

/**
 * Finds what a release would act on: the key's owner and status (IAM), and the evidence that
 * exposed-keys contained it: the tag it leaves on the user, and the schedules it made. Changes
 * nothing.
 *
 * @throws InvalidInputError when IAM does not know the key, the user given is not its owner, or
 * nothing shows exposed-keys contained it.
 */
export async function planRelease(
  deps: ReleaseDeps,
  request: { accessKeyId: string; userName?: string },
): Promise<ReleasePlan> {
  const { accessKeyId } = request;
  let owner: Awaited<ReturnType<typeof resolveOwner>>;
  try {
    owner = await resolveOwner(deps.iam, accessKeyId, request.userName ?? null);
  } catch (error) {
    // resolveOwner speaks for containment ("contain it by hand"): a release that cannot ask IAM changed nothing.
    throw toAwsCallError('iam:GetAccessKeyLastUsed', error instanceof ContainmentError ? error.cause : error);
  }
  if (owner.kind !== 'user')
    throw notContainedHere(accessKeyId, `IAM does not know ${accessKeyId} as an IAM user's key`);
  if (request.userName !== undefined && request.userName.toLowerCase() !== owner.userName.toLowerCase())
    throw new InvalidInputError('--user', `${accessKeyId} belongs to ${owner.userName}, not ${request.userName}.`, {
      hint: 'Leave out --user: exposed-keys finds the owner of the key itself.',
    });
  const { userName } = owner;
  const warnings: string[] = [];
  let record: string | null;
  let status: string | null;
  try {
    record = await containedRecord(deps.iam, userName, accessKeyId);
  } catch (error) {
    throw toAwsCallError('iam:ListUserTags', error);
  }
  try {
    status = await listedStatus(deps.iam, userName, accessKeyId);
  } catch (error) {
    throw toAwsCallError('iam:ListAccessKeys', error);
  }
  if (status === null) throw notContainedHere(accessKeyId, `${userName} has no key ${accessKeyId} any more`);
  // A record of a release is no evidence of containment: a key inactive since was made so by someone else.
  const released = record !== null && usableSince(record);
  const evidence = record === null || released ? [] : [`tag ${containedTag(accessKeyId)} on ${userName}: "${record}"`];
  const schedules: ScheduledFollowUp[] = [];
  if (deps.scheduler && deps.groupName)
    for (const kind of ['scheduled-deletion', 'verification'] as const)
      try {
        const found = await findFollowUp(deps.scheduler, deps.groupName, kind, accessKeyId);
        if (found) {
          schedules.push(found);
          evidence.push(`schedule ${found.name} in group ${deps.groupName}${found.at ? `, due ${found.at}` : ''}`);
        }
      } catch (error) {
        warnings.push(`Could not read the ${kind} schedule: ${describeError(error)}`);
      }
  else warnings.push("No stack's schedule group was found: only the tag on the user was looked for.");
  if (evidence.length === 0)
    throw notContainedHere(
      accessKeyId,
      released
        ? `its record on ${userName} says it was released already ("${record}")${status === 'Active' ? '' : `, and it was made inactive outside exposed-keys since`}`
        : `neither the tag ${containedTag(accessKeyId)} on ${userName} nor a schedule names ${accessKeyId}`,
    );
  return {
    accessKeyId,
    userName,
    status: status === 'Active' ? 'Active' : 'Inactive',
    evidence,
    schedules,
    // A release's record (one left inactive) replaced the containment's, and its time is the release's.
    containedAt: record === null || isReleaseRecord(record) ? null : recordTime(record),
    warnings,
  };
}

/**
 * The key's status as IAM lists it for the user now; null when IAM lists it no more (the user
 * gone too).
 *
 * @throws the SDK's error when IAM does not answer.
 */
async function statusNow(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  try {
    return await listedStatus(iam, userName, accessKeyId);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

/**
 * Releases a key exposed-keys contained: with `reactivate` (a false alarm), makes the key active
 * again first, so that a refusal there changes nothing; then leaves a record of the release on the
 * user, which a scheduled deletion reads before acting (so that one started meanwhile leaves the
 * key alone); then removes its scheduled deletion (and, reactivated, its verification). Each
 * schedule is removed by name, whether or not the plan could read it: one the plan could not see
 * must still go. The key's status is then read from IAM again: a deletion the plan saw may have
 * run while the release was asked.
 *
 * @throws KeyGoneError when IAM no longer lists the key: its scheduled deletion ran first.
 * @throws AwsCallError when IAM or Scheduler refuses, its message saying what was already done; or
 * when the record could not be left and no stack's schedule group was found, since nothing then
 * stops a deletion scheduled for the key.
 */
export async function releaseKey(
  deps: ReleaseDeps,
  plan: ReleasePlan,
  options: { reactivate: boolean },
): Promise<ReleaseResult> {
  const now = (deps.now ?? (() => new Date()))();
  const { accessKeyId, userName } = plan;
  const done: string[] = [];
  const alreadyDone = () => (done.length > 0 ? ` Already done: ${done.join('; ')}.` : ' Nothing was changed.');
  const failure = (operation: string, error: unknown) => {
    const failed = toAwsCallError(operation, error);
    failed.message += alreadyDone();
    return failed;
  };
  // A one-time schedule removes itself once it has started its execution: gone since the plan, it ran.
  let deletionRan = false;
  const gone = () =>
    new KeyGoneError(
      accessKeyId,
      `${accessKeyId} of ${userName} is gone: ${deletionRan ? 'its scheduled deletion ran before the release could cancel it' : 'IAM no longer lists it (deleted since the release was asked)'}, so it was not released.${alreadyDone()}`,
      {
        hint: `If something still needs a key of ${userName}, give it a new one: ${shellCommand`aws iam create-access-key --user-name ${userName}`}`,
      },
    );
  if (options.reactivate)
    try {
      await deps.iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Active' }),
      );
      done.push(`${accessKeyId} made ACTIVE again`);
    } catch (error) {
      if (
        isAwsError(error, 'NoSuchEntity') &&
        (await statusNow(deps.iam, userName, accessKeyId).catch(() => '')) === null
      )
        throw gone();
      throw failure('iam:UpdateAccessKey', error);
    }
  const scheduled = Boolean(deps.scheduler && deps.groupName);
  const what = releaseRecord(now, { reactivated: options.reactivate, active: plan.status === 'Active' });
  const warning = await recordContainment(deps.iam, userName, accessKeyId, what);
  if (warning && !scheduled)
    throw failure(
      'iam:TagUser',
      new Error(
        `The release could not be recorded on ${userName} (${warning}), and no stack's schedule group was found: a deletion scheduled for ${accessKeyId} would still delete it.`,
      ),
    );
  if (!warning) done.push(`the release recorded on ${userName}`);
  const cancelled: string[] = [];
  const kinds = options.reactivate
    ? (['scheduled-deletion', 'verification'] as const)
    : (['scheduled-deletion'] as const);
  if (deps.scheduler && deps.groupName)
    for (const kind of kinds)
      try {
        if (await cancelFollowUp(deps.scheduler, deps.groupName, kind, accessKeyId)) {
          cancelled.push(scheduleName(kind, accessKeyId));
          done.push(`schedule ${scheduleName(kind, accessKeyId)} removed`);
        } else if (kind === 'scheduled-deletion' && plan.schedules.some((schedule) => schedule.kind === kind))
          deletionRan = true;
      } catch (error) {
        throw failure('scheduler:DeleteSchedule', error);
      }
  const warnings = [...plan.warnings, ...(warning ? [warning] : [])];
  let status: string | null;
  try {
    status = await statusNow(deps.iam, userName, accessKeyId);
  } catch (error) {
    // Whether the deletion that ran found the key released is IAM's to say: not known, not released.
    if (deletionRan) throw failure('iam:ListAccessKeys', error);
    warnings.push(
      `Could not read the status of ${accessKeyId} again, so it is given as found before the release: ${describeError(toAwsCallError('iam:ListAccessKeys', error))}`,
    );
    status = options.reactivate ? 'Active' : plan.status;
  }
  if (status === null) throw gone();
  return {
    kind: 'release',
    accessKeyId,
    userName,
    evidence: plan.evidence,
    cancelled,
    reactivated: options.reactivate,
    status: status === 'Active' ? 'Active' : 'Inactive',
    warnings,
  };
}
