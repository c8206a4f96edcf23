import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type {
  CloudFormationApi,
  EventBridgeApi,
  LambdaApi,
  SfnApi,
  SnsClient,
  SqsApi,
} from '../../aws/narrow-clients.js';
import { queueCount } from '../../aws/queue-count.js';
import { shellWord } from '../../common/shell-words.js';
import { cutEnd } from '../../common/untrusted-text.js';
import { LOGICAL_IDS, STACK_REGION } from '../../constants.js';
import { describeStack, type StackDescription } from '../../deploy/stack-description.js';
import { describeError, StackNotFoundError } from '../../errors.js';
import { otherAlertChannels } from './alert-channels.js';
import { type DeliveryStatus, deliveryProblems, deliveryStatus } from './delivery-status.js';

/** A subscription of the stack's topic; `pending` until its owner confirms it. */
export interface SubscriptionStatus {
  protocol: string;
  endpoint: string;
  pending: boolean;
}

/** One recent execution of the state machine, and what its notification said. */
export interface ExecutionStatus {
  name: string;
  status: string;
  startedAt: string | null;
  stoppedAt: string | null;
  /** The incident outcome from the execution's output, or its error when it failed. */
  outcome: string | null;
}

/**
 * The dead-letter queue: events the state machine did not receive whose alert has not gone out yet,
 * visible (`waiting`) or hidden between two attempts or being handled (`inFlight`); or why it could
 * not be read.
 */
export type UndeliveredStatus = { queueUrl: string; waiting: number; inFlight: number } | { error: string };

/** Everything `status` shows. */
export interface StackStatus {
  stack: StackDescription;
  subscriptions: SubscriptionStatus[];
  executions: ExecutionStatus[];
  /** Null for a stack older than the queue. */
  undelivered: UndeliveredStatus | null;
  /** Whether its rules send events, and the dead-letter queue's function reads it; absent when not asked. */
  delivery?: DeliveryStatus;
}

function physicalId(stack: StackDescription, logicalId: string): string | undefined {
  return stack.resources.find((resource) => resource.logicalId === logicalId)?.physicalId;
}

async function subscriptions(sns: SnsClient, topicArn: string): Promise<SubscriptionStatus[]> {
  const found: SubscriptionStatus[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
    for (const subscription of page.Subscriptions ?? [])
      found.push({
        protocol: subscription.Protocol ?? '',
        endpoint: subscription.Endpoint ?? '',
        pending: subscription.SubscriptionArn === 'PendingConfirmation',
      });
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
}

function outcomeOf(output: string | undefined): string | null {
  if (!output) return null;
  try {
    const state = JSON.parse(output) as { notification?: { outcome?: string } };
    return state.notification?.outcome ?? null;
  } catch {
    return null;
  }
}

/**
 * The latest executions, and the latest failed ones even when later ones hide them: a failed
 * execution means a key a human must see to, which ten follow-ups or repeated reports after it
 * must not push out of sight.
 */
async function executions(sfn: SfnApi, stateMachineArn: string, limit: number): Promise<ExecutionStatus[]> {
  const [latest, failed] = await Promise.all(
    [undefined, 'FAILED' as const].map((statusFilter) =>
      sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: limit, statusFilter })),
    ),
  );
  const byArn = new Map(
    [...(latest?.executions ?? []), ...(failed?.executions ?? [])].map((execution) => [
      execution.executionArn,
      execution,
    ]),
  );
  const listed = [...byArn.values()].sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  return Promise.all(
    listed.map(async (execution) => {
      const detail = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
      const failure = detail.error ? `${detail.error}${detail.cause ? `: ${cutEnd(detail.cause, 200)}` : ''}` : null;
      return {
        name: execution.name ?? '',
        status: execution.status ?? 'UNKNOWN',
        startedAt: execution.startDate?.toISOString() ?? null,
        stoppedAt: execution.stopDate?.toISOString() ?? null,
        outcome: outcomeOf(detail.output) ?? failure,
      };
    }),
  );
}

/** What the dead-letter queue holds; a failure to read it is shown, not thrown: the rest of the status stands. */
async function undelivered(sqs: SqsApi, queueUrl: string): Promise<UndeliveredStatus> {
  try {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      queueUrl,
      waiting: queueCount(answer.Attributes?.ApproximateNumberOfMessages),
      inFlight: queueCount(answer.Attributes?.ApproximateNumberOfMessagesNotVisible),
    };
  } catch (error) {
    // A count SQS did not give is a queue not read: shown so, never as empty.
    return { error: describeError(toAwsCallError('sqs:GetQueueAttributes', error)) };
  }
}

/**
 * The stack's status, resources, topic subscriptions (pending confirmations included), recent
 * executions with their outcomes, and what its dead-letter queue holds.
 *
 * @throws StackNotFoundError when there is no such stack.
 */
