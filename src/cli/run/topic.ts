import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import { topicRegion } from '../../aws/aws-names.js';
import type { AwsClients } from '../../aws/clients.js';
import { withDeadline } from '../../aws/deadline.js';
import type { CloudFormationApi, SnsClient } from '../../aws/narrow-clients.js';
import { LOGICAL_IDS } from '../../constants.js';
import { describeError, InvalidInputError } from '../../errors.js';

/**
 * The physical ids of resources of a stack, by logical id (null for one it does not have), or
 * null when the stack does not exist. The stack's resources are listed whole, once, and those
 * wanted are picked: a few dozen at most, and a LogicalResourceId filter is what moto fails on
 * when a resource's Condition is false.
 */
export async function stackResourceIds<Id extends string>(
  cloudFormation: CloudFormationApi,
  stackName: string,
  logicalIds: readonly Id[],
): Promise<Record<Id, string | null>> {
  const none = Object.fromEntries(logicalIds.map((id) => [id, null])) as Record<Id, string | null>;
  try {
    // The whole list (this stack has far fewer than the 100 it holds), searched here: moto fails the
    // filtered call on a stack with a resource type it does not know (the schedule group).
    const answer = await cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    for (const resource of answer.StackResources ?? [])
      if (resource.LogicalResourceId && Object.hasOwn(none, resource.LogicalResourceId))
        none[resource.LogicalResourceId as Id] = resource.PhysicalResourceId ?? null;
    return none;
  } catch (error) {
    // CloudFormation says "Stack with id … does not exist" (or that the resource does not) as a ValidationError.
    if (isAwsError(error, 'ValidationError')) return none;
    throw toAwsCallError('cloudformation:DescribeStackResources', error);
  }
}

/** The physical id of one resource of a stack, or null when the stack or resource does not exist. */
async function stackResourceId(
  cloudFormation: CloudFormationApi,
  stackName: string,
  logicalId: string,
): Promise<string | null> {
  return (await stackResourceIds(cloudFormation, stackName, [logicalId]))[logicalId] ?? null;
}

/**
 * Checks that a topic given on the command line exists, before anything changes. A topic that
 * does not exist is bad input; SNS failing to answer is no reason to leave a leaked key active,
 * so that comes back as a warning and the response goes on (the notification then says if it failed).
 *
 * @throws InvalidInputError when the topic does not exist.
 */
export async function checkTopic(sns: SnsClient, topicArn: string): Promise<string | undefined> {
  try {
    await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    return undefined;
  } catch (error) {
    if (isAwsError(error, 'NotFound', 'InvalidParameter'))
      throw new InvalidInputError('--topic', `The topic ${topicArn} does not exist.`, {
        hint: "Check the ARN (`exposed-keys status` shows the stack's topic), or leave out --topic to print the message.",
      });
    return `Could not check the topic ${topicArn}: ${describeError(toAwsCallError('sns:GetTopicAttributes', error))}`;
  }
}

/** The topic to notify, the SNS client of its region, and a warning when it could not be checked. */
export interface ResolvedTopic {
  topicArn?: string;
  sns?: SnsClient;
  warning?: string;
}

/** The SNS client of the topic's own region. */
export function snsOfTopic(clients: AwsClients, topicArn: string): Promise<SnsClient> {
  return clients.inRegion(topicRegion(topicArn) ?? clients.context.region).sns();
}

/**
 * The topic a command notifies: the one given (checked to exist), else the deployed stack's, else
 * none (the message is then printed). The SNS client is built for the topic's own region.
 *
 * @throws InvalidInputError when a topic given does not exist.
 */
export async function resolveTopic(
  clients: AwsClients,
  request: { topicArn?: string; stackName: string },
  checkWithinMs?: number,
): Promise<ResolvedTopic> {
  const topicArn =
    request.topicArn ??
    (await stackResourceId(await clients.cloudFormation(), request.stackName, LOGICAL_IDS.topic)) ??
    undefined;
  if (!topicArn) return {};
  const sns = await snsOfTopic(clients, topicArn);
  const deadline = checkWithinMs === undefined ? undefined : Date.now() + checkWithinMs;
  const warning = request.topicArn ? await checkTopic(withDeadline(sns, deadline), topicArn) : undefined;
  return { topicArn, sns, ...(warning ? { warning } : {}) };
}
