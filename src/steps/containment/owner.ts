import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { ContainmentError, describeError } from '../../errors.js';
import { isRootUserName } from '../../incident/user-name.js';
import { manualContainSteps } from '../human-steps.js';

/** Who owns a key, as IAM says: an IAM user, the root user, or nobody in this account. */
export type KeyOwner =
  /** `lastUsed`: when IAM says the key was last used; null when never. */
  { kind: 'user'; userName: string; lastUsed: Date | null } | { kind: 'root'; said: string } | { kind: 'unknown' };

/** The key's status as IAM lists it for `userName`, or null when that user has no such key. */
export async function listedStatus(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker }));
    const key = page.AccessKeyMetadata?.find((metadata) => metadata.AccessKeyId === accessKeyId);
    if (key) return key.Status ?? 'Active';
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return null;
}

/**
 * True when an IAM user of that name holds the key. IAM names the root user in words an IAM user
 * may also be called by ("root"): only IAM's list of the user's keys tells them apart, never the
 * spelling alone.
 */
async function iamUserHolds(iam: IamClient, userName: string, accessKeyId: string): Promise<boolean> {
  if (!/^[\w+=,.@-]{1,64}$/.test(userName)) return false;
  try {
    return (await listedStatus(iam, userName, accessKeyId)) !== null;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return false;
    throw error;
  }
}

/**
 * Who owns the key, as IAM answers (`GetAccessKeyLastUsed`): an IAM user, the root user (a root
 * spelling that no IAM user holding the key answers to), or nobody this account knows.
 *
 * @throws ContainmentError when IAM does not answer: nothing was changed.
 */
export async function resolveOwner(iam: IamClient, accessKeyId: string, eventUser: string | null): Promise<KeyOwner> {
  try {
    const answer = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    const name = answer.UserName;
    if (!name) return { kind: 'unknown' };
    if (isRootUserName(name) && !(await iamUserHolds(iam, name, accessKeyId))) return { kind: 'root', said: name };
    return { kind: 'user', userName: name, lastUsed: answer.AccessKeyLastUsed?.LastUsedDate ?? null };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return { kind: 'unknown' };
    throw new ContainmentError(
      accessKeyId,
      `Could not find the owner of ${accessKeyId}, so nothing was changed: ${describeError(toAwsCallError('iam:GetAccessKeyLastUsed', error))}`,
      { cause: error, hint: manualContainSteps(accessKeyId, eventUser)[0] },
    );
  }
}

/** True when the user the event names is the owner IAM gave: IAM user names do not depend on case. */
export function sameUser(eventUser: string, owner: KeyOwner): boolean {
  if (owner.kind === 'root') return isRootUserName(eventUser);
  return owner.kind === 'user' && eventUser.toLowerCase() === owner.userName.toLowerCase();
}