export async function stackStatus(
  deps: {
    cloudFormation: CloudFormationApi;
    sns: SnsClient;
    sfn: SfnApi;
    sqs: SqsApi;
    /** EventBridge and Lambda, to tell disabled rules and an unread dead-letter queue; without them, not looked at. */
    events?: EventBridgeApi;
    lambda?: LambdaApi;
  },
  options: { stackName: string; region: string; executions?: number },
): Promise<StackStatus> {
  const stack = await describeStack(deps.cloudFormation, options.stackName);
  if (!stack) throw new StackNotFoundError(options.stackName, options.region);
  // Its first deploy rolled back: its resources are gone, and reading them would fail on the first;
  // what there is to say is the stack's state (see statusProblems).
  if (stack.status === 'ROLLBACK_COMPLETE') return { stack, subscriptions: [], executions: [], undelivered: null };
  const topicArn = physicalId(stack, LOGICAL_IDS.topic);
  const stateMachineArn = physicalId(stack, LOGICAL_IDS.stateMachine);
  const queueUrl = physicalId(stack, LOGICAL_IDS.undeliveredQueue);
  try {
    return {
      stack,
      subscriptions: topicArn ? await subscriptions(deps.sns, topicArn) : [],
      executions: stateMachineArn ? await executions(deps.sfn, stateMachineArn, options.executions ?? 10) : [],
      undelivered: queueUrl ? await undelivered(deps.sqs, queueUrl) : null,
      ...(deps.events && deps.lambda
        ? { delivery: await deliveryStatus({ events: deps.events, lambda: deps.lambda }, stack) }
        : {}),
    };
  } catch (error) {
    throw toAwsCallError('status', error);
  }
}

/**
 * What to do when no subscription is confirmed: confirm those pending, else subscribe the address
 * again with the AWS CLI (a deploy with the same --email changes nothing, so makes no subscription).
 */
function subscribeStep(status: StackStatus): string {
  const pending = status.subscriptions.filter((subscription) => subscription.pending);
  if (pending.length > 0)
    return `Pending confirmation: ${pending.map((subscription) => subscription.endpoint).join(', ')}: open the e-mail AWS sent there ("AWS Notification - Subscription Confirmation") and choose Confirm subscription.`;
  // The stack's parameter is anyone's to set who may update the stack: one shell word, as every command given.
  const topic = physicalId(status.stack, LOGICAL_IDS.topic);
  const email = status.stack.parameters.NotificationEmail;
  const topicArn = topic ? shellWord(topic) : '<topic ARN>';
  const address = email ? shellWord(email) : '<address>';
  return `Subscribe an address: aws sns subscribe --region ${STACK_REGION} --topic-arn ${topicArn} --protocol email --notification-endpoint ${address}, then confirm it from the e-mail AWS sends.`;
}

/**
 * What in a stack's status keeps alerts from reaching anyone: a stack that failed, is changing, or
 * whose first deploy was rolled back,
 * a rule disabled, the dead-letter queue's function not reading it, no confirmed subscription of the
 * topic and no chat channel or webhook either, events on the dead-letter queue whose alert has not
 * gone out, a queue that cannot be read. `status` exits 3 when there is any, so that a check can tell.
 */
export function statusProblems(status: StackStatus): string[] {
  const problems: string[] = [];
  const { state, status: stackStatusName, stackName } = status.stack;
  if (state === 'failed' || state === 'in-progress')
    problems.push(
      state === 'failed'
        ? `The stack is in ${stackStatusName}: some of its resources may be missing or broken. See its events above; ${stackStatusName === 'DELETE_FAILED' ? `run exposed-keys destroy --stack-name ${stackName} again` : 'deploy again once the cause is mended'}.`
        : stackStatusName === 'REVIEW_IN_PROGRESS'
          ? `The stack is in ${stackStatusName}: a change set was never executed, and nothing is deployed; deploy it (exposed-keys deploy) or delete it (exposed-keys destroy).`
          : `The stack is in ${stackStatusName}: it is changing now; run status again when it is done.`,
    );
  // Its first deploy failed and was rolled back: nothing is deployed, and such a stack can only be deleted.
  if (stackStatusName === 'ROLLBACK_COMPLETE')
    return [
      ...problems,
      `The stack is in ${stackStatusName}: its first deploy failed, and nothing of it is deployed. See its events, then run exposed-keys destroy --stack-name ${stackName} and deploy again.`,
    ];
  problems.push(
    ...deliveryProblems(status.delivery, { stackName, organization: Boolean(status.stack.parameters.OrganizationId) }),
  );
  if (
    !status.subscriptions.some((subscription) => !subscription.pending) &&
    otherAlertChannels(status.stack).length === 0
  )
    problems.push(
      `Nobody receives the notifications: no confirmed subscription of the topic, and no chat channel or webhook. ${subscribeStep(status)}`,
    );
  const queue = status.undelivered;
  if (queue && 'error' in queue) problems.push(`The dead-letter queue could not be read: ${queue.error}`);
  else if (queue && queue.waiting + queue.inFlight > 0)
    problems.push(
      `${queue.waiting + queue.inFlight} event(s) the state machine did not receive have an alert not yet sent: see the dead-letter queue.`,
    );
  return problems;
}
