import { readFile } from 'node:fs/promises';
import { callerAccount } from '../../aws/caller-account.js';
import type { CloudFormationApi, OrganizationsApi } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { projectPaths } from '../../common/project-root.js';
import { DEFAULT_MEMBER_STACK_NAME, STACK_REGION } from '../../constants.js';
import {
  type DeployMessage,
  type DeployReport,
  type RunDeployDeps,
  type RunDeployInput,
  runDeploy,
} from '../../deploy/run-deploy.js';
import { InterruptedError, InvalidInputError } from '../../errors.js';
import { STACK_SETTINGS } from '../../settings/settings.js';
import { undeliveredQueueName } from './forwarding-queues.js';
import { checkManagementStack, deployManagementStack, type ManagementCoverage } from './management-stack.js';
import { MEMBER_OPERATION_PREFERENCES } from './operation-preferences.js';
import { describeOrganization, type OrganizationInfo } from './organization-info.js';
import {
  createInstances,
  createStackSet,
  followOperation,
  type OperationReport,
  type StackSetCaller,
  stackSetExists,
  updateStackSet,
} from './stack-set.js';
import { stopPoint } from './stop-point.js';

/** What `deploy --org` will do, shown before anything changes. */
export interface OrganizationPlan {
  organizationId: string;
  hubAccountId: string;
  managementAccountId: string;
  callAs: StackSetCaller;
  stackSetName: string;
  stackSetAction: 'create' | 'update';
  targets: string[];
  preferences: typeof MEMBER_OPERATION_PREFERENCES;
  /** How the management account is covered: by the hub itself, by a member stack, or not (yet). */
  management: 'hub' | 'member-stack' | 'not-covered';
}

/** What an organisation deployment tells its host. */
export type OrgDeployMessage =
  | DeployMessage
  | { kind: 'org-plan'; plan: OrganizationPlan }
  | { kind: 'operation'; action: OperationReport['action']; operationId: string; status: string };

/** What {@link runOrgDeploy} needs: the hub's clients, Organizations, and the management account's CloudFormation when the hub is elsewhere. */
export interface RunOrgDeployDeps extends Omit<RunDeployDeps, 'io'> {
  organizations: OrganizationsApi;
  /** CloudFormation as the management account (`--management-profile`), for its member stack. */
  managementCloudFormation?: CloudFormationApi;
  io: IoHost<OrgDeployMessage>;
}

/** What to deploy in organisation mode. */
export interface RunOrgDeployInput extends RunDeployInput {
  /** Roots and organizational units (default: the organisation's root). */
  targets?: string[];
  roleName: string;
  /** Roles of the hub account that may also assume the responder role (`respond --account` by hand). */
  operatorRoleArns?: string[];
  stackSetName: string;
  /** The management account's member stack (default exposed-keys-member). */
  memberStackName?: string;
}

/** How `deploy --org` ended. */
export interface OrgDeployReport {
  /** `deployed`; or the hub's own outcome when it stopped there (`aborted`, `review`); `hub-only` when the StackSet was declined. */
  outcome: 'deployed' | 'aborted' | 'review' | 'hub-only';
  plan: OrganizationPlan;
  hub: DeployReport;
  hubEventBusArn: string | null;
  operations: OperationReport[];
  management: ManagementCoverage;
}

/**
 * The hub bus ARN: the stack's output, or, where the outputs are not given (moto after a CREATE),
 * the name the template gives the bus, `<stack name>-hub`.
 */
function hubBusArn(hub: DeployReport, accountId: string): string {
  return hub.outputs.HubEventBusArn ?? `arn:aws:events:${STACK_REGION}:${accountId}:event-bus/${hub.stackName}-hub`;
}

/**
 * The member template's parameters: where the hub is, the role it assumes, who else may assume it,
 * and the queue of what the member could not forward.
 */
function memberParameters(
  hubAccountId: string,
  busArn: string,
  input: Pick<RunOrgDeployInput, 'roleName' | 'operatorRoleArns' | 'stackSetName'>,
): Record<string, string> {
  return {
    HubAccountId: hubAccountId,
    HubEventBusArn: busArn,
    ResponderRoleName: input.roleName,
    OperatorRoleArns: (input.operatorRoleArns ?? []).join(','),
    UndeliveredQueueName: undeliveredQueueName(input.stackSetName),
  };
}

/**
 * `deploy --org` in one call: reads the organisation, deploys the hub (the stack in organisation
 * mode, through `runDeploy` and its change set), then, once the host agrees to the plan, creates
 * or updates the service-managed StackSet of the member template with automatic deployment,
 * deploys it to the targets (the root by default) with the preferences for thousands of accounts,
 * follows each operation and lists the accounts it failed in, and gives the management account its
 * member stack when the hub is elsewhere (service-managed StackSets never deploy there).
 *
 * @throws DeploymentError when the hub fails to deploy.
 */
