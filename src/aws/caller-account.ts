import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { toAwsCallError } from './aws-errors.js';
import type { StsApi } from './narrow-clients.js';

/** The account the caller's credentials belong to; the first call of a command, so it also checks them. */
export async function callerAccount(sts: StsApi): Promise<string> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return identity.Account ?? 'unknown';
  } catch (error) {
    throw toAwsCallError('sts:GetCallerIdentity', error);
  }
}
