import { callerAccount } from '../aws/caller-account.js';
import type { CloudFormationApi, S3Api, SchedulerApi, StsApi } from '../aws/narrow-clients.js';
import type { IoHost } from '../common/io-host.js';
import { DeploymentError, InterruptedError } from '../errors.js';
import { artifactBucketName } from './artifact-bucket.js';
import { type DestroyResult, destroyStack } from './destroy.js';
import { requireOwnStack } from './own-stack.js';
import {
  cancelledADeletion,
  cancelledByFailedDeletion,
  cancelledSentence,
  type PendingFollowUps,
  pendingFollowUps,
} from './pending-follow-ups.js';
import type { PollOptions, StackEvent } from './progress.js';
import { deployedArtifactBucket, findStack } from './stack-description.js';

/** What a removal tells its host as it goes. */
export type DestroyMessage = { kind: 'step'; text: string } | { kind: 'stack-event'; event: StackEvent };

/** What {@link runDestroy} needs; the S3 client is asked for only when the bucket goes too. */
export interface RunDestroyDeps {
  sts: StsApi;
  cloudFormation: CloudFormationApi;
  s3: () => Promise<S3Api>;
  /** Scheduler, to say which pending follow-ups the deletion cancels; without it, they are not looked for. */
  scheduler?: () => Promise<SchedulerApi>;
  io: IoHost<DestroyMessage>;
  poll?: PollOptions;
}

/** What to remove. */
export interface RunDestroyInput {
  stackName: string;
  region: string;
  /** Also empty and delete the artifact bucket. */
  deleteBucket: boolean;
  /** The artifact bucket, when deploy was given one (default: the account's default bucket). */
  bucket?: string;
}

/**
 * How a removal ended: `aborted` when the host said no, and nothing was deleted; `followUps`, the
 * pending follow-ups the deletion cancelled (or why they could not be listed).
 */
export type DestroyReport =
  | ({ outcome: 'destroyed'; followUps?: PendingFollowUps } & DestroyResult)
  | { outcome: 'aborted'; stackName: string };

/**
 * Removes the stack in one call: checks the credentials, asks the host (naming the account, the
 * region and the bucket), then deletes the stack and, when asked, empties and deletes the artifact
 * bucket, following the stack's events.
 *
 * @throws StackBusyError when the stack is being created or updated.
 * @throws DeploymentError with the resources that could not be deleted, and the follow-ups the
 * deletion cancelled before it failed (exit 4 when a key's deletion is among them).
 */
export async function runDestroy(deps: RunDestroyDeps, input: RunDestroyInput): Promise<DestroyReport> {
  const { io } = deps;
  const account = await callerAccount(deps.sts);
  const stack = await findStack(deps.cloudFormation, input.stackName);
  // Before anything is asked: another's stack, its bucket and its schedules are not named in a question.
  await requireOwnStack(deps.cloudFormation, stack, input.stackName, 'destroy');
  const ownBucket = artifactBucketName(account, input.region);
  // The bucket the stack was deployed from (deploy --bucket), unless another is named.
  const bucket = input.deleteBucket ? (input.bucket ?? deployedArtifactBucket(stack) ?? ownBucket) : undefined;
  // Deleting the stack deletes its schedule group, and every follow-up waiting there: said first.
  const followUps =
    stack && deps.scheduler ? await pendingFollowUps(await deps.scheduler(), input.stackName) : undefined;
  const cancelled = cancelledSentence(followUps);
  // Ctrl-C while the question was being prepared: nothing is asked, nothing deleted.
  if (deps.poll?.signal?.aborted) throw new InterruptedError(`Stopped before anything was deleted.`);
  const what = `stack ${input.stackName} in ${account}/${input.region}${bucket ? ` and bucket ${bucket}` : ''}`;
  if (
    !(await io.confirm({
      question: `Delete the ${what}?${cancelled ? ` ${cancelled}` : ''}`,
      consequence: `deletes the ${what}${cancelled ? ', and cancels its follow-ups' : ''}`,
    }))
  )
    return { outcome: 'aborted', stackName: input.stackName };
  io.notify({ kind: 'step', text: `Deleting ${input.stackName}…` });
  const result = await destroyStack(
    {
      cloudFormation: deps.cloudFormation,
      s3: bucket ? await deps.s3() : undefined,
      poll: deps.poll,
      progress: {
        onStep: (text) => io.notify({ kind: 'step', text }),
        onStackEvent: (event) => io.notify({ kind: 'stack-event', event }),
      },
    },
    {
      stackName: input.stackName,
      artifactBucket: bucket ? { bucket, owner: account } : undefined,
      // With no stack left to tell, results in exposed-keys' own bucket can only be its workgroup's.
      athenaResultsOwn: !stack && bucket === ownBucket,
    },
  ).catch(async (error: unknown) => {
    if (error instanceof DeploymentError && followUps && deps.scheduler)
      throw await failedDeletion(await deps.scheduler(), input.stackName, followUps, error);
    // Stopped following the deletion, which goes on: what it cancels is still said.
    if (!(error instanceof InterruptedError) || !cancelled) throw error;
    // A deactivated key's deletion cancelled: a human must delete the key, as when not stopped (exit 4).
    throw error.saying(cancelled, { needsHuman: followUps !== undefined && cancelledADeletion({ followUps }) });
  });
  return { outcome: 'destroyed', ...result, ...(followUps ? { followUps } : {}) };
}

/**
 * A deletion that ended `DELETE_FAILED`, saying which follow-ups it cancelled before it failed: those
 * no longer in the schedule group, which it may have deleted with them.
 */
async function failedDeletion(
  scheduler: SchedulerApi,
  stackName: string,
  before: PendingFollowUps,
  error: DeploymentError,
): Promise<DeploymentError> {
  const after =
    'followUps' in before && before.followUps.length > 0 ? await pendingFollowUps(scheduler, stackName) : before;
  const { sentence, needsHuman } = cancelledByFailedDeletion(before, after);
  if (!sentence) return error;
  return error.saying(sentence, {
    needsHuman,
    ...(needsHuman
      ? {
          hint: `${error.hint ?? ''} Each key whose deletion was cancelled stays inactive until someone deletes it: aws iam delete-access-key --access-key-id <key> --user-name <its user>.`.trim(),
        }
      : {}),
  });
}
