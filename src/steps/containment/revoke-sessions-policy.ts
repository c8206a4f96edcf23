/* A module of its own, without the IAM calls: the inventory names the policy without loading them. */

/** The name of the inline policy that revokes the owner's earlier sessions. */
export const REVOKE_SESSIONS_POLICY_NAME = 'exposed-keys-revoke-sessions';

/** The inline policy that denies every request made with temporary credentials issued before `cutoff`. */
export function revokeSessionsPolicy(cutoff: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ExposedKeysRevokeOlderSessions',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } },
      },
    ],
  });
}
