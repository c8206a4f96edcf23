import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { ContainmentError, describeError } from '../../errors.js';
import { listedStatus, resolveOwner } from '../containment/owner.js';

/**
 * A key as IAM shows it now: usable, inactive, gone, or not known: IAM could not be asked, or the
 * key is the root user's (`rootUser`), whose status no IAM call shows.
 */
export type KeyNow =
  | { status: 'active' | 'inactive'; userName: string }
  | { status: 'gone' }
  | { status: 'unknown'; error: string; rootUser?: true };

/** What is said of a root user's key: IAM names its owner, and nothing more. */
const ROOT_KEY_NOW: KeyNow = {
  status: 'unknown',
  error: "a key of the root user: no IAM call shows whether it is active (the root user's Security credentials do)",
  rootUser: true,
};

/**
 * What IAM says of a key now, read only: for a signal that joins an incident, whose response
 * another execution ran. The owner is told as containment tells it (a root spelling no IAM user
 * holding the key answers to is the root user). A failure is reported, never thrown: the
 * follow-up still goes out.
 */
export async function keyNow(iam: IamClient, accessKeyId: string): Promise<KeyNow> {
  try {
    const owner = await resolveOwner(iam, accessKeyId, null);
    if (owner.kind === 'unknown') return { status: 'gone' };
    if (owner.kind === 'root') return ROOT_KEY_NOW;
    const status = await listedStatus(iam, owner.userName, accessKeyId);
    if (status === null) return { status: 'gone' };
    return { status: status === 'Inactive' ? 'inactive' : 'active', userName: owner.userName };
  } catch (thrown) {
    // resolveOwner says "nothing was changed", as containment must: here, IAM's own failure is what counts.
    const error = thrown instanceof ContainmentError ? thrown.cause : thrown;
    if (isAwsError(error, 'NoSuchEntity')) return { status: 'gone' };
    return { status: 'unknown', error: describeError(toAwsCallError('iam:GetAccessKeyLastUsed', error)) };
  }
}
