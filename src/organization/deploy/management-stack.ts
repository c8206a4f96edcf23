import type { CloudFormationApi } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { prepareChangeSet } from '../../deploy/change-set.js';
import { executeChangeSet } from '../../deploy/execute-change-set.js';
import type { PollOptions, StackEvent } from '../../deploy/progress.js';
import type { DeployMessage } from '../../deploy/run-deploy.js';
import { findStack } from '../../deploy/stack-description.js';
import { mustBeDeletedFirst } from '../../deploy/stack-status.js';

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

/**
 * Gives the management account its member stack when the hub runs elsewhere (service-managed
 * StackSets never deploy there). A member stack a failed first deploy left must be deleted
 * before it is made again: the host is asked first, as for the hub's own stack, and when it
 * declines nothing is changed and the report says what to do.
 */
export async function deployManagementStack(
  deps: ManagementStackDeps,
  stack: { stackName: string; templateBody: string; parameters: Record<string, string> },
): Promise<ManagementCoverage> {
  const { stackName } = stack;
  if (!deps.managementCloudFormation)
    return {
      status: 'not-covered',
      stackName,
      note: 'Service-managed StackSets never deploy to the management account: deploy again with --management-profile <a profile of the management account> to give it the member stack.',
    };
  const status = (await findStack(deps.managementCloudFormation, stackName))?.StackStatus ?? '';
  if (
    mustBeDeletedFirst(status) &&
    !(await deps.io.confirm({
      question: `Management account: stack ${stackName} was left in ${status} by a failed first deploy, and must be deleted before it is made again. Delete it, then deploy?`,
      consequence: 'deletes a stack a failed deploy left in the management account',
    }))
  )
    return {
      status: 'not-covered',
      stackName,
      note: `The member stack was left in ${status} by a failed first deploy, and was kept: read its events (aws cloudformation describe-stack-events --stack-name ${stackName}, with the management account's profile), delete it, then deploy again.`,
    };
  const changeSetDeps = {
    cloudFormation: deps.managementCloudFormation,
    poll: deps.poll,
    progress: {
      onStep: (text: string) => deps.io.notify({ kind: 'step', text: `Management account: ${text}` }),
      onStackEvent: (event: StackEvent) => deps.io.notify({ kind: 'stack-event', event }),
    },
  };
  const prepared = await prepareChangeSet(changeSetDeps, stack);
  if (prepared.noChanges) return { status: 'no-changes', stackName, note: 'The member stack already matches.' };
  await executeChangeSet(changeSetDeps, prepared);
  return { status: 'deployed', stackName, note: 'The member stack forwards its events to the hub.' };
}
