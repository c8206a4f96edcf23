import { GetUserPolicyCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import { REVOKE_SESSIONS_POLICY_NAME } from './revoke-sessions-policy.js';

/** The cutoff of exposed-keys' session revocation on the user, or null when the policy is not there. */
async function revocationCutoff(iam: IamClient, userName: string): Promise<Date | null> {
  try {
    const answer = await iam.send(
      new GetUserPolicyCommand({ UserName: userName, PolicyName: REVOKE_SESSIONS_POLICY_NAME }),
    );
    const document = JSON.parse(decodeURIComponent(answer.PolicyDocument ?? '')) as {
      Statement?: { Effect?: string; Condition?: { DateLessThan?: Record<string, string> } }[];
    };
    const cutoffs = (document.Statement ?? [])
      .filter((statement) => statement.Effect === 'Deny')
      .map((statement) => Date.parse(statement.Condition?.DateLessThan?.['aws:TokenIssueTime'] ?? ''))
      .filter((time) => !Number.isNaN(time));
    return cutoffs.length > 0 ? new Date(Math.max(...cutoffs)) : null;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw toAwsCallError('iam:GetUserPolicy', error);
  }
}

/**
 * Whether the sessions the key may have minted are denied: exposed-keys' revocation policy is on
 * the user, its cutoff no earlier than the key's last use as IAM says it (`lastUsed`: null when
 * never, or the key is gone; an unusable key mints nothing after it).
 * Evidence that the key was contained before (a tag anyone allowed `iam:TagUser` can write, a
 * deletion the key made of itself, an earlier containment whose revocation failed) says nothing
 * of its sessions: this is asked of IAM. `unknown` with why, when IAM could not tell.
 */
export async function sessionsDenied(
  iam: IamClient,
  userName: string,
  lastUsed: Date | null,
): Promise<{ denied: boolean } | { unknown: string }> {
  try {
    const cutoff = await revocationCutoff(iam, userName);
    return { denied: cutoff !== null && (lastUsed === null || cutoff >= lastUsed) };
  } catch (error) {
    return { unknown: describeError(error) };
  }
}
