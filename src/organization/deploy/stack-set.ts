import {
  type CallAs,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  type Parameter,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { CloudFormationApi } from '../../aws/narrow-clients.js';
import { STACK_REGION } from '../../constants.js';
import { type PollOptions, polling } from '../../deploy/progress.js';
import { InterruptedError } from '../../errors.js';
import { MEMBER_OPERATION_PREFERENCES } from './operation-preferences.js';

/** Who the StackSet calls are made as: the management account itself, or a delegated administrator. */
export type StackSetCaller = Extract<CallAs, 'SELF' | 'DELEGATED_ADMIN'>;

/** What the StackSet functions need. */
export interface StackSetDeps {
  cloudFormation: CloudFormationApi;
  poll?: PollOptions;
}

/** The member StackSet: its name, how it is called, and what it deploys. */
export interface StackSetInput {
  stackSetName: string;
  callAs: StackSetCaller;
  templateBody: string;
  parameters: Readonly<Record<string, string>>;
  /** Roots and organizational units. */
  targets: readonly string[];
}

/** An account whose stack instance an operation could not create, update or delete. */
export interface AccountFailure {
  account: string;
  region: string;
  status: string;
  reason: string;
}

/** How one StackSet operation ended. */
export interface OperationReport {
  operationId: string;
  action: 'create-instances' | 'update' | 'delete-instances';
  /** `SUCCEEDED`, `FAILED`, `STOPPED`… as CloudFormation says, or `TIMED_OUT` when following gave up. */
  status: string;
  reason?: string;
  failures: AccountFailure[];
}

/** One stack instance, by account. */
export interface InstanceStatus {
  account: string;
  region: string;
  organizationalUnitId: string | null;
  /** `CURRENT`, `OUTDATED` or `INOPERABLE`. */
  status: string;
  detailedStatus: string | null;
  driftStatus: string;
  reason: string | null;
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toAwsCallError(`cloudformation:${operation}`, error);
  }
}

