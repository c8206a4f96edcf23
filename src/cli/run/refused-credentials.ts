import { GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import { isCredentialsFailure, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { CredentialsError, describeError } from '../../errors.js';

/**
 * IAM refusing the caller's credentials (expired, missing, not accepted): nothing can be contained,
 * investigated or notified with them, so a response stops before anything, saying so, rather than
 * go on to a message no one receives.
 */
export function refusedCredentials(operation: string, error: unknown): CredentialsError {
  return new CredentialsError(
    `${describeError(toAwsCallError(operation, error))}. The key was NOT contained: nothing was changed, and nobody was notified.`,
    { cause: error },
  );
}

/**
 * Asks IAM about the key to contain, as `respond` does before its plan, so that a run on this
 * machine whose credentials IAM refuses stops before anything. Any other failure is left to the
 * run, which reports the key not contained.
 *
 * @throws CredentialsError when IAM refuses the caller's credentials: nothing was changed.
 */
export async function refuseWithoutIamCredentials(iam: IamClient, accessKeyId: string): Promise<void> {
  try {
    await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
  } catch (error) {
    if (isCredentialsFailure(error)) throw refusedCredentials('iam:GetAccessKeyLastUsed', error);
  }
}
