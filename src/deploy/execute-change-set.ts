import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { toAwsCallError } from '../aws/aws-errors.js';
import { DeploymentError, describeError, type ExposedKeysError } from '../errors.js';
import { type ChangeSetDeps, discardChangeSet, notExecutedSentence, type PreparedChangeSet } from './change-set.js';
import type { StackEvent } from './progress.js';
import { findStack, outputsOf, type StackResourceInfo, stackResources } from './stack-description.js';
import { StackEventFollower } from './stack-events.js';
import { type StackState, stackState } from './stack-status.js';
import { waitForStack } from './wait-for-stack.js';

/** The deployed stack. */
export interface DeployResult {
  stackName: string;
  stackId: string;
  status: string;
  state: StackState;
  /** True when there was nothing to deploy: the stack is as it was. */
  noChanges: boolean;
  resources: StackResourceInfo[];
  /** The stack's outputs by key; moto leaves them empty after a CREATE change set (use `resources`). */
  outputs: Record<string, string>;
  /** The stack events of this deployment, oldest first. */
  events: readonly StackEvent[];
}

async function resultOf(
  deps: ChangeSetDeps,
  prepared: PreparedChangeSet,
  events: readonly StackEvent[],
): Promise<DeployResult> {
  const stack = await findStack(deps.cloudFormation, prepared.stackId || prepared.stackName);
  const status = stack?.StackStatus ?? 'UNKNOWN';
  const stackId = stack?.StackId ?? prepared.stackId;
  return {
    stackName: prepared.stackName,
    stackId,
    status,
    state: stackState(status),
    noChanges: prepared.noChanges,
    resources: stack ? await stackResources(deps.cloudFormation, stackId) : [],
    outputs: stack ? outputsOf(stack) : {},
    events,
  };
}

/**
 * Executes a prepared change set and follows the stack until it settles, reporting each new stack
 * event. A change set with no changes is not executed: the stack is described as it is.
 *
 * @throws DeploymentError with each failing resource and its reason, when the deploy fails or is rolled back.
 * @throws StackTimeoutError when the stack does not settle within the polling timeout.
 */
export async function executeChangeSet(deps: ChangeSetDeps, prepared: PreparedChangeSet): Promise<DeployResult> {
  if (prepared.noChanges) return resultOf(deps, prepared, []);
  const stack = { stackName: prepared.stackName, stackId: prepared.stackId || prepared.stackName };
  const follower = new StackEventFollower(deps.cloudFormation, stack.stackId);
  await follower.skipExisting();

  deps.progress?.onStep?.(`Executing change set ${prepared.changeSetName} on stack ${prepared.stackName}`);
  try {
    await deps.cloudFormation.send(
      new ExecuteChangeSetCommand({ StackName: prepared.stackName, ChangeSetName: prepared.changeSetName }),
    );
  } catch (error) {
    throw await refusedExecution(deps, prepared, toAwsCallError('cloudformation:ExecuteChangeSet', error));
  }
  const final = await waitForStack(deps, stack, follower);
  const status = final?.StackStatus ?? 'DELETE_COMPLETE';
  const state = stackState(status);
  // A stack gone by the end (deleted meanwhile) is no deploy that succeeded.
  if (state !== 'succeeded' || status === 'DELETE_COMPLETE') {
    const failures = follower.failures(prepared.stackName, { status, reason: final?.StackStatusReason });
    const first = failures[0];
    const outcome = state === 'rolled-back' ? 'failed and was rolled back' : 'failed';
    throw new DeploymentError(
      `Deploy of stack ${prepared.stackName} ${outcome} (${status})${first ? `: ${first.logicalId}: ${first.reason}` : ''}.`,
      failures,
      { hint: 'Fix the cause named for each failing resource, then run `exposed-keys deploy` again.' },
    );
  }
  return resultOf(deps, prepared, follower.events);
}

/**
 * A change set CloudFormation would not execute is deleted, as a declined one is, so that no trace
 * is left; when it cannot be (its execution may have begun after all, the answer lost), the error
 * says it may be left.
 */
async function refusedExecution(
  deps: ChangeSetDeps,
  prepared: PreparedChangeSet,
  refusal: ExposedKeysError,
): Promise<DeploymentError> {
  const options = { cause: refusal, hint: refusal.hint ?? 'Fix the cause named, then deploy again.' };
  try {
    await discardChangeSet({ ...deps, poll: undefined }, prepared);
  } catch (error) {
    return new DeploymentError(
      `${refusal.message.replace(/\.?$/, '.')} Change set ${prepared.changeSetName} could not be deleted after (${describeError(error)}): it may be left on stack ${prepared.stackName}, or executing.`,
      [],
      { ...options, hint: 'See where the stack is with `exposed-keys status`, then deploy again.' },
    );
  }
  return new DeploymentError(`${refusal.message.replace(/\.?$/, '.')} ${notExecutedSentence(prepared)}`, [], options);
}
