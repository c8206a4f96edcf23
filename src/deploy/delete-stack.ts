import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { toAwsCallError } from '../aws/aws-errors.js';
import { DeploymentError } from '../errors.js';
import { StackEventFollower } from './stack-events.js';
import { type WaitDeps, waitForStack } from './wait-for-stack.js';

/** What was left behind by a stack deletion. */
export interface DeletedStack {
  stackName: string;
  stackId: string;
  /** Resources CloudFormation kept (`DeletionPolicy: Retain`), reported as `DELETE_SKIPPED`. */
  retained: { logicalId: string; type: string }[];
}

/**
 * Deletes the stack and waits until it is gone, reporting its events.
 *
 * @throws DeploymentError with the resources that could not be deleted, when the stack ends `DELETE_FAILED`.
 */
export async function deleteStackAndWait(
  deps: WaitDeps,
  stack: { stackName: string; stackId: string },
): Promise<DeletedStack> {
  const follower = new StackEventFollower(deps.cloudFormation, stack.stackId);
  await follower.skipExisting();
  try {
    await deps.cloudFormation.send(new DeleteStackCommand({ StackName: stack.stackId }));
  } catch (error) {
    throw toAwsCallError('cloudformation:DeleteStack', error);
  }
  const final = await waitForStack(deps, stack, follower);
  const status = final?.StackStatus ?? 'DELETE_COMPLETE';
  if (status !== 'DELETE_COMPLETE') {
    const failures = follower.failures(stack.stackName, { status, reason: final?.StackStatusReason });
    throw new DeploymentError(
      `Stack ${stack.stackName} could not be deleted (${status})${failures[0] ? `: ${failures[0].logicalId}: ${failures[0].reason.replace(/\.$/, '')}` : ''}.`,
      failures,
      { hint: 'Remove or empty the resources named above, then run `exposed-keys destroy` again.' },
    );
  }
  const retained = follower.events
    .filter((event) => event.status === 'DELETE_SKIPPED')
    .map((event) => ({ logicalId: event.logicalId, type: event.type }));
  return { ...stack, retained };
}
