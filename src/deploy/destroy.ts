import type { CloudFormationApi, S3Api } from '../aws/narrow-clients.js';
import { DeploymentError, describeError, InterruptedError } from '../errors.js';
import type { OwnedBucket } from './artifact-bucket.js';
import { otherStacksDeployingFrom } from './bucket-users.js';
import { type DeletedBucket, deleteArtifactBucket } from './delete-bucket.js';
import { type DeletedStack, deleteStackAndWait } from './delete-stack.js';
import { StackBusyError } from './deploy-errors.js';
import { requireOwnStack } from './own-stack.js';
import type { ProgressDeps } from './progress.js';
import { findStack, parametersOf } from './stack-description.js';
import { stackState } from './stack-status.js';

/** What {@link destroyStack} needs; `s3` only when the artifact bucket is to be deleted too. */
export interface DestroyDeps extends ProgressDeps {
  cloudFormation: CloudFormationApi;
  s3?: S3Api;
}

/** What to remove. */
export interface DestroyInput {
  stackName: string;
  /** Also empty and delete this artifact bucket, which must be the owner's. */
  artifactBucket?: OwnedBucket;
  /** Count `athena-results/` as exposed-keys' even with no stack to say it had the Athena option. */
  athenaResultsOwn?: boolean;
}

/** What was removed. */
export interface DestroyResult {
  stackName: string;
  /** `nothing-to-delete` when there was no such stack. */
  status: 'deleted' | 'nothing-to-delete';
  stackId: string | undefined;
  /** Resources the stack kept on deletion (`DeletionPolicy: Retain`); the template keeps none. */
  retained: DeletedStack['retained'];
  /** What became of the artifact bucket, when it was to be deleted. */
  bucket: DeletedBucket | undefined;
  /** Set when Ctrl-C came once the stack was deleted, before the bucket: the bucket was left. */
  interrupted?: true;
}

/**
 * Deletes the stack and waits until it is gone, following its events; then, when asked, empties and
 * deletes the artifact bucket. The template's log groups are stack resources deleted with it, so
 * nothing is left behind; a resource the stack kept anyway is listed in `retained`.
 *
 * @throws StackBusyError when the stack is being created or updated.
 * @throws DeploymentError with the resources that could not be deleted (the bucket then kept).
 */
export async function destroyStack(deps: DestroyDeps, input: DestroyInput): Promise<DestroyResult> {
  const { stackName } = input;
  const stack = await findStack(deps.cloudFormation, stackName);
  await requireOwnStack(deps.cloudFormation, stack, stackName, 'destroy');
  const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
  if (stackState(status) === 'in-progress' && !['REVIEW_IN_PROGRESS', 'DELETE_IN_PROGRESS'].includes(status))
    throw new StackBusyError(stackName, status);
  // Ctrl-C right after the yes: nothing is deleted.
  if (deps.poll?.signal?.aborted) throw new InterruptedError('Stopped before anything was deleted.');
  let deleted: DeletedStack | undefined;
  if (stack && status !== 'DELETE_COMPLETE') {
    deps.progress?.onStep?.(`Deleting stack ${stackName}`);
    deleted = await deleteStackAndWait(deps, { stackName, stackId: stack.StackId ?? stackName }).catch(
      (error: unknown) => {
        if (!input.artifactBucket) throw error;
        // DELETE_FAILED: the stack is still there, so is its bucket, for the destroy that finishes it.
        if (error instanceof DeploymentError)
          throw error.saying(`Bucket ${input.artifactBucket.bucket} was kept.`, {
            hint: 'Remove or empty the resources named above, then run `exposed-keys destroy --delete-bucket` again.',
          });
        if (!(error instanceof InterruptedError)) throw error;
        throw error.saying(`Bucket ${input.artifactBucket.bucket} was not deleted.`, {
          hint: `${error.hint ?? ''} Once the stack is gone, \`exposed-keys destroy --delete-bucket\` deletes the bucket.`.trim(),
        });
      },
    );
  } else deps.progress?.onStep?.(`Stack ${stackName} does not exist: nothing to delete`);
  if (input.artifactBucket && !deps.s3)
    throw new TypeError('destroyStack needs an S3 client to delete the artifact bucket');
  let bucket: DeletedBucket | undefined;
  // Ctrl-C once the stack is gone: the bucket is left, and the removal still reported.
  const interrupted = Boolean(input.artifactBucket) && deps.poll?.signal?.aborted === true;
  if (input.artifactBucket && interrupted)
    bucket = {
      bucket: input.artifactBucket.bucket,
      status: 'failed',
      objectsDeleted: 0,
      reason: STOPPED_BEFORE_BUCKET,
    };
  else if (input.artifactBucket && deps.s3)
    bucket = await deleteBucketAfter({ ...deps, s3: deps.s3 }, input.artifactBucket, {
      stackName,
      // The workgroup writes its results there only when the stack had the Athena option.
      athenaResults: Boolean(stack && parametersOf(stack).TrailBucket) || input.athenaResultsOwn === true,
    });
  return {
    stackName,
    status: deleted ? 'deleted' : 'nothing-to-delete',
    stackId: deleted?.stackId,
    retained: deleted?.retained ?? [],
    bucket,
    ...(interrupted ? { interrupted: true as const } : {}),
  };
}

const STOPPED_BEFORE_BUCKET =
  'stopped (Ctrl-C) before it was emptied; run `exposed-keys destroy --delete-bucket` again to delete it';

/**
 * Empties and deletes the artifact bucket, unless another exposed-keys stack still runs from it. A
 * failure is reported in the result, not thrown: the stack is gone by then, and what its removal
 * cancelled must still be told.
 */
async function deleteBucketAfter(
  deps: DestroyDeps & { s3: S3Api },
  artifactBucket: OwnedBucket,
  options: { stackName: string; athenaResults: boolean },
): Promise<DeletedBucket> {
  try {
    const users = await otherStacksDeployingFrom(deps.cloudFormation, artifactBucket.bucket, options.stackName);
    if (users.length > 0)
      return {
        bucket: artifactBucket.bucket,
        status: 'kept',
        objectsDeleted: 0,
        reason: `the stack(s) ${users.join(', ')} still run from it`,
      };
    return await deleteArtifactBucket({ s3: deps.s3, progress: deps.progress }, artifactBucket, {
      athenaResults: options.athenaResults,
    });
  } catch (error) {
    return { bucket: artifactBucket.bucket, status: 'failed', objectsDeleted: 0, reason: describeError(error) };
  }
}
