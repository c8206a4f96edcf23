import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { bucketNameSchema } from '../../settings/settings.js';
import { cannotAsk, cliHost } from '../cli-host.js';
import {
  type OrganizationFlags,
  refuseWithoutOrg,
  runAction,
  withCommonOptions,
  withOrganizationOptions,
} from '../command-kit.js';
import { awsContext, type CommonOptions, checkNewStackName, parseFlag, stackRegion } from '../options.js';
import type { Output } from '../output.js';
import { type StackParameterFlags, stackParameters, withSettingFlags } from '../stack-parameters.js';

interface DeployFlags extends CommonOptions, StackParameterFlags, OrganizationFlags {
  stackName: string;
  bucket?: string;
  execute: boolean;
  yes?: boolean;
}

/** `exposed-keys deploy`: build, upload and deploy the stack through a change set. */
export function registerDeploy(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    // One flag per stack setting, each becoming its template parameter (src/cli/stack-parameters.ts).
    withSettingFlags(withOrganizationOptions(program.command('deploy'), 'deploy'))
      .description('deploy or update the stack (us-east-1): build the Lambda artifact, upload it, apply a change set')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME)
      .option('--bucket <name>', "artifact bucket (default: the stack's, or exposed-keys-artifacts-<account>-<region>)")
      .option('--no-execute', 'create and show the change set, but do not execute it')
      .option('--yes', 'do not ask before executing the change set'),
  ).action(async (flags: DeployFlags) => setExitCode(await runAction(flags, (output) => deploy(flags, output))));
}

async function deploy(flags: DeployFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  const parameters = stackParameters(flags);
  if (flags.bucket !== undefined) parseFlag(bucketNameSchema, flags.bucket, '--bucket');
  checkNewStackName(flags.stackName);
  if (!flags.execute && flags.yes) throw new InvalidInputError('--yes', '--yes and --no-execute together: choose one.');
  // Refused now, not once the artifact is uploaded and the change set made: then nothing is changed.
  if (flags.execute && !flags.yes && !output.canAsk) throw cannotAsk('deploy', 'changes the account', '--no-execute');
  refuseWithoutOrg(flags);
  const context = awsContext(flags, region);
  if (flags.org)
    return (await import('../run/organization.js')).deployOrganization({ ...flags, context, parameters }, output);

  const [{ AwsClients, s3OverPlainHttp }, { runDeploy }, render, { showDeployMessages }, { untilInterrupted }] =
    await Promise.all([
      import('../../aws/clients.js'),
      import('../../deploy/run-deploy.js'),
      import('../render/deploy.js'),
      import('../run/deploy-messages.js'),
      import('../interrupt.js'),
    ]);
  const clients = new AwsClients(context);
  const progress = await output.progress();
  const show = showDeployMessages(output, progress, flags.execute && !flags.yes);
  const deps = {
    sts: await clients.sts(),
    s3: await clients.s3(),
    s3PlainHttp: s3OverPlainHttp(),
    signer: () => clients.signer(),
    cloudFormation: await clients.cloudFormation(),
    io: cliHost(output, { command: 'deploy', yes: flags.yes, show }),
  };
  const input = { stackName: flags.stackName, region, parameters, bucket: flags.bucket, execute: flags.execute };
  // Ctrl-C stops at the next step and says what it left; CloudFormation goes on with what it was asked.
  const report = await untilInterrupted((signal) => runDeploy({ ...deps, poll: { signal } }, input)).finally(() =>
    progress.stop(),
  );
  // Also with --json, whose stdout then stays empty: the answer was no.
  if (report.outcome === 'aborted') output.notice(render.renderDeployReport(report, output.palette));
  else if (output.json) output.printJson(render.deployJson(report));
  else output.result(render.renderDeployReport(report, output.palette));
  return ExitCode.ok;
}
