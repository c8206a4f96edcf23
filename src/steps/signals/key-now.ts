import { GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import { listedStatus } from '../containment/owner.js';

/** A key as IAM shows it now: usable, inactive, gone, or not known because IAM could not be asked. */
export type KeyNow =
  | { status: 'active' | 'inactive'; userName: string }
  | { status: 'gone' }
  | { status: 'unknown'; error: string };

/**
 * What IAM says of a key now, read only: for a signal that joins an incident, whose response
 * another execution ran. A failure is reported, never thrown: the follow-up still goes out.
 */
export async function keyNow(iam: IamClient, accessKeyId: string): Promise<KeyNow> {
  try {
    const owner = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }))).UserName;
    if (!owner) return { status: 'gone' };
    const status = await listedStatus(iam, owner, accessKeyId);
    if (status === null) return { status: 'gone' };
    return { status: status === 'Inactive' ? 'inactive' : 'active', userName: owner };
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return { status: 'gone' };
    return { status: 'unknown', error: describeError(toAwsCallError('iam:GetAccessKeyLastUsed', error)) };
  }
}
