import { randomBytes } from 'node:crypto';
import {
  type Change,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import { DeploymentError, describeError, InterruptedError, InvalidInputError } from '../errors.js';
import { deleteStackAndWait } from './delete-stack.js';
import { StackBusyError, StackTimeoutError } from './deploy-errors.js';
import { OWN_CHANGE_SET_DESCRIPTION, requireOwnStack, waitingChangeSets } from './own-stack.js';
import { type ProgressDeps, polling } from './progress.js';
import { findStack, isStackMissing } from './stack-description.js';
import { isUpdatable, mustBeDeletedFirst, stackState } from './stack-status.js';
import {
  compactTemplate,
  declaredParameters,
  MAX_TEMPLATE_BODY_BYTES,
  type ParameterValues,
  parameterDefaults,
  readTemplate,
  toCfnParameters,
} from './template.js';
import { deployedAsIs } from './unchanged-stack.js';

/** What the change-set functions need. */
export interface ChangeSetDeps extends ProgressDeps {
  cloudFormation: CloudFormationApi;
}

function definedValues(values: ParameterValues = {}): ParameterValues {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/** What to deploy. */
export interface ChangeSetInput {
  stackName: string;
  /** The template body (default: `cloudformation/exposed-keys.yaml` of the project). */
  templateBody?: string;
  /**
   * An S3 URL of the same template, sent instead of the body (which is still read for its
   * parameters). Needed when the body exceeds {@link MAX_TEMPLATE_BODY_BYTES}.
   */
  templateUrl?: string;
  /** Parameter values; a parameter left out keeps its deployed value on an update. */
  parameters?: ParameterValues;
  tags?: Readonly<Record<string, string>>;
  /** Default: `exposed-keys-<UTC time>-<random>`. */
  changeSetName?: string;
  description?: string;
  /**
   * True when the host agreed to delete the stack a failed first deploy left (ROLLBACK_COMPLETE,
   * ROLLBACK_FAILED); otherwise such a stack is refused, so that one that failed after the host
   * was asked is never deleted unasked.
   */
  deleteFailedStack?: boolean;
}

/** One resource the change set would change. */
export interface ResourceChange {
  /** `Add`, `Modify`, `Remove`, `Import` or `Dynamic`. */
  action: string;
  logicalId: string;
  /** Absent for a resource to be added. */
  physicalId: string | undefined;
  type: string;
  /** For `Modify`: `True`, `False` or `Conditional` (whether the resource is replaced). */
  replacement: string | undefined;
}

/** A change set made and described, waiting to be executed or discarded. */
export interface PreparedChangeSet {
  stackName: string;
  stackId: string;
  changeSetName: string;
  /** The change set's ARN; empty when CloudFormation refused to make one because nothing changed. */
  changeSetId: string;
  changeSetType: 'CREATE' | 'UPDATE';
  /** True when the stack already matches: the change set was deleted and there is nothing to execute. */
  noChanges: boolean;
  changes: ResourceChange[];
  /** Set when a stack a failed first deploy left was deleted before this change set was made. */
  deletedFailedStack?: true;
}

/**
 * What a change set deleted unexecuted leaves, in a sentence: the stack unchanged, but for a stack
 * a failed first deploy left, deleted before it was made.
 */
export function notExecutedSentence(
  prepared: Pick<PreparedChangeSet, 'changeSetName' | 'stackName' | 'deletedFailedStack'>,
): string {
  return `Change set ${prepared.changeSetName} was deleted unexecuted; ${
    prepared.deletedFailedStack
      ? `the stack ${prepared.stackName} a failed first deploy left was deleted before, and nothing else changed`
      : `stack ${prepared.stackName} was not changed`
  }.`;
}

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const;

// CloudFormation says "nothing changed" in the change set's status reason; moto, as UpdateStack
// does, refuses the CreateChangeSet call with "No updates are to be performed".
const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

function defaultChangeSetName(): string {
  const time = new Date().toISOString().replace(/[-:.]/g, '');
  return `exposed-keys-${time}-${randomBytes(3).toString('hex')}`;
}

function toResourceChange(change: Change): ResourceChange {
  const resource = change.ResourceChange ?? {};
  return {
    action: resource.Action ?? 'Unknown',
    logicalId: resource.LogicalResourceId ?? '',
    physicalId: resource.PhysicalResourceId || undefined,
    type: resource.ResourceType ?? '',
    replacement: resource.Replacement || undefined,
  };
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(`cloudformation:${operation}`, error);
  }
}

/** Describes the change set until CloudFormation has computed it, then reads every page of changes. */
async function describeWhenReady(
  deps: ChangeSetDeps,
  stackName: string,
  changeSetName: string,
): Promise<{ status: string; reason: string; changes: ResourceChange[] }> {
  const poll = polling(deps.poll);
  let status = 'UNKNOWN';
  for (let attempt = 0; attempt < poll.maxPolls; attempt += 1) {
    const first = await send('DescribeChangeSet', () =>
      deps.cloudFormation.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName })),
    );
    status = first.Status ?? 'UNKNOWN';
    if (status === 'CREATE_COMPLETE' || status === 'FAILED') {
      const changes = [...(first.Changes ?? [])];
      let nextToken = first.NextToken;
      while (nextToken) {
        const page: DescribeChangeSetCommandOutput = await send('DescribeChangeSet', () =>
          deps.cloudFormation.send(
            new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName, NextToken: nextToken }),
          ),
        );
        changes.push(...(page.Changes ?? []));
        nextToken = page.NextToken;
      }
      return { status, reason: first.StatusReason ?? '', changes: changes.map(toResourceChange) };
    }
    await poll.sleep(poll.intervalMs, poll.signal);
    if (poll.signal?.aborted) throw new InterruptedError(`Stopped waiting for change set ${changeSetName}.`);
  }
  throw new StackTimeoutError(stackName, `${status} (change set ${changeSetName})`);
}

