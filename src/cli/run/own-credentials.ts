import type { AwsClients } from '../../aws/clients.js';
import { InvalidInputError } from '../../errors.js';
import type { ContainmentMode } from '../../steps/contain.js';

/** Why a response signed with the very key it contains is refused, and what to do instead. */
function signedWithTheKey(accessKeyId: string, mode: ContainmentMode): InvalidInputError {
  const made = mode === 'delete' ? 'deleted' : 'inactive';
  return new InvalidInputError(
    '--key',
    `The CLI is signed in with ${accessKeyId}, the very key to contain: once it is ${made}, this run could not revoke its sessions, investigate or notify. Nothing was changed.`,
    {
      hint: `Run respond with other credentials (--profile or AWS_PROFILE: another user's key, or a role). With none at hand, make the key inactive first: aws iam update-access-key --access-key-id ${accessKeyId} --status Inactive; then respond with other credentials.`,
    },
  );
}

/**
 * Refuses, before anything changes, a response whose own credentials are the key it would
 * contain: the first change would cut the run off from everything after it. `notify-only`
 * changes no key; a dry run is warned that the response itself would be refused.
 *
 * @throws InvalidInputError when the clients sign with `accessKeyId` and the run would contain it.
 */
export async function refuseSigningWithTheKey(
  clients: AwsClients,
  request: { accessKeyId: string; mode: ContainmentMode; dryRun: boolean },
  warn: (text: string) => void,
): Promise<void> {
  if (request.mode === 'notify-only' || (await clients.signingKeyId()) !== request.accessKeyId) return;
  const refusal = signedWithTheKey(request.accessKeyId, request.mode);
  if (!request.dryRun) throw refusal;
  warn(
    `The CLI is signed in with ${request.accessKeyId}, the key named: without --dry-run, respond would refuse. ${refusal.hint}`,
  );
}
