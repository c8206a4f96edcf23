import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { runAction, withAccountOptions, withCommonOptions } from '../command-kit.js';
import * as parse from '../options.js';
import type { Output } from '../output.js';

interface ReleaseFlags extends parse.CommonOptions, parse.AccountFlags {
  key?: string;
  user?: string;
  reactivate?: boolean;
  topic?: string;
  stackName: string;
  yes?: boolean;
}

/** `exposed-keys release`: cancel the scheduled deletion of a key exposed-keys contained; or, a false alarm, reactivate it. */
export function registerRelease(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    withAccountOptions(program.command('release'))
      .description('cancel the scheduled deletion of a key exposed-keys deactivated (it stays inactive)')
      .option('--key <id>', 'the contained access key id (AKIA…)')
      .option('--user <name>', 'the IAM user the key belongs to (default: looked up from the key)')
      .option('--reactivate', 'also make the key active again: a false alarm (asks, naming the evidence)')
      .option('--topic <arn>', "SNS topic to notify (default: the deployed stack's topic, else print the message)")
      .option('--stack-name <name>', 'the stack whose schedules and topic to use', DEFAULT_STACK_NAME)
      .option('--yes', 'do not ask before changing the account'),
  ).action(async (flags: ReleaseFlags) => setExitCode(await runAction(flags, (output) => release(flags, output))));
}

async function release(flags: ReleaseFlags, output: Output): Promise<ExitCodeValue> {
  const request = {
    ...parse.parseKeyAndUser(flags),
    reactivate: flags.reactivate ?? false,
    ...parse.parseAccount(flags),
  };
  const topicArn = parse.parseTopicArn(flags.topic);
  const context = parse.awsContext(flags, parse.stackRegion(flags));
  const [{ AwsClients }, run, render, flow] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/release-command.js'),
    import('../render/release.js'),
    import('../run/release.js'),
  ]);
  const progress = await output.progress();
  const ui = { output, progress, yes: flags.yes, stackName: flags.stackName, topicArn };
  const outcome = await run.releaseCommand(new AwsClients(context), request, ui);
  progress.stop();
  if (outcome.aborted) return ExitCode.ok;
  if (output.json) output.printJson(outcome.result);
  else output.result(render.renderRelease(outcome.result, output.palette));
  const { release: step, notification } = outcome.result;
  if (step.status === 'failed') output.error(`The release failed: ${step.error}`, 'See "Do now" above.');
  if (notification.status === 'failed') output.warn(`The notification was not sent: ${notification.error}`);
  for (const warning of outcome.result.warnings) output.warn(warning);
  return flow.releaseExitCode(outcome.result);
}
