import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import type { Ec2Api, LambdaApi } from '../../aws/narrow-clients.js';

/*
 * The checks of instances and functions, apart: the EC2 and Lambda commands are large, and are
 * loaded only when the attacker launched something.
 */

/** The instance's state now (`running`, `stopped`…), or null when it is gone or terminated. */
export async function instanceState(ec2: Ec2Api, instanceId: string): Promise<string | null> {
  const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const state = answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  return !state || state === 'terminated' ? null : state;
}

/**
 * Resolves when the function exists.
 *
 * @throws the SDK's ResourceNotFoundException when it does not.
 */
export async function functionExists(lambda: LambdaApi, functionName: string): Promise<void> {
  await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
}
