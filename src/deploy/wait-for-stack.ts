import type { Stack } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import { InterruptedError } from '../errors.js';
import { StackTimeoutError } from './deploy-errors.js';
import { type ProgressDeps, polling } from './progress.js';
import { findStack } from './stack-description.js';
import type { StackEventFollower } from './stack-events.js';
import { isFinal } from './stack-status.js';

const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

/** What {@link waitForStack} needs. */
export interface WaitDeps extends ProgressDeps {
  cloudFormation: CloudFormationApi;
}

/**
 * Polls the stack until its status is final, reporting each new event through `progress` as it
 * arrives. Resolves with the stack in its final status, or `undefined` when it is gone (deleted and
 * asked for by name).
 *
 * @throws StackTimeoutError when the stack is still in progress after the polling timeout.
 * @throws InterruptedError when `poll.signal` aborts: following stops, the operation goes on.
 */
export async function waitForStack(
  deps: WaitDeps,
  stack: { stackName: string; stackId: string },
  follower: StackEventFollower,
): Promise<Stack | undefined> {
  const poll = polling(deps.poll);
  const report = async () => {
    for (const event of await follower.poll()) deps.progress?.onStackEvent?.(event);
  };
  // Right after an operation starts, DescribeStacks may still show the previous final status: a
  // final status counts only once the stack itself has reported an event of this operation.
  const started = () =>
    follower.events.some((event) => event.logicalId === stack.stackName && event.type === STACK_RESOURCE_TYPE);
  let status = 'UNKNOWN';
  for (let attempt = 0; attempt < poll.maxPolls; attempt += 1) {
    await report();
    const current = await findStack(deps.cloudFormation, stack.stackId);
    status = current?.StackStatus ?? 'DELETE_COMPLETE';
    if (!current || (isFinal(status) && started())) {
      // Events written just before the final status was read would otherwise be missed.
      await report();
      return current;
    }
    await poll.sleep(poll.intervalMs, poll.signal);
    if (poll.signal?.aborted) throw stoppedFollowing(stack.stackName, status);
  }
  throw new StackTimeoutError(stack.stackName, status);
}

/** Ctrl-C stops this process only: CloudFormation goes on with what it was asked, and the person is told how to follow or stop it. */
function stoppedFollowing(stackName: string, status: string): InterruptedError {
  const follow = `follow it with \`exposed-keys status --stack-name ${stackName}\``;
  const hint =
    status === 'UPDATE_IN_PROGRESS'
      ? `CloudFormation goes on: ${follow}, or roll the update back with \`aws cloudformation cancel-update-stack --stack-name ${stackName} --region us-east-1\`.`
      : `CloudFormation goes on: ${follow}.`;
  return new InterruptedError(
    `Stopped following stack ${stackName}, then ${status}; Ctrl-C does not stop its operation.`,
    {
      hint,
    },
  );
}
