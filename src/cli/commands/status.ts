import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { type OrganizationFlags, runAction, withCommonOptions, withOrganizationOptions } from '../command-kit.js';
import { awsContext, type CommonOptions, stackRegion } from '../options.js';
import type { Output } from '../output.js';

interface StatusFlags extends CommonOptions, OrganizationFlags {
  stackName: string;
}

/** `exposed-keys status`: the stack, its subscriptions, its recent executions and its dead-letter queue. */
export function registerStatus(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    withOrganizationOptions(program.command('status'), 'status')
      .description('show the stack, its resources, topic subscriptions, recent executions and its dead-letter queue')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME),
  ).action(async (flags: StatusFlags) => setExitCode(await runAction(flags, (output) => status(flags, output))));
}

async function status(flags: StatusFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  if (flags.org)
    return (await import('../run/organization.js')).organizationStatusCommand(
      { ...flags, context: awsContext(flags, region) },
      output,
    );
  const [{ AwsClients }, run, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/status.js'),
    import('../render/status.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const result = await run.stackStatus(
    {
      cloudFormation: await clients.cloudFormation(),
      sns: await clients.sns(),
      sfn: await clients.sfn(),
      sqs: await clients.sqs(),
      events: await clients.eventBridge(),
      lambda: await clients.lambda(),
    },
    { stackName: flags.stackName, region },
  );
  if (output.json) output.printJson(result);
  else output.result(render.renderStatus(result, output.palette));
  const problems = run.statusProblems(result);
  for (const problem of problems) output.warn(problem);
  return problems.length > 0 ? ExitCode.awsFailed : ExitCode.ok;
}
