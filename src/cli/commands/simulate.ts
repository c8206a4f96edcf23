import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { cliHost } from '../cli-host.js';
import { runAction, withAccountOptions, withCommonOptions } from '../command-kit.js';
import * as parse from '../options.js';
import type { Output } from '../output.js';
import { type SimulateFlags, simulateRequest } from '../simulate-flags.js';

/** `exposed-keys simulate`: fire a realistic exposed-key event and follow what the state machine does. */
export function registerSimulate(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    withAccountOptions(program.command('simulate'))
      .description('fire a simulated exposed-key event at the state machine and follow it')
      .option('--key <id>', 'the access key to report as exposed (it will be contained!)')
      .option('--user <name>', "the user to name in the event (default: the key's owner)")
      .option('--source <source>', 'trusted-advisor | health (default: trusted-advisor)')
      .option('--event <file>', 'replay this EventBridge event as it was delivered, instead of a simulated one')
      .option('--create-test-user', 'simulate with a new user and key without permissions, then check and remove them')
      .option('--local', "run the template's state machine here with the real steps (nothing deployed needed)")
      .option('--topic <arn>', "with --local: SNS topic to notify (default: the stack's, else print the message)")
      .option('--no-wait', 'return once the execution has started')
      .option('--yes', 'do not ask before a real key (--key, --event) is contained')
      .option(
        '--stack-name <name>',
        'the stack whose state machine runs (with --local: whose settings and topic to use)',
        DEFAULT_STACK_NAME,
      ),
  ).action(async (flags: SimulateFlags) => setExitCode(await runAction(flags, (output) => simulate(flags, output))));
}

async function simulate(flags: SimulateFlags, output: Output): Promise<ExitCodeValue> {
  const region = parse.stackRegion(flags);
  const request = simulateRequest(flags);
  const [{ AwsClients }, run, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/simulate-command.js'),
    import('../render/simulate.js'),
  ]);
  const result = await run.simulateCommand(new AwsClients(parse.awsContext(flags, region)), request, {
    onTransition: (transition) => output.info(render.renderTransition(transition, output.stderrPalette)),
    onStep: (message) => output.info(message),
    onWarning: (message) => output.warn(message),
    confirm: cliHost(output, { command: 'simulate', yes: flags.yes, show: () => {} }).confirm,
  });
  if (!result) {
    output.notice('Nothing was changed.');
    return ExitCode.ok;
  }
  if (output.json) output.printJson(result);
  else output.result(render.renderSimulation(result, output.palette));
  return run.simulationExitCode(result, flags.wait);
}
