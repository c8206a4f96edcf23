import { callerAccount } from '../../aws/caller-account.js';
import type { AwsClients } from '../../aws/clients.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { StateTransition } from '../../state-machine/run-local.js';
import type { SimulatedSource } from '../../state-machine/simulated-event.js';
import { runSimulation, type SimulateResult } from './simulate.js';
import { resolveTopic } from './topic.js';

/** What `simulate` was asked, checked. */
export interface SimulateCommandRequest {
  accessKeyId?: string;
  userName?: string;
  topicArn?: string;
  source: SimulatedSource;
  createTestUser: boolean;
  local: boolean;
  wait: boolean;
  stackName: string;
}

/** How the command shows what happens. */
export interface SimulateUi {
  onTransition(transition: StateTransition): void;
  onStep(message: string): void;
  onWarning(message: string): void;
}

/**
 * `simulate` from the command line: checks the credentials (the event names the caller's
 * account), finds the topic for a local run, builds the clients and runs the simulation.
 */
export async function simulateCommand(
  clients: AwsClients,
  request: SimulateCommandRequest,
  ui: SimulateUi,
): Promise<SimulateResult> {
  if (request.local) await import('../../state-machine/promise-with-resolvers.js');
  const accountId = await callerAccount(await clients.sts());
  const topic = request.local ? await resolveTopic(clients, request) : {};
  if (topic.warning) ui.onWarning(topic.warning);
  const result = await runSimulation(
    {
      iam: await clients.iam(),
      sfn: await clients.sfn(),
      cloudFormation: await clients.cloudFormation(),
      cloudTrail: await clients.cloudTrail(),
      listRegions: () => clients.listRegions(),
      sns: topic.sns,
    },
    {
      ...request,
      accountId,
      region: clients.context.region,
      topicArn: topic.topicArn,
      onTransition: ui.onTransition,
      onStep: ui.onStep,
    },
  );
  if (result.testUser && !result.testUser.removed)
    ui.onWarning(`Test user ${result.testUser.userName} was not removed.`);
  return result;
}

/** The exit code of a simulation: 4 when the key was not contained, 3 when the execution failed. */
export function simulationExitCode(result: SimulateResult, waited: boolean): ExitCodeValue {
  const { status, error } = result.execution;
  if (status === 'RUNNING' && !waited) return ExitCode.ok;
  if (error === 'KeyNotContained') return ExitCode.needsHuman;
  if (result.testUser && result.testUser.keyStatusAfter === 'Active') return ExitCode.needsHuman;
  return status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.awsFailed;
}
