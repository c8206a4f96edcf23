import type { CloudFormationApi } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { prepareChangeSet } from '../../deploy/change-set.js';
import { executeChangeSet } from '../../deploy/execute-change-set.js';
import { requireOwnStack } from '../../deploy/own-stack.js';
import type { PollOptions, StackEvent } from '../../deploy/progress.js';
import type { DeployMessage } from '../../deploy/run-deploy.js';
import { findStack } from '../../deploy/stack-description.js';
import { mustBeDeletedFirst } from '../../deploy/stack-status.js';
import { refuseUnusableStack } from '../../deploy/unusable-stack.js';

/** How the management account ended up covered. */
export interface ManagementCoverage {
  status: 'hub' | 'deployed' | 'no-changes' | 'not-covered';
  stackName?: string;
  note: string;
}

/** What deploying the management account's member stack needs. */
export interface ManagementStackDeps {
  /** CloudFormation as the management account (`--management-profile`); without it, nothing is deployed. */
  managementCloudFormation?: CloudFormationApi;
  poll?: PollOptions;
  io: IoHost<DeployMessage>;
}

/** What {@link checkManagementStack} found, for {@link deployManagementStack}. */
export interface ManagementStackCheck {
  /** The status of a stack a failed first deploy left (ROLLBACK_COMPLETE, ROLLBACK_FAILED); absent otherwise. */
  failedStatus?: string;
  /** Whether the host agreed to delete that stack. */
  deleteFailedStack: boolean;
}

/**
 * Checks the management account's member stack before anything changes: refuses a stack of that
 * name exposed-keys did not make, and asks now (not at the end of a long deploy) whether a stack a
 * failed first deploy left may be deleted, as for the hub's own stack.
 *
 * @throws InvalidInputError when the stack was not made by exposed-keys.
 */
export async function checkManagementStack(
  deps: ManagementStackDeps & { managementCloudFormation: CloudFormationApi },
  stackName: string,
): Promise<ManagementStackCheck> {
  const existing = await findStack(deps.managementCloudFormation, stackName);
  await requireOwnStack(deps.managementCloudFormation, existing, stackName, 'deploy');
  const status = existing?.StackStatus ?? '';
  // Before the hub and the StackSet change: a stack no change set can mend fails here, not at the end.
  refuseUnusableStack({ stackName }, status);
  if (!mustBeDeletedFirst(status)) return { deleteFailedStack: false };
  const agreed = await deps.io.confirm({
    question: `Management account: stack ${stackName} was left in ${status} by a failed first deploy, and must be deleted before it is made again. Delete it when the member stack is deployed?`,
    consequence: 'deletes a stack a failed deploy left in the management account',
  });
  return { failedStatus: status, deleteFailedStack: agreed };
}

/**
 * Gives the management account its member stack when the hub runs elsewhere (service-managed
 * StackSets never deploy there). A stack a failed first deploy left is deleted first only when
 * `check` says the host agreed; otherwise it is kept, and the report says what to do.
 *
 * @throws DeploymentError when the change set cannot be made or executed, or the stack failed
 * since it was checked (it is then not deleted).
 */
export async function deployManagementStack(
  deps: ManagementStackDeps,
  stack: { stackName: string; templateBody: string; parameters: Record<string, string>; check?: ManagementStackCheck },
): Promise<ManagementCoverage> {
  const { stackName, check } = stack;
  if (!deps.managementCloudFormation)
    return {
      status: 'not-covered',
      stackName,
      note: 'Service-managed StackSets never deploy to the management account: deploy again with --management-profile <a profile of the management account> to give it the member stack.',
    };
  if (check?.failedStatus && !check.deleteFailedStack)
    return {
      status: 'not-covered',
      stackName,
      note: `The member stack was left in ${check.failedStatus} by a failed first deploy, and was kept: read its events (aws cloudformation describe-stack-events --stack-name ${stackName}, with the management account's profile), delete it, then deploy again.`,
    };
  const changeSetDeps = {
    cloudFormation: deps.managementCloudFormation,
    poll: deps.poll,
    progress: {
      onStep: (text: string) => deps.io.notify({ kind: 'step', text: `Management account: ${text}` }),
      onStackEvent: (event: StackEvent) => deps.io.notify({ kind: 'stack-event', event }),
    },
  };
  const prepared = await prepareChangeSet(changeSetDeps, {
    stackName,
    templateBody: stack.templateBody,
    parameters: stack.parameters,
    deleteFailedStack: check?.deleteFailedStack ?? false,
  });
  if (prepared.noChanges) return { status: 'no-changes', stackName, note: 'The member stack already matches.' };
  await executeChangeSet(changeSetDeps, prepared);
  const remade = check?.failedStatus
    ? ` (the one a failed first deploy left in ${check.failedStatus} was deleted first)`
    : '';
  return { status: 'deployed', stackName, note: `The member stack forwards its events to the hub${remade}.` };
}
