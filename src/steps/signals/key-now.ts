import { GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import { isRootUserName } from '../../incident/user-name.js';
import { listedStatus } from '../containment/owner.js';

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
 * another execution ran. A failure is reported, never thrown: the follow-up still goes out.
 */
export async function keyNow(iam: IamClient, accessKeyId: string): Promise<KeyNow> {
  try {
    const owner = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }))).UserName;
    if (!owner) return { status: 'gone' };
    // `<root_account>` is no IAM user name: only the root user is called so.
    if (isRootUserName(owner) && !/^[\w+=,.@-]{1,64}$/.test(owner)) return ROOT_KEY_NOW;
    let status: Awaited<ReturnType<typeof listedStatus>>;
    try {
      status = await listedStatus(iam, owner, accessKeyId);
    } catch (error) {
      // IAM names the root user as a key's owner; no IAM user of that name holds the key.
      if (isRootUserName(owner) && isAwsError(error, 'NoSuchEntity')) return ROOT_KEY_NOW;
      throw error;
    }
    if (status === null) return isRootUserName(owner) ? ROOT_KEY_NOW : { status: 'gone' };
    return { status: status === 'Inactive' ? 'inactive' : 'active', userName: owner };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return { status: 'gone' };
    return { status: 'unknown', error: describeError(toAwsCallError('iam:GetAccessKeyLastUsed', error)) };
  }
}
