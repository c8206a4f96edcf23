import {
  DeleteAccessKeyCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { isAwsError, mayHaveTakenEffect, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { shellCommand } from '../../common/shell-words.js';
import { ContainmentError, describeError } from '../../errors.js';
import { manualContainSteps } from '../human-steps.js';
import { containedTag } from './evidence.js';
import { listedStatus, resolveOwner, sameUser } from './owner.js';
import { REVOKE_SESSIONS_POLICY_NAME, revokeSessionsPolicy } from './revoke-sessions-policy.js';

/**
 * What making the key unusable did: `changed` when this call made it so, `gone` when IAM no longer
 * had it although the owner was just resolved (an earlier attempt whose answer was lost, or someone
 * else: either way it is unusable now), `already` when it was already inactive.
 */
export type DisableResult = 'changed' | 'gone' | 'already';

/**
 * What a failed call left of the key: still active when IAM refused it; otherwise (no answer, a
 * fault of IAM's, a call cut off at its deadline) the call may have been carried out, and only
 * listing the key shows which.
 */
function failure(accessKeyId: string, userName: string, operation: string, error: unknown): never {
  const state = mayHaveTakenEffect(error)
    ? `the key may still be active (IAM did not answer that it refused; check its status: ${shellCommand`aws iam list-access-keys --user-name ${userName}`})`
    : 'the key is still active';
  throw new ContainmentError(
    accessKeyId,
    `Could not contain ${accessKeyId} of ${userName}; ${state}: ${describeError(toAwsCallError(operation, error))}`,
    { cause: error, hint: manualContainSteps(accessKeyId, userName)[0] },
  );
}

/**
 * What IAM's "no such key" for `userName` means: `gone` only when IAM no longer knows the key at
 * all. IAM answers so too when the user holding the key is no longer called `userName` (renamed,
 * by someone with the leaked key perhaps, between the owner's check and the call): the key is then
 * still usable, and saying "deleted" would be a lie.
 *
 * @throws ContainmentError when IAM still knows the key, or cannot say.
 */
async function goneOrStillHeld(
  iam: IamClient,
  accessKeyId: string,
  userName: string,
  answered: { operation: string; error?: unknown },
): Promise<'gone'> {
  const owner = await resolveOwner(iam, accessKeyId, userName);
  if (owner.kind === 'unknown') return 'gone';
  // The same user still named (IAM is eventually consistent, just after a deletion whose first
  // answer was lost): gone once that user's keys no longer list it.
  const stillTheUser = owner.kind === 'user' && sameUser(userName, owner);
  if (stillTheUser)
    try {
      if ((await listedStatus(iam, userName, accessKeyId)) === null) return 'gone';
    } catch (error) {
      // No user of that name any more, while IAM still names it: renamed, or not yet consistent; not shown gone.
      if (!isAwsError(error, 'NoSuchEntity')) return failure(accessKeyId, userName, 'iam:ListAccessKeys', error);
    }
  const holder = owner.kind === 'user' ? owner.userName : 'the root user';
  const said = `${answered.operation}${answered.error ? `: ${describeError(toAwsCallError(answered.operation, answered.error))}` : ''}`;
  throw new ContainmentError(
    accessKeyId,
    stillTheUser
      ? `Could not contain ${accessKeyId}: IAM says ${userName} holds no such key (${said}), yet still names ${holder} its holder. It may still be active.`
      : `Could not contain ${accessKeyId}: IAM says ${userName} holds no such key (${said}), yet it still knows the key, held by ${holder} (the user renamed while it was contained?). It may still be active.`,
    { cause: answered.error, hint: manualContainSteps(accessKeyId, owner.kind === 'user' ? owner.userName : null)[0] },
  );
}

/**
 * Deletes or deactivates the key of `userName`, whose ownership was just checked.
 *
 * @throws ContainmentError when IAM refuses (the key is still active), or the call fails otherwise
 * (it may still be active).
 */
export async function disableKey(
  iam: IamClient,
  accessKeyId: string,
  userName: string,
  mode: 'delete' | 'deactivate',
): Promise<DisableResult> {
  try {
    if (mode === 'delete') {
      // UserName is always passed: without it IAM would act on the caller's own keys.
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
      return 'changed';
    }
    const status = await listedStatus(iam, userName, accessKeyId);
    if (status === null) return await goneOrStillHeld(iam, accessKeyId, userName, { operation: 'iam:ListAccessKeys' });
    if (status === 'Inactive') return 'already';
    await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    return 'changed';
  } catch (error) {
    if (error instanceof ContainmentError) throw error;
    const operation = mode === 'delete' ? 'iam:DeleteAccessKey' : 'iam:UpdateAccessKey';
    if (isAwsError(error, 'NoSuchEntity')) return goneOrStillHeld(iam, accessKeyId, userName, { operation, error });
    return failure(accessKeyId, userName, operation, error);
  }
}

/** Denies the sessions the owner's keys minted before `cutoff`; a failure is reported, not thrown. */
export async function revokeSessions(
  iam: IamClient,
  userName: string,
  cutoff: Date,
): Promise<{ done: true; detail: string } | { done: false; detail: string }> {
  try {
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: REVOKE_SESSIONS_POLICY_NAME,
        PolicyDocument: revokeSessionsPolicy(cutoff),
      }),
    );
    return {
      done: true,
      detail: `denied sessions issued before ${cutoff.toISOString()} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`,
    };
  } catch (error) {
    return {
      done: false,
      detail: `could not revoke sessions: ${describeError(toAwsCallError('iam:PutUserPolicy', error))}`,
    };
  }
}

/**
 * Leaves on the user a record of what exposed-keys did to the key, so that a later signal about the
 * same key can show it was contained (the key itself may be gone). A failure is a warning. `what`
 * is a record of record-text.ts, which keeps to the characters IAM takes in a tag's value.
 */
export async function recordContainment(
  iam: IamClient,
  userName: string,
  accessKeyId: string,
  what: string,
): Promise<string | null> {
  try {
    await iam.send(new TagUserCommand({ UserName: userName, Tags: [{ Key: containedTag(accessKeyId), Value: what }] }));
    return null;
  } catch (error) {
    return `Could not record the containment on ${userName} (tag ${containedTag(accessKeyId)}): ${describeError(toAwsCallError('iam:TagUser', error))}`;
  }
}
