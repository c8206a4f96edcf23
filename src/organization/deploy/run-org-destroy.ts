import { callerAccount } from '../../aws/caller-account.js';
import type { CloudFormationApi, OrganizationsApi } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { DEFAULT_MEMBER_STACK_NAME } from '../../constants.js';
import { type DestroyResult, destroyStack } from '../../deploy/destroy.js';
import { requireOwnStack } from '../../deploy/own-stack.js';
import {
  type DestroyMessage,
  type DestroyReport,
  type RunDestroyDeps,
  type RunDestroyInput,
  runDestroy,
} from '../../deploy/run-destroy.js';
import { findStack } from '../../deploy/stack-description.js';
import { DeploymentError, InterruptedError } from '../../errors.js';
import { describeOrganization } from './organization-info.js';
import {
  deleteInstances,
  deleteStackSet,
  followOperation,
  listInstances,
  type OperationReport,
  type StackSetCaller,
  stackSetExists,
} from './stack-set.js';
import { stopPoint } from './stop-point.js';

/** What an organisation removal tells its host. */
export type OrgDestroyMessage =
  | DestroyMessage
  | { kind: 'operation'; action: OperationReport['action']; operationId: string; status: string };

/** What {@link runOrgDestroy} needs. */
export interface RunOrgDestroyDeps extends Omit<RunDestroyDeps, 'io'> {
  organizations: OrganizationsApi;
  /** CloudFormation as the management account (`--management-profile`), for its member stack. */
  managementCloudFormation?: CloudFormationApi;
  io: IoHost<OrgDestroyMessage>;
}

/** What to remove in organisation mode. */
export interface RunOrgDestroyInput extends RunDestroyInput {
  stackSetName: string;
  memberStackName?: string;
}

/** How `destroy --org` ended. */
export interface OrgDestroyReport {
  outcome: 'destroyed' | 'aborted';
  /** Accounts whose member stack was removed, before the StackSet went. */
  accounts: number;
  operations: OperationReport[];
  stackSetDeleted: boolean;
  management: DestroyResult | null;
  hub: DestroyReport | null;
}

/**
 * `destroy --org` in one call: removes the member stack from every account the StackSet reached
 * (once the host agrees), follows the operation, deletes the StackSet, removes the management
 * account's member stack when given its CloudFormation, then removes the hub (`runDestroy`,
 * which asks again).
 *
 * @throws DeploymentError naming the accounts whose member stack could not be removed (the
 * StackSet and the hub are then left, so that nothing is orphaned).
 */
export async function runOrgDestroy(deps: RunOrgDestroyDeps, input: RunOrgDestroyInput): Promise<OrgDestroyReport> {
  const { io } = deps;
  // Before anything is removed: a hub or management stack of those names exposed-keys did not make
  // is refused here, not after the members' stacks are gone.
  await requireOwnStack(
    deps.cloudFormation,
    await findStack(deps.cloudFormation, input.stackName),
    input.stackName,
    'destroy',
  );
  if (deps.managementCloudFormation) {
    const memberStackName = input.memberStackName ?? DEFAULT_MEMBER_STACK_NAME;
    await requireOwnStack(
      deps.managementCloudFormation,
      await findStack(deps.managementCloudFormation, memberStackName),
      memberStackName,
      'destroy',
    );
  }
  const organization = await describeOrganization(deps.organizations);
  const callAs: StackSetCaller =
    (await callerAccount(deps.sts)) === organization.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
  const stackSetDeps = { cloudFormation: deps.cloudFormation, poll: deps.poll };
  const exists = await stackSetExists(stackSetDeps, input.stackSetName, callAs);
  const instances = exists ? await listInstances(stackSetDeps, input.stackSetName, callAs) : [];
  const report: OrgDestroyReport = {
    outcome: 'destroyed',
    accounts: new Set(instances.map((instance) => instance.account)).size,
    operations: [],
    stackSetDeleted: false,
    management: null,
    hub: null,
  };
  // Ctrl-C stops at the next step: what is done stays, and the command run again finishes it.
  const stopIfInterrupted = (done: string) => stopPoint(deps.poll?.signal, done, 'exposed-keys destroy --org');
  if (exists) {
    const what = `the member stack from ${report.accounts} account(s) and StackSet ${input.stackSetName}`;
    if (!(await io.confirm({ question: `Remove ${what}?`, consequence: `removes ${what}` })))
      return { ...report, outcome: 'aborted' };
    stopIfInterrupted('Nothing was deleted');
    if (instances.length > 0) {
      const units = [...new Set(instances.map((instance) => instance.organizationalUnitId).filter(Boolean))];
      const targets = (units.length > 0 ? units : [organization.rootId]) as string[];
      io.notify({ kind: 'step', text: `Removing the member stack from ${targets.join(', ')}…` });
      const operationId = await deleteInstances(stackSetDeps, { stackSetName: input.stackSetName, callAs, targets });
      const removed = await followOperation(
        stackSetDeps,
        { stackSetName: input.stackSetName, callAs, operationId, action: 'delete-instances' },
        (status) => io.notify({ kind: 'operation', action: 'delete-instances', operationId, status }),
      ).catch((error: unknown) => {
        if (!(error instanceof InterruptedError)) throw error;
        throw error.saying('The StackSet and the hub were not deleted.', {
          hint: 'See where it got to with `exposed-keys status --org`; once it ends, run exposed-keys destroy --org again to finish.',
        });
      });
      report.operations.push(removed);
      // What is left says more than the operation: accounts outside the targets, or failures.
      const left = await listInstances(stackSetDeps, input.stackSetName, callAs);
      if (removed.status !== 'SUCCEEDED' || removed.failures.length > 0 || left.length > 0)
        throw new DeploymentError(
          `The member stack is still in ${left.length} account(s) (operation ${removed.status}); the StackSet and the hub are left in place.`,
          left.map((instance) => ({
            logicalId: instance.account,
            status: instance.detailedStatus ?? instance.status,
            reason:
              removed.failures.find((failure) => failure.account === instance.account)?.reason ?? instance.reason ?? '',
          })),
          { hint: 'Fix or remove the accounts listed, then run destroy --org again.' },
        );
    }
    stopIfInterrupted("The members' stacks were removed; the StackSet and the hub were not deleted");
    io.notify({ kind: 'step', text: `Deleting StackSet ${input.stackSetName}…` });
    await deleteStackSet(stackSetDeps, input.stackSetName, callAs);
    report.stackSetDeleted = true;
  }
  if (report.stackSetDeleted) stopIfInterrupted("The members' stacks and the StackSet were deleted; the hub was not");
  if (deps.managementCloudFormation)
    report.management = await destroyStack(
      {
        cloudFormation: deps.managementCloudFormation,
        poll: deps.poll,
        progress: { onStep: (text) => io.notify({ kind: 'step', text: `Management account: ${text}` }) },
      },
      { stackName: input.memberStackName ?? DEFAULT_MEMBER_STACK_NAME },
    );
  report.hub = await runDestroy({ ...deps, io }, input);
  return { ...report, outcome: report.hub.outcome === 'aborted' ? 'aborted' : 'destroyed' };
}
