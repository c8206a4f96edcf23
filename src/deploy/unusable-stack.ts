import { DeploymentError } from '../errors.js';
import { mustBeDeletedFirst, stackState } from './stack-status.js';

/**
 * Refuses, before anything changes, a stack no change set can mend or that is busy: one a destroy
 * left half deleted (DELETE_FAILED), one whose rollback failed, one still changing. Compared with
 * the template alone, such a stack would be reported "up to date" while its resources are gone or
 * broken. A stack a failed first deploy left is handled apart (see mayDeleteFailedStack).
 *
 * @throws DeploymentError naming the status and what to do.
 */
export function refuseUnusableStack(input: { stackName: string }, status: string): void {
  if (!status || mustBeDeletedFirst(status) || status === 'REVIEW_IN_PROGRESS') return;
  const state = stackState(status);
  if (state === 'succeeded' || state === 'rolled-back') return;
  const stack = `Stack ${input.stackName} is in ${status}`;
  const hint =
    state === 'in-progress'
      ? `Wait until it is done (exposed-keys status --stack-name ${input.stackName}), then deploy again.`
      : status === 'DELETE_FAILED'
        ? `A destroy did not finish: run exposed-keys destroy --stack-name ${input.stackName} again (it says what it could not delete), then deploy.`
        : status === 'UPDATE_ROLLBACK_FAILED'
          ? `Let CloudFormation finish the rollback (aws cloudformation continue-update-rollback --stack-name ${input.stackName}, skipping the resources it names), then deploy again.`
          : `See why in the stack's events (exposed-keys status --stack-name ${input.stackName}); delete it with exposed-keys destroy if it cannot be mended.`;
  throw new DeploymentError(
    `${stack}: ${state === 'in-progress' ? 'it is still changing' : 'no change set can mend it, and its resources may be gone or broken'}; nothing was changed.`,
    [],
    { hint },
  );
}
