import { GetRoleCommand } from '@aws-sdk/client-iam';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { AwsClients } from '../../aws/clients.js';
import { once } from '../../common/once.js';
import { LOGICAL_IDS } from '../../constants.js';
import { StackNotFoundError } from '../../errors.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';
import { type DeployedStack, verifyAfterMinutesOf } from './deployed-stack.js';
import { stackResourceIds } from './topic.js';

/**
 * The ARN of a queue of the stack from its URL (its physical id, `…/<account>/<name>`): in the
 * partition, region and account of the stack's state machine. Null when either is not of its shape.
 */
export function queueArnOf(queueUrl: string, stateMachineArn: string): string | null {
  const name = /\/\d{12}\/([\w-]{1,80})$/.exec(queueUrl)?.[1];
  const [, partition, , region, account] = stateMachineArn.split(':');
  return name && partition && region && account ? `arn:${partition}:sqs:${region}:${account}:${name}` : null;
}

/** The physical ids of the stack's resources its schedules need. */
interface ScheduleResources {
  roleName: string | null;
  stateMachineArn: string | null;
  queueUrl: string | null;
}

/**
 * The stack's schedules from its resources: its group (named after the stack), the role its
 * schedules run as (its ARN from IAM), its state machine and its dead-letter queue.
 *
 * @throws StackNotFoundError when the stack schedules nothing.
 */
async function schedulesOf(
  clients: AwsClients,
  stackName: string,
  region: string,
  { roleName, stateMachineArn, queueUrl }: ScheduleResources,
): Promise<ScheduleDeps> {
  if (!roleName || !stateMachineArn) throw new StackNotFoundError(stackName, region);
  let roleArn: string | undefined;
  try {
    roleArn = (await (await clients.iam()).send(new GetRoleCommand({ RoleName: roleName }))).Role?.Arn;
  } catch (error) {
    throw toAwsCallError('iam:GetRole', error);
  }
  if (!roleArn) throw new StackNotFoundError(stackName, region);
  const deadLetterArn = queueUrl ? queueArnOf(queueUrl, stateMachineArn) : null;
  return {
    scheduler: await clients.scheduler(),
    target: { groupName: stackName, roleArn, stateMachineArn, ...(deadLetterArn ? { deadLetterArn } : {}) },
  };
}

/**
 * The deployed stack's schedules: its group (named after the stack), the role its schedules run
 * as, its state machine and its dead-letter queue, with a Scheduler client; looked up once, on first use.
 *
 * @throws StackNotFoundError when there is no such stack, or it schedules nothing.
 */
export function stackSchedules(clients: AwsClients, stackName: string, region: string): () => Promise<ScheduleDeps> {
  return once(async () => {
    const ids = await stackResourceIds(await clients.cloudFormation(), stackName, [
      LOGICAL_IDS.schedulerRole,
      LOGICAL_IDS.stateMachine,
      LOGICAL_IDS.undeliveredQueue,
    ]);
    return schedulesOf(clients, stackName, region, {
      roleName: ids[LOGICAL_IDS.schedulerRole],
      stateMachineArn: ids[LOGICAL_IDS.stateMachine],
      queueUrl: ids[LOGICAL_IDS.undeliveredQueue],
    });
  });
}

/**
 * The schedules of the deployed stack, with its own VerifyAfterMinutes (so that a stack deployed
 * with 0 gets no verification; the caller's minutes stand when its parameters do not say, or
 * cannot be read); looked up once, on first use.
 *
 * @throws StackNotFoundError when there is no such stack, or it schedules nothing.
 * @throws AwsCallError when its resources could not be read.
 */
export function describedStackSchedules(
  stack: DeployedStack,
  clients: AwsClients,
  stackName: string,
  region: string,
): () => Promise<ScheduleDeps> {
  return once(async () => {
    const resources = await stack.resources();
    const deps = await schedulesOf(clients, stackName, region, {
      roleName: resources[LOGICAL_IDS.schedulerRole],
      stateMachineArn: resources[LOGICAL_IDS.stateMachine],
      queueUrl: resources[LOGICAL_IDS.undeliveredQueue],
    });
    const minutes = verifyAfterMinutesOf(await stack.parameters().catch(() => undefined));
    return minutes === undefined ? deps : { ...deps, verifyAfterMinutes: minutes };
  });
}
