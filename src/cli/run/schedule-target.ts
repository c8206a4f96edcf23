import { GetRoleCommand } from '@aws-sdk/client-iam';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { AwsClients } from '../../aws/clients.js';
import { LOGICAL_IDS } from '../../constants.js';
import { StackNotFoundError } from '../../errors.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';
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

/**
 * The deployed stack's schedules: its group (named after the stack), the role its schedules run
 * as, its state machine and its dead-letter queue, with a Scheduler client; looked up once, on first use.
 *
 * @throws StackNotFoundError when there is no such stack, or it schedules nothing.
 */
export function stackSchedules(clients: AwsClients, stackName: string, region: string): () => Promise<ScheduleDeps> {
  let found: Promise<ScheduleDeps> | undefined;
  const find = async (): Promise<ScheduleDeps> => {
    const cloudFormation = await clients.cloudFormation();
    const ids = await stackResourceIds(cloudFormation, stackName, [
      LOGICAL_IDS.schedulerRole,
      LOGICAL_IDS.stateMachine,
      LOGICAL_IDS.undeliveredQueue,
    ]);
    const roleName = ids[LOGICAL_IDS.schedulerRole];
    const stateMachineArn = ids[LOGICAL_IDS.stateMachine];
    const queueUrl = ids[LOGICAL_IDS.undeliveredQueue];
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
  };
  return () => {
    found ??= find();
    return found;
  };
}
