import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import type { DestroyMessage } from '../../deploy/run-destroy.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { cliHost } from '../cli-host.js';
import {
  type OrganizationFlags,
  refuseWithoutOrg,
  runAction,
  withCommonOptions,
  withOrganizationOptions,
} from '../command-kit.js';
import { awsContext, type CommonOptions, parseBucketToDelete, stackRegion } from '../options.js';
import type { Output } from '../output.js';

interface DestroyFlags extends CommonOptions, OrganizationFlags {
  stackName: string;
  bucket?: string;
  deleteBucket?: boolean;
  yes?: boolean;
}

/** `exposed-keys destroy`: delete the stack and everything it made. */
export function registerDestroy(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    withOrganizationOptions(program.command('destroy'), 'destroy')
      .description('delete the stack and everything it made, log groups included')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME)
      .option('--delete-bucket', 'also delete the artifact bucket, unless it holds what is not exposed-keys’')
      .option(
        '--bucket <name>',
        'with --delete-bucket: the artifact bucket (default: the one the stack was deployed from, else exposed-keys-artifacts-<account>-<region>)',
      )
      .option('--yes', 'do not ask first'),
  ).action(async (flags: DestroyFlags) => setExitCode(await runAction(flags, (output) => destroy(flags, output))));
}

async function destroy(flags: DestroyFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  const bucket = parseBucketToDelete(flags);
  refuseWithoutOrg(flags);
  if (flags.org)
    return (await import('../run/organization.js')).destroyOrganization(
      { ...flags, context: awsContext(flags, region), deleteBucket: flags.deleteBucket ?? false },
      output,
    );
  const [{ AwsClients }, { runDestroy }, stack, render, { untilInterrupted }] = await Promise.all([
    import('../../aws/clients.js'),
    import('../../deploy/run-destroy.js'),
    import('../render/stack.js'),
    import('../render/destroy.js'),
    import('../interrupt.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const progress = await output.progress();
  const show = (message: DestroyMessage) => {
    if (message.kind === 'step') progress.step(message.text);
    else output.info(stack.renderStackEvent(message.event, output.stderrPalette));
  };
  const deps = {
    sts: await clients.sts(),
    cloudFormation: await clients.cloudFormation(),
    s3: () => clients.s3(),
    scheduler: () => clients.scheduler(),
    io: cliHost(output, { command: 'destroy', yes: flags.yes, show }),
  };
  const input = { stackName: flags.stackName, region, deleteBucket: flags.deleteBucket ?? false, bucket };
  // Ctrl-C stops following, saying what is left; CloudFormation goes on deleting.
  const report = await untilInterrupted((signal) => runDestroy({ ...deps, poll: { signal } }, input));
  progress.stop();
  if (report.outcome === 'aborted') {
    output.notice('Nothing was changed.');
    return ExitCode.ok;
  }
  if (output.json) output.printJson(render.destroyJson(report));
  else output.result(render.renderDestroyReport(report, region, output.palette));
  for (const kept of report.retained) output.warn(`Kept by its deletion policy: ${JSON.stringify(kept)}`);
  for (const warning of render.cancelledFollowUpWarnings(report)) output.warn(warning);
  return render.destroyExitCode(report);
}
