import {
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSpotFleetRequestsCommand,
  DescribeSpotInstanceRequestsCommand,
} from '@aws-sdk/client-ec2';
import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import type { Ec2Api, LambdaApi } from '../../aws/narrow-clients.js';
import { shellCommand } from '../../common/shell-words.js';
import { GONE, type LeftoverCheck } from './inventory-types.js';

/*
 * The checks of what was launched (instances, functions, spot requests, fleets, key pairs), apart:
 * the EC2 and Lambda commands are large, and are loaded only when the attacker launched something.
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
  // Existence is all the check needs: GetFunction would also give the code's download URL and
  // the environment variables (often secrets); GetFunctionConcurrency gives neither.
  await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
}

/**
 * A spot instance request: while open or active, the command cancels it and terminates its
 * instance (cancelling leaves the instance running); once closed, its instance if it still runs.
 */
export async function checkSpotRequest(ec2: Ec2Api, id: string, region: string): Promise<LeftoverCheck> {
  const answer = await ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }));
  const request = answer.SpotInstanceRequests?.[0];
  if (!request) return GONE;
  const instance = request.InstanceId;
  const terminate = instance && shellCommand`aws ec2 terminate-instances --region ${region} --instance-ids ${instance}`;
  if (request.State === 'open' || request.State === 'active') {
    const cancel = shellCommand`aws ec2 cancel-spot-instance-requests --region ${region} --spot-instance-request-ids ${id}`;
    return {
      state: 'exists',
      note: `${request.State}${instance ? `, instance ${instance}` : ''}`,
      command: terminate ? `${cancel} && ${terminate}` : cancel,
    };
  }
  const running = instance ? await instanceState(ec2, instance) : null;
  if (!terminate || !running) return GONE;
  return {
    state: 'exists',
    note: `${request.State ?? 'closed'}, but its instance ${instance} is ${running}`,
    command: terminate,
  };
}

/** A fleet in one of these states runs nothing, or its instances are being terminated. */
const ENDED = /^(cancelled|deleted|failed)(_terminating)?$/;
/** A fleet cancelled whose instances run on: they must be terminated one by one. */
const ENDED_RUNNING = /^(cancelled|deleted)_running$/;

function fleetCheck(state: string | undefined, remove: string, list: string): LeftoverCheck {
  if (!state || ENDED.test(state)) return GONE;
  if (ENDED_RUNNING.test(state))
    return {
      state: 'exists',
      note: `${state}: its instances still run; terminate each (this lists them)`,
      command: list,
    };
  return { state: 'exists', note: state, command: remove };
}

/** A spot fleet request: while it runs, the command cancels it with its instances. */
export async function checkSpotFleet(ec2: Ec2Api, id: string, region: string): Promise<LeftoverCheck> {
  const answer = await ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [id] }));
  return fleetCheck(
    answer.SpotFleetRequestConfigs?.[0]?.SpotFleetRequestState,
    shellCommand`aws ec2 cancel-spot-fleet-requests --region ${region} --spot-fleet-request-ids ${id} --terminate-instances`,
    shellCommand`aws ec2 describe-spot-fleet-instances --region ${region} --spot-fleet-request-id ${id}`,
  );
}

/** An EC2 fleet: while it runs, the command deletes it with its instances. */
export async function checkFleet(ec2: Ec2Api, id: string, region: string): Promise<LeftoverCheck> {
  const answer = await ec2.send(new DescribeFleetsCommand({ FleetIds: [id] }));
  return fleetCheck(
    answer.Fleets?.[0]?.FleetState,
    shellCommand`aws ec2 delete-fleets --region ${region} --fleet-ids ${id} --terminate-instances`,
    shellCommand`aws ec2 describe-fleet-instances --region ${region} --fleet-id ${id}`,
  );
}

/** A key pair the attacker made or imported: whoever holds its private key gets into instances launched with it. */
export async function checkKeyPair(ec2: Ec2Api, name: string, region: string): Promise<LeftoverCheck> {
  const answer = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [name] }));
  if (!answer.KeyPairs?.length) return GONE;
  return {
    state: 'exists',
    note: 'instances launched with it let in whoever holds its private key',
    command: shellCommand`aws ec2 delete-key-pair --region ${region} --key-name ${name}`,
  };
}
