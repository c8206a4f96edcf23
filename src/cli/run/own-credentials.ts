import type { AwsClients } from '../../aws/clients.js';
import { InvalidInputError } from '../../errors.js';
import type { ContainmentMode } from '../../steps/contain.js';
import { resolveOwner } from '../../steps/containment/owner.js';

/** Why a response signed with the very key it contains is refused, and what to do instead. */
function signedWithTheKey(accessKeyId: string, mode: ContainmentMode): InvalidInputError {
  const made = mode === 'delete' ? 'deleted' : 'inactive';
  return new InvalidInputError(
    '--key',
    `The CLI is signed in with ${accessKeyId}, the very key to contain: once it is ${made}, this run could not revoke its sessions, investigate or notify. Nothing was changed.`,
    {
      hint: `Run it with other credentials (--profile or AWS_PROFILE: another user's key, or a role). With none at hand, make the key inactive first: aws iam update-access-key --access-key-id ${accessKeyId} --status Inactive; then respond with other credentials.`,
    },
  );
}

/** Why a response signed with a session of the key's own user is refused while it revokes that user's sessions. */
function signedAsTheOwner(accessKeyId: string, userName: string, sessionKey: string): InvalidInputError {
  return new InvalidInputError(
    '--key',
    `The CLI is signed in with ${sessionKey}, a session of ${userName}, the owner of ${accessKeyId}: revoking ${userName}'s sessions would deny this run's own, before it investigates and notifies. Nothing was changed.`,
    {
      hint: `Run it with other credentials (--profile: another user's, or a role), or with --no-revoke-sessions, then deny ${userName}'s earlier sessions by hand (an inline policy denying "*" when aws:TokenIssueTime is before now).`,
    },
  );
}

/** The IAM user a session of the caller's belongs to (from STS's ARN), or null: a role's session, or STS not answering. */
async function sessionUser(clients: AwsClients): Promise<string | null> {
  try {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const arn = (await (await clients.sts()).send(new GetCallerIdentityCommand({}))).Arn ?? '';
    return /^arn:[\w-]+:iam::\d{12}:user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn)?.[1] ?? null;
  } catch {
    // Containment must not wait on STS: a failure here is told by the run itself.
    return null;
  }
}

/** The IAM user that owns the key, or null when IAM does not say (the run then says why). */
async function keyOwner(clients: AwsClients, accessKeyId: string): Promise<string | null> {
  try {
    const owner = await resolveOwner(await clients.iam(), accessKeyId, null);
    return owner.kind === 'user' ? owner.userName : null;
  } catch {
    return null;
  }
}

/**
 * Refuses, before anything changes, a response whose own credentials the response would cut off:
 * the key it would contain itself (the first change ends the run), or a session of the key's owner
 * while it revokes that user's sessions (a session from `aws sts get-session-token`, where MFA is
 * required). `notify-only` changes nothing; a dry run is warned that the response would be refused.
 *
 * @throws InvalidInputError when the response would cut off its own credentials.
 */
export async function refuseSigningWithTheKey(
  clients: AwsClients,
  request: { accessKeyId: string; mode: ContainmentMode; dryRun: boolean; revokeSessions: boolean },
  warn: (text: string) => void,
): Promise<void> {
  if (request.mode === 'notify-only') return;
  const signing = await clients.signingKeyId();
  let refusal: InvalidInputError | undefined;
  if (signing === request.accessKeyId) refusal = signedWithTheKey(request.accessKeyId, request.mode);
  else if (signing?.startsWith('ASIA') && request.revokeSessions) {
    const user = await sessionUser(clients);
    const owner = user === null ? null : await keyOwner(clients, request.accessKeyId);
    if (user !== null && owner !== null && user.toLowerCase() === owner.toLowerCase())
      refusal = signedAsTheOwner(request.accessKeyId, owner, signing);
  }
  if (!refusal) return;
  if (!request.dryRun) throw refusal;
  warn(
    `${refusal.message.replace(/ Nothing was changed\.$/, '')} Without --dry-run, respond would refuse. ${refusal.hint}`,
  );
}