export async function runOrgDeploy(deps: RunOrgDeployDeps, input: RunOrgDeployInput): Promise<OrgDeployReport> {
  const { io } = deps;
  io.notify({ kind: 'step', text: 'Reading the organization…' });
  const organization: OrganizationInfo = await describeOrganization(deps.organizations);
  const hubAccountId = await callerAccount(deps.sts);
  // The responder role trusts principals of the hub account only.
  const elsewhere = (input.operatorRoleArns ?? []).filter((arn) => arn.split(':')[4] !== hubAccountId);
  if (elsewhere.length > 0)
    throw new InvalidInputError(
      '--operator-role-arns',
      `${elsewhere.join(', ')} ${elsewhere.length === 1 ? 'is' : 'are'} not of the hub account ${hubAccountId}: members trust the hub account's roles only; nothing was changed.`,
    );
  const callAs: StackSetCaller = hubAccountId === organization.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
  // Before the hub is deployed: a management-account stack of that name exposed-keys did not make
  // is refused, and whether one a failed first deploy left may be deleted is asked now.
  const memberStackName = input.memberStackName ?? DEFAULT_MEMBER_STACK_NAME;
  const managementCheck =
    deps.managementCloudFormation && callAs !== 'SELF'
      ? await checkManagementStack(
          { ...deps, managementCloudFormation: deps.managementCloudFormation },
          memberStackName,
        )
      : undefined;
  const stackSetDeps = { cloudFormation: deps.cloudFormation, poll: deps.poll };
  const plan: OrganizationPlan = {
    organizationId: organization.organizationId,
    hubAccountId,
    managementAccountId: organization.managementAccountId,
    callAs,
    stackSetName: input.stackSetName,
    stackSetAction: (await stackSetExists(stackSetDeps, input.stackSetName, callAs)) ? 'update' : 'create',
    targets: input.targets ?? [organization.rootId],
    preferences: MEMBER_OPERATION_PREFERENCES,
    management: callAs === 'SELF' ? 'hub' : deps.managementCloudFormation ? 'member-stack' : 'not-covered',
  };
  io.notify({ kind: 'org-plan', plan });

  const hub = await runDeploy(
    { ...deps, io },
    {
      ...input,
      parameters: {
        ...input.parameters,
        [STACK_SETTINGS.organizationId.parameter]: organization.organizationId,
        [STACK_SETTINGS.responderRoleName.parameter]: input.roleName,
        // A trail bucket in organisation mode is the organisation trail's, unless --trail-org-id says otherwise.
        ...(input.parameters[STACK_SETTINGS.trailBucket.parameter] &&
        input.parameters[STACK_SETTINGS.trailOrgId.parameter] === undefined
          ? { [STACK_SETTINGS.trailOrgId.parameter]: organization.organizationId }
          : {}),
      },
    },
  );
  const base = { plan, hub, operations: [] as OperationReport[] };
  const notYet: ManagementCoverage = { status: 'not-covered', note: 'Nothing was deployed to the members.' };
  if (hub.outcome === 'aborted' || hub.outcome === 'review')
    return { ...base, outcome: hub.outcome, hubEventBusArn: null, management: notYet };
  const busArn = hubBusArn(hub, hubAccountId);

  const verb = plan.stackSetAction === 'create' ? 'Create' : 'Update';
  if (
    !(await io.confirm({
      question: `${verb} StackSet ${input.stackSetName} and deploy it to ${plan.targets.join(', ')}?`,
      consequence: 'changes every member account',
    }))
  )
    return { ...base, outcome: 'hub-only', hubEventBusArn: busArn, management: notYet };

  // Ctrl-C stops at the next step: what is done stays, and the command run again finishes it.
  const stopIfInterrupted = (done: string) => stopPoint(deps.poll?.signal, done, 'exposed-keys deploy --org');
  stopIfInterrupted('The hub was deployed; the member StackSet was not changed');
  const templateBody = await readFile(projectPaths().memberTemplate, 'utf8');
  const parameters = memberParameters(hubAccountId, busArn, input);
  const stackSet = { stackSetName: input.stackSetName, callAs, templateBody, parameters, targets: plan.targets };
  const follow = async (action: OperationReport['action'], operationId: string) =>
    followOperation(stackSetDeps, { stackSetName: input.stackSetName, callAs, operationId, action }, (status) =>
      io.notify({ kind: 'operation', action, operationId, status }),
    ).catch((error: unknown) => {
      if (!(error instanceof InterruptedError)) throw error;
      throw error.saying('The hub is deployed; the members may not all be.', {
        hint: 'See where it got to with `exposed-keys status --org`; once it ends, run exposed-keys deploy --org again to finish.',
      });
    });
  if (plan.stackSetAction === 'create') {
    io.notify({ kind: 'step', text: `Creating StackSet ${input.stackSetName}…` });
    await createStackSet(stackSetDeps, stackSet);
  } else {
    io.notify({ kind: 'step', text: `Updating StackSet ${input.stackSetName} and its instances…` });
    base.operations.push(await follow('update', await updateStackSet(stackSetDeps, stackSet)));
  }
  // Instances in targets that have none yet; CloudFormation skips the accounts that already have one.
  stopIfInterrupted(
    `The hub was deployed and StackSet ${input.stackSetName} ${plan.stackSetAction}d; no member stack was added`,
  );
  io.notify({ kind: 'step', text: `Deploying the member stack to ${plan.targets.join(', ')}…` });
  base.operations.push(await follow('create-instances', await createInstances(stackSetDeps, stackSet)));

  if (callAs !== 'SELF')
    stopIfInterrupted("The hub and the members' stacks were deployed; the management account's was not");
  const management =
    callAs === 'SELF'
      ? { status: 'hub' as const, note: 'The hub runs in the management account and covers it itself.' }
      : await deployManagementStack(deps, {
          stackName: memberStackName,
          templateBody,
          parameters,
          check: managementCheck,
        });
  return { ...base, outcome: 'deployed', hubEventBusArn: busArn, management };
}
