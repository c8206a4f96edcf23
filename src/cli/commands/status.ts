import type { Command } from 'commander';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { runAction, withCommonOptions } from '../command-kit.js';
import { awsContext, type CommonOptions, DEFAULT_STACK_NAME, stackRegion } from '../options.js';
import type { Output } from '../output.js';

interface StatusFlags extends CommonOptions {
  stackName: string;
}

/** `exposed-keys status`: the stack, its subscriptions and its recent executions. */
export function registerStatus(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    program
      .command('status')
      .description('show the stack, its resources, topic subscriptions and recent executions')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME),
  ).action(async (flags: StatusFlags) => {
    setExitCode(await runAction(flags, (output) => status(flags, output)));
  });
}

async function status(flags: StatusFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  const [{ AwsClients }, run, render, { table }] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/status.js'),
    import('../render/stack.js'),
    import('../render/table.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const result = await run.stackStatus(
    { cloudFormation: await clients.cloudFormation(), sns: await clients.sns(), sfn: await clients.sfn() },
    { stackName: flags.stackName, region },
  );
  if (output.json) {
    output.printJson(result);
    return ExitCode.ok;
  }
  const { palette } = output;
  const lines = [render.renderStackDescription(result.stack, palette), palette.bold('Topic subscriptions')];
  if (result.subscriptions.length === 0)
    lines.push(palette.yellow('  none: nobody receives the notifications (deploy --email, or subscribe to the topic)'));
  else
    lines.push(
      table(
        [{ header: 'protocol' }, { header: 'endpoint' }, { header: 'state' }],
        result.subscriptions.map((subscription) => [
          subscription.protocol,
          subscription.endpoint,
          subscription.pending ? palette.yellow('pending confirmation') : palette.green('confirmed'),
        ]),
      ),
    );
  lines.push('', palette.bold('Recent executions'));
  if (result.executions.length === 0) lines.push('  none yet (try `exposed-keys simulate`)');
  else
    lines.push(
      table(
        [{ header: 'started' }, { header: 'status' }, { header: 'outcome', max: 80 }, { header: 'name' }],
        result.executions.map((execution) => [
          execution.startedAt ?? '',
          execution.status === 'SUCCEEDED'
            ? palette.green(execution.status)
            : execution.status === 'RUNNING'
              ? execution.status
              : palette.red(execution.status),
          execution.outcome ?? '',
          execution.name,
        ]),
      ),
    );
  output.result(lines.join('\n'));
  return ExitCode.ok;
}
