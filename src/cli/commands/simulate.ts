import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import { type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { SIMULATED_SOURCES, type SimulatedSource } from '../../state-machine/simulated-event.js';
import { runAction, withCommonOptions } from '../command-kit.js';
import * as parse from '../options.js';
import type { Output } from '../output.js';

interface SimulateFlags extends parse.CommonOptions {
  key?: string;
  user?: string;
  source: string;
  createTestUser?: boolean;
  local?: boolean;
  wait: boolean;
  topic?: string;
  stackName: string;
}

/** `exposed-keys simulate`: fire a realistic exposed-key event and follow what the state machine does. */
export function registerSimulate(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    program
      .command('simulate')
      .description('fire a simulated exposed-key event at the state machine and follow it')
      .option('--key <id>', 'the access key to report as exposed (it will be contained!)')
      .option('--user <name>', "the user to name in the event (default: the key's owner)")
      .option('--source <source>', 'trusted-advisor | health', 'trusted-advisor')
      .option('--create-test-user', 'simulate with a new user and key without permissions, then check and remove them')
      .option('--local', "run the template's state machine here with the real steps (nothing deployed needed)")
      .option('--topic <arn>', "with --local: SNS topic to notify (default: the stack's, else print the message)")
      .option('--no-wait', 'return once the execution has started')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME),
  ).action(async (flags: SimulateFlags) => setExitCode(await runAction(flags, (output) => simulate(flags, output))));
}

function refuse(flag: string, message: string): never {
  throw new InvalidInputError(flag, message);
}

function validate(flags: SimulateFlags) {
  if (!(SIMULATED_SOURCES as readonly string[]).includes(flags.source))
    refuse('--source', `--source must be one of ${SIMULATED_SOURCES.join(', ')}.`);
  if (flags.createTestUser && (flags.key !== undefined || flags.user !== undefined))
    refuse('--create-test-user', '--create-test-user makes its own user and key: leave out --key and --user.');
  if (flags.createTestUser && !flags.wait)
    refuse('--no-wait', '--create-test-user must wait for the execution, to check the key and remove the user.');
  if (flags.local && !flags.wait) refuse('--no-wait', '--local runs here and always waits.');
  if (flags.topic !== undefined && !flags.local)
    refuse('--topic', '--topic applies to --local; the deployed stack notifies its own topic.');
  return {
    accessKeyId: flags.createTestUser ? undefined : parse.parseAccessKeyId(flags.key),
    userName: parse.parseUserName(flags.user),
    topicArn: parse.parseTopicArn(flags.topic),
    source: flags.source as SimulatedSource,
    createTestUser: flags.createTestUser ?? false,
    local: flags.local ?? false,
    wait: flags.wait,
    stackName: flags.stackName,
  };
}

async function simulate(flags: SimulateFlags, output: Output): Promise<ExitCodeValue> {
  const region = parse.stackRegion(flags);
  const request = validate(flags);
  const [{ AwsClients }, run, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/simulate-command.js'),
    import('../render/simulate.js'),
  ]);
  const result = await run.simulateCommand(new AwsClients(parse.awsContext(flags, region)), request, {
    onTransition: (transition) => output.info(render.renderTransition(transition, output.palette)),
    onStep: (message) => output.info(message),
    onWarning: (message) => output.warn(message),
  });
  if (output.json) output.printJson(result);
  else output.result(render.renderSimulation(result, output.palette));
  return run.simulationExitCode(result, flags.wait);
}