function cfnParameters(parameters: Readonly<Record<string, string>>): Parameter[] {
  return Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

/** True when the StackSet exists. */
export async function stackSetExists(deps: StackSetDeps, name: string, callAs: StackSetCaller): Promise<boolean> {
  try {
    await deps.cloudFormation.send(new DescribeStackSetCommand({ StackSetName: name, CallAs: callAs }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFound')) return false;
    throw toAwsCallError('cloudformation:DescribeStackSet', error);
  }
}

const SETTINGS = {
  PermissionModel: 'SERVICE_MANAGED',
  // Accounts that join a targeted unit later get the member stack too; one that leaves loses it.
  AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
  Capabilities: ['CAPABILITY_NAMED_IAM'],
} as const;

/** Creates the service-managed StackSet with automatic deployment (no instances yet). */
export async function createStackSet(deps: StackSetDeps, input: StackSetInput): Promise<void> {
  await call('CreateStackSet', () =>
    deps.cloudFormation.send(
      new CreateStackSetCommand({
        StackSetName: input.stackSetName,
        Description: 'exposed-keys member accounts: forward exposed-key events to the hub; the hub responder role',
        TemplateBody: input.templateBody,
        Parameters: cfnParameters(input.parameters),
        ...SETTINGS,
        Capabilities: [...SETTINGS.Capabilities],
        CallAs: input.callAs,
        // Operations that arrive while another runs wait their turn instead of failing.
        ManagedExecution: { Active: true },
      }),
    ),
  );
}

/** Deploys the member stack to every account of the targets; returns the operation to follow. */
export async function createInstances(deps: StackSetDeps, input: StackSetInput): Promise<string> {
  const answer = await call('CreateStackInstances', () =>
    deps.cloudFormation.send(
      new CreateStackInstancesCommand({
        StackSetName: input.stackSetName,
        DeploymentTargets: { OrganizationalUnitIds: [...input.targets] },
        Regions: [STACK_REGION],
        OperationPreferences: MEMBER_OPERATION_PREFERENCES,
        CallAs: input.callAs,
      }),
    ),
  );
  return answer.OperationId ?? '';
}

/** Updates the template and parameters of the StackSet and of every instance in the targets. */
export async function updateStackSet(deps: StackSetDeps, input: StackSetInput): Promise<string> {
  const answer = await call('UpdateStackSet', () =>
    deps.cloudFormation.send(
      new UpdateStackSetCommand({
        StackSetName: input.stackSetName,
        TemplateBody: input.templateBody,
        Parameters: cfnParameters(input.parameters),
        ...SETTINGS,
        Capabilities: [...SETTINGS.Capabilities],
        DeploymentTargets: { OrganizationalUnitIds: [...input.targets] },
        Regions: [STACK_REGION],
        OperationPreferences: MEMBER_OPERATION_PREFERENCES,
        CallAs: input.callAs,
      }),
    ),
  );
  return answer.OperationId ?? '';
}

/** Removes the member stack from every account of the targets; returns the operation to follow. */
export async function deleteInstances(
  deps: StackSetDeps,
  input: Pick<StackSetInput, 'stackSetName' | 'callAs' | 'targets'>,
): Promise<string> {
  const answer = await call('DeleteStackInstances', () =>
    deps.cloudFormation.send(
      new DeleteStackInstancesCommand({
        StackSetName: input.stackSetName,
        DeploymentTargets: { OrganizationalUnitIds: [...input.targets] },
        Regions: [STACK_REGION],
        RetainStacks: false,
        OperationPreferences: MEMBER_OPERATION_PREFERENCES,
        CallAs: input.callAs,
      }),
    ),
  );
  return answer.OperationId ?? '';
}

/** Deletes the StackSet, once it has no instances. */
export async function deleteStackSet(deps: StackSetDeps, name: string, callAs: StackSetCaller): Promise<void> {
  await call('DeleteStackSet', () =>
    deps.cloudFormation.send(new DeleteStackSetCommand({ StackSetName: name, CallAs: callAs })),
  );
}

const RUNNING = new Set(['RUNNING', 'QUEUED', 'STOPPING']);

/** The accounts an operation failed in, with CloudFormation's reason for each. */
async function operationFailures(
  deps: StackSetDeps,
  name: string,
  operationId: string,
  callAs: StackSetCaller,
): Promise<AccountFailure[]> {
  const failures: AccountFailure[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('ListStackSetOperationResults', () =>
      deps.cloudFormation.send(
        new ListStackSetOperationResultsCommand({
          StackSetName: name,
          OperationId: operationId,
          CallAs: callAs,
          NextToken: nextToken,
        }),
      ),
    );
    for (const result of page.Summaries ?? [])
      if (result.Status !== 'SUCCEEDED')
        failures.push({
          account: result.Account ?? 'unknown',
          region: result.Region ?? STACK_REGION,
          status: result.Status ?? 'UNKNOWN',
          reason: result.StatusReason ?? '',
        });
    nextToken = page.NextToken;
  } while (nextToken);
  return failures;
}

/**
 * Follows an operation until it ends, telling each change of its status, then lists the accounts
 * it failed in. Following gives up at the poll timeout (the operation goes on; `status --org`
 * shows where it got to).
 *
 * @throws InterruptedError when `poll.signal` aborts (Ctrl-C): the operation goes on.
 */
export async function followOperation(
  deps: StackSetDeps,
  input: { stackSetName: string; callAs: StackSetCaller; operationId: string; action: OperationReport['action'] },
  onStatus?: (status: string) => void,
): Promise<OperationReport> {
  const poll = polling(deps.poll);
  let status = 'RUNNING';
  let reason: string | undefined;
  for (let attempt = 0; attempt < poll.maxPolls; attempt += 1) {
    const answer = await call('DescribeStackSetOperation', () =>
      deps.cloudFormation.send(
        new DescribeStackSetOperationCommand({
          StackSetName: input.stackSetName,
          OperationId: input.operationId,
          CallAs: input.callAs,
        }),
      ),
    );
    const now = answer.StackSetOperation?.Status ?? 'UNKNOWN';
    if (now !== status) onStatus?.(now);
    status = now;
    reason = answer.StackSetOperation?.StatusReason;
    if (!RUNNING.has(status)) break;
    await poll.sleep(poll.intervalMs, poll.signal);
    if (poll.signal?.aborted)
      throw new InterruptedError(
        `Stopped following StackSet operation ${input.operationId} (${input.action}), then ${status}; Ctrl-C does not stop it.`,
        { hint: 'See where it got to with `exposed-keys status --org`.' },
      );
  }
  if (RUNNING.has(status)) status = 'TIMED_OUT';
  return {
    operationId: input.operationId,
    action: input.action,
    status,
    ...(reason ? { reason } : {}),
    failures: await operationFailures(deps, input.stackSetName, input.operationId, input.callAs),
  };
}

/** Every stack instance of the StackSet, by account, with its status and drift. */
export async function listInstances(
  deps: StackSetDeps,
  name: string,
  callAs: StackSetCaller,
): Promise<InstanceStatus[]> {
  const instances: InstanceStatus[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('ListStackInstances', () =>
      deps.cloudFormation.send(
        new ListStackInstancesCommand({ StackSetName: name, CallAs: callAs, NextToken: nextToken }),
      ),
    );
    for (const summary of page.Summaries ?? [])
      instances.push({
        account: summary.Account ?? 'unknown',
        region: summary.Region ?? STACK_REGION,
        organizationalUnitId: summary.OrganizationalUnitId ?? null,
        status: summary.Status ?? 'UNKNOWN',
        detailedStatus: summary.StackInstanceStatus?.DetailedStatus ?? null,
        driftStatus: summary.DriftStatus ?? 'NOT_CHECKED',
        reason: summary.StatusReason ?? null,
      });
    nextToken = page.NextToken;
  } while (nextToken);
  return instances.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}