/** A change set that was never made, the stack being up to date. */
function upToDate(
  stackName: string,
  stackId: string,
  changeSetName: string,
  changeSetType: PreparedChangeSet['changeSetType'],
): PreparedChangeSet {
  return { stackName, stackId, changeSetName, changeSetId: '', changeSetType, noChanges: true, changes: [] };
}

/**
 * Makes a change set for the stack (CREATE when it does not exist, UPDATE otherwise) and describes
 * it. When the stack already matches, the empty change set is deleted and `noChanges` is true;
 * otherwise the change set is left for {@link executeChangeSet} or {@link discardChangeSet}.
 * A stack whose first deploy was rolled back cannot be updated: it is deleted first, when
 * `deleteFailedStack` says the host agreed.
 *
 * @throws StackBusyError when the stack is in the middle of another operation.
 * @throws DeploymentError when CloudFormation cannot make the change set (the reason is in the
 * message), or a stack a failed first deploy left may not be deleted.
 * @throws InvalidInputError for a parameter the template does not declare, or a template too big to send inline.
 */
export async function prepareChangeSet(deps: ChangeSetDeps, input: ChangeSetInput): Promise<PreparedChangeSet> {
  const { stackName } = input;
  // Sent as compact JSON: the same template without its comments and indentation, which would
  // otherwise take a fifth of CloudFormation's 51,200 bytes for a body sent inline.
  const templateBody = compactTemplate(input.templateBody ?? (await readTemplate()));
  let existing = await findStack(deps.cloudFormation, stackName);
  await requireOwnStack(deps.cloudFormation, existing, stackName, 'deploy');
  if (!input.templateUrl && Buffer.byteLength(templateBody, 'utf8') > MAX_TEMPLATE_BODY_BYTES)
    throw new InvalidInputError(
      'template',
      `The stack template is over ${MAX_TEMPLATE_BODY_BYTES} bytes, too big to send inline.`,
      { hint: 'Upload it to the artifact bucket and pass its URL as templateUrl.' },
    );
  const status = existing?.StackStatus ?? '';
  if (existing && stackState(status) === 'in-progress' && status !== 'REVIEW_IN_PROGRESS')
    throw new StackBusyError(stackName, status);
  if (existing && mustBeDeletedFirst(status) && !input.deleteFailedStack)
    throw new DeploymentError(
      `Stack ${stackName} was left in ${status} by a failed first deploy, and was not deleted; nothing was changed.`,
      [],
      { hint: 'Deploy again, to be asked whether to delete it, or delete it first.' },
    );
  let deletedFailedStack = false;
  if (existing && mustBeDeletedFirst(status)) {
    deps.progress?.onStep?.(`Deleting stack ${stackName}, left in ${status} by a failed first deploy`);
    await deleteStackAndWait(deps, { stackName, stackId: existing.StackId ?? stackName });
    existing = undefined;
    deletedFailedStack = true;
  }
  const changeSetType = existing && isUpdatable(existing.StackStatus ?? '') ? 'UPDATE' : 'CREATE';
  // A new stack names every parameter, the template's default for one not given, so that all its
  // parameters come from this deploy (moto, besides, counts a parameter first named by an update as
  // changed, and updates every resource that reads it).
  const values =
    changeSetType === 'CREATE'
      ? { ...parameterDefaults(templateBody), ...definedValues(input.parameters) }
      : input.parameters;
  const parameters = toCfnParameters(values ?? {}, {
    declared: declaredParameters(templateBody),
    previous:
      changeSetType === 'UPDATE'
        ? (existing?.Parameters ?? []).flatMap((parameter) => parameter.ParameterKey ?? [])
        : [],
  });
  const changeSetName = input.changeSetName ?? defaultChangeSetName();
  // CloudFormation tells an unchanged stack by the change set it cannot make; a template sent by
  // URL is compared here first, since moto, which the tests deploy to, cannot tell it so.
  if (
    input.templateUrl &&
    existing &&
    changeSetType === 'UPDATE' &&
    (await deployedAsIs(deps.cloudFormation, existing, { templateBody, parameters, tags: input.tags }))
  ) {
    deps.progress?.onStep?.(`Stack ${stackName} is up to date: no changes`);
    return upToDate(stackName, existing.StackId ?? '', changeSetName, changeSetType);
  }

  deps.progress?.onStep?.(`Creating ${changeSetType} change set ${changeSetName} for stack ${stackName}`);
  let created: { Id?: string; StackId?: string };
  try {
    created = await deps.cloudFormation.send(
      new CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: changeSetType,
        ...(input.templateUrl ? { TemplateURL: input.templateUrl } : { TemplateBody: templateBody }),
        Parameters: parameters,
        Capabilities: [...CAPABILITIES],
        // Tags left out keep the stack's tags; an empty list would remove them.
        ...(input.tags ? { Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
        Description: input.description ?? OWN_CHANGE_SET_DESCRIPTION,
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'ValidationError') && NO_CHANGES.test(String((error as Error).message))) {
      deps.progress?.onStep?.(`Stack ${stackName} is up to date: no changes`);
      return upToDate(stackName, existing?.StackId ?? '', changeSetName, changeSetType);
    }
    throw toAwsCallError('cloudformation:CreateChangeSet', error);
  }
  const prepared: PreparedChangeSet = {
    stackName,
    stackId: created.StackId ?? existing?.StackId ?? '',
    changeSetName,
    changeSetId: created.Id ?? '',
    changeSetType,
    noChanges: false,
    changes: [],
    ...(deletedFailedStack ? { deletedFailedStack: true as const } : {}),
  };

  deps.progress?.onStep?.(`Waiting for change set ${changeSetName}`);
  const described = await describeWhenReady(deps, stackName, changeSetName).catch(async (error: unknown) => {
    if (!(error instanceof InterruptedError)) throw error;
    throw await discardInterrupted(deps, prepared);
  });
  if (described.status === 'FAILED') {
    const noChanges = NO_CHANGES.test(described.reason);
    await discardChangeSet(deps, prepared);
    if (noChanges) {
      deps.progress?.onStep?.(`Stack ${stackName} is up to date: no changes`);
      return { ...prepared, noChanges: true };
    }
    throw new DeploymentError(`CloudFormation could not make change set ${changeSetName}: ${described.reason}`, [], {
      hint: 'Check the template and the parameters named in the reason, then deploy again.',
    });
  }
  return { ...prepared, changes: described.changes };
}

/**
 * Interrupted while CloudFormation made the change set: it goes, as a declined one does, once it is
 * made (CloudFormation refuses to delete one still being made). The error says what was left when
 * it could not go.
 */
async function discardInterrupted(deps: ChangeSetDeps, prepared: PreparedChangeSet): Promise<InterruptedError> {
  const unwatched = { ...deps, poll: { ...deps.poll, signal: undefined } };
  try {
    await describeWhenReady(unwatched, prepared.stackName, prepared.changeSetName);
    await discardChangeSet(unwatched, prepared);
  } catch (error) {
    return new InterruptedError(
      `Stopped before change set ${prepared.changeSetName} was executed; it could not be deleted (${describeError(error)}), and stays on stack ${prepared.stackName}, unexecuted.`,
      {
        hint: `Delete it: aws cloudformation delete-change-set --stack-name ${prepared.stackName} --change-set-name ${prepared.changeSetName} (and a stack left in REVIEW_IN_PROGRESS with exposed-keys destroy).`,
      },
    );
  }
  return new InterruptedError(`Stopped before the change set was executed. ${notExecutedSentence(prepared)}`);
}

/**
 * Deletes a change set that will not be executed. For a CREATE change set, the empty stack it made
 * (in `REVIEW_IN_PROGRESS`) is deleted too, so that no trace of the attempt is left.
 */
export async function discardChangeSet(
  deps: ChangeSetDeps,
  prepared: Pick<PreparedChangeSet, 'stackName' | 'stackId' | 'changeSetName' | 'changeSetType'>,
): Promise<void> {
  deps.progress?.onStep?.(`Deleting change set ${prepared.changeSetName}`);
  try {
    await deps.cloudFormation.send(
      new DeleteChangeSetCommand({ StackName: prepared.stackName, ChangeSetName: prepared.changeSetName }),
    );
  } catch (error) {
    if (!isStackMissing(error) && !isAwsError(error, 'ChangeSetNotFound'))
      throw toAwsCallError('cloudformation:DeleteChangeSet', error);
  }
  if (prepared.changeSetType !== 'CREATE') return;
  const stack = await findStack(deps.cloudFormation, prepared.stackId || prepared.stackName);
  if (stack?.StackStatus !== 'REVIEW_IN_PROGRESS') return;
  // The empty stack this change set made goes too, unless other change sets (someone else's) wait on it.
  let others: string[];
  try {
    others = (await waitingChangeSets(deps.cloudFormation, stack, prepared.changeSetName)).map(
      (change) => change.name ?? '?',
    );
  } catch (error) {
    deps.progress?.onStep?.(
      `Kept the empty stack ${prepared.stackName}: whether other change sets wait on it could not be told (${error instanceof Error ? error.message : String(error)}); delete it with exposed-keys destroy`,
    );
    return;
  }
  if (others.length > 0) {
    deps.progress?.onStep?.(
      `Kept the stack ${prepared.stackName}: other change sets wait on it (${others.join(', ')})`,
    );
    return;
  }
  await send('DeleteStack', () =>
    deps.cloudFormation.send(new DeleteStackCommand({ StackName: stack.StackId ?? prepared.stackName })),
  );
}
