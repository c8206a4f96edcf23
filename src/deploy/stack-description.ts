import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type Stack,
  type StackResource,
} from '@aws-sdk/client-cloudformation';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import { type StackState, stackState } from './stack-status.js';

/** One resource of a stack. */
export interface StackResourceInfo {
  logicalId: string;
  /** The resource's name or ARN; absent until CloudFormation has created it. */
  physicalId: string | undefined;
  type: string;
  status: string;
  reason: string | undefined;
}

/** What `exposed-keys status` shows of a stack. */
export interface StackDescription {
  stackName: string;
  stackId: string;
  status: string;
  state: StackState;
  statusReason: string | undefined;
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
  resources: StackResourceInfo[];
  outputs: Record<string, string>;
  parameters: Record<string, string>;
}

/** True when `error` is CloudFormation saying the stack does not exist. */
export function isStackMissing(error: unknown): boolean {
  return isAwsError(error, 'ValidationError') && /does not exist/i.test(String((error as Error).message));
}

/**
 * The stack named `stack` (a name, or an id that also finds a deleted stack), or `undefined` when
 * there is none.
 */
export async function findStack(cloudFormation: CloudFormationApi, stack: string): Promise<Stack | undefined> {
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    return answer.Stacks?.[0];
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw toAwsCallError('cloudformation:DescribeStacks', error);
  }
}

function toResourceInfo(resource: StackResource): StackResourceInfo {
  return {
    logicalId: resource.LogicalResourceId ?? '',
    physicalId: resource.PhysicalResourceId || undefined,
    type: resource.ResourceType ?? '',
    status: resource.ResourceStatus ?? '',
    reason: resource.ResourceStatusReason || undefined,
  };
}

/**
 * The resources of a stack, sorted by logical id. DescribeStackResources is used rather than the
 * stack's outputs, which moto leaves empty after a CREATE change set; it lists up to 100 resources,
 * far more than this stack has.
 */
export async function stackResources(cloudFormation: CloudFormationApi, stack: string): Promise<StackResourceInfo[]> {
  try {
    const answer = await cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stack }));
    return (
      (answer.StackResources ?? [])
        .map(toResourceInfo)
        // moto lists some resources without a logical id after an update; there is nothing to show of them.
        .filter((resource) => resource.logicalId !== '')
        .sort((a, b) => (a.logicalId < b.logicalId ? -1 : a.logicalId > b.logicalId ? 1 : 0))
    );
  } catch (error) {
    throw toAwsCallError('cloudformation:DescribeStackResources', error);
  }
}

/** The stack's outputs, by key (empty when it has none). */
export function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries(
    (stack.Outputs ?? [])
      .filter((output) => output.OutputKey)
      .map((output) => [output.OutputKey, output.OutputValue ?? '']),
  );
}

/** The stack's parameter values, by key (a NoEcho parameter shows as `****`). */
export function parametersOf(stack: Stack): Record<string, string> {
  return Object.fromEntries(
    (stack.Parameters ?? [])
      .filter((parameter) => parameter.ParameterKey)
      .map((parameter) => [parameter.ParameterKey, parameter.ParameterValue ?? '']),
  );
}

/** An S3 bucket's name, as S3 allows it. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The bucket the stack was deployed from (its `ArtifactBucket` parameter); undefined without a
 * stack, or when the parameter is no bucket name (text of the stack's, not to be shown or used).
 */
export function deployedArtifactBucket(stack: Stack | undefined): string | undefined {
  const bucket = stack ? parametersOf(stack).ArtifactBucket : undefined;
  return bucket && BUCKET_NAME.test(bucket) ? bucket : undefined;
}

/**
 * The stack's status, resources, outputs and parameters, or `undefined` when there is no such stack.
 * A stack left in `REVIEW_IN_PROGRESS` (a change set never executed) is described as it is.
 */
export async function describeStack(
  cloudFormation: CloudFormationApi,
  stackName: string,
): Promise<StackDescription | undefined> {
  const stack = await findStack(cloudFormation, stackName);
  if (!stack) return undefined;
  const status = stack.StackStatus ?? 'UNKNOWN';
  const stackId = stack.StackId ?? stackName;
  return {
    stackName: stack.StackName ?? stackName,
    stackId,
    status,
    state: stackState(status),
    statusReason: stack.StackStatusReason || undefined,
    createdAt: stack.CreationTime,
    updatedAt: stack.LastUpdatedTime,
    resources: await stackResources(cloudFormation, stackId),
    outputs: outputsOf(stack),
    parameters: parametersOf(stack),
  };
}
