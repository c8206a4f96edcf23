import type { Command } from 'commander';
import { DeploymentError, ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { runAction, withCommonOptions } from '../command-kit.js';
import { awsContext, type CommonOptions, DEFAULT_STACK_NAME, stackRegion } from '../options.js';
import type { Output } from '../output.js';
import { type StackParameterFlags, stackParameters } from '../stack-parameters.js';

interface DeployFlags extends CommonOptions, StackParameterFlags {
  stackName: string;
  bucket?: string;
  execute: boolean;
  yes?: boolean;
}

/** `exposed-keys deploy`: build, upload and deploy the stack through a change set. */
export function registerDeploy(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    program
      .command('deploy')
      .description('deploy or update the stack (us-east-1): build the Lambda artifact, upload it, apply a change set')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME)
      .option('--email <address>', 'subscribe this e-mail address to the notifications ("" for none)')
      .option('--mode <mode>', 'containment mode: delete | deactivate | notify-only')
      .option('--lookback-hours <n>', 'hours of CloudTrail activity to investigate (1-2160)')
      .option('--regions <list>', 'regions to investigate, comma-separated, or "all" for every enabled region')
      .option('--revoke-sessions <bool>', 'deny sessions minted before containment: true | false')
      .option('--log-retention-days <n>', "days to keep the functions' logs")
      .option(
        '--bucket <name>',
        'artifact bucket (default: exposed-keys-artifacts-<account>-<region>, created if needed)',
      )
      .option('--no-execute', 'create and show the change set, but do not execute it')
      .option('--yes', 'do not ask before executing the change set'),
  ).action(async (flags: DeployFlags) => {
    setExitCode(await runAction(flags, (output) => deploy(flags, output)));
  });
}

async function deploy(flags: DeployFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  const parameters = stackParameters(flags);
  if (flags.bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(flags.bucket))
    throw new InvalidInputError(
      '--bucket',
      `--bucket ${JSON.stringify(flags.bucket.slice(0, 80))} is not a valid S3 bucket name.`,
    );
  if (!flags.execute && flags.yes) throw new InvalidInputError('--yes', '--yes and --no-execute together: choose one.');

  const [{ AwsClients }, deployLib, { callerAccount }, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../../deploy/index.js'),
    import('../aws-account.js'),
    import('../render/stack.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const progress = await output.progress('Building the Lambda artifact…');
  const artifact = await deployLib.ensureArtifact();
  progress.update(`Artifact ${artifact.fileName} (${artifact.source}); checking credentials…`);
  const account = await callerAccount(await clients.sts());
  const s3 = await clients.s3();
  const bucket = flags.bucket ?? deployLib.artifactBucketName(account, region);
  await deployLib.ensureArtifactBucket({ s3 }, { bucket, region });
  const uploaded = await deployLib.uploadArtifact({ s3 }, { bucket, artifact });
  progress.update(`Artifact s3://${bucket}/${uploaded.key} (${uploaded.status}); preparing the change set…`);

  const cloudFormation = await clients.cloudFormation();
  const deps = {
    cloudFormation,
    progress: {
      onStep: (message: string) => progress.update(message),
      onStackEvent: (event: Parameters<typeof render.renderStackEvent>[0]) =>
        output.info(render.renderStackEvent(event, output.palette)),
    },
  };
  const prepared = await deployLib.prepareChangeSet(deps, {
    stackName: flags.stackName,
    parameters: { ...parameters, ArtifactBucket: bucket, ArtifactKey: uploaded.key },
  });
  progress.stop();
  const summary = { stackName: flags.stackName, artifact: { bucket, key: uploaded.key, upload: uploaded.status } };

  if (prepared.noChanges) {
    const stack = await deployLib.describeStack(cloudFormation, flags.stackName);
    const result = {
      ...summary,
      status: stack?.status ?? 'unknown',
      noChanges: true,
      changes: [],
      resources: stack?.resources ?? [],
      outputs: stack?.outputs ?? {},
    };
    if (output.json) output.printJson(result);
    else
      output.result(
        render.renderDeployResult(
          { ...result, stackId: stack?.stackId ?? '', state: stack?.state ?? 'succeeded', events: [] },
          output.palette,
        ),
      );
    return ExitCode.ok;
  }
  output.info(`${output.palette.bold(`Change set ${prepared.changeSetName}`)} (${prepared.changeSetType}):`);
  output.info(render.renderChanges(prepared.changes, output.palette));

  if (!flags.execute) {
    if (output.json)
      output.printJson({
        ...summary,
        status: 'REVIEW',
        noChanges: false,
        changeSet: prepared.changeSetId,
        changes: prepared.changes,
      });
    else output.result(`Change set left for review: ${prepared.changeSetId}`);
    return ExitCode.ok;
  }
  if (!flags.yes) {
    if (!output.canAsk) {
      await deployLib.discardChangeSet(deps, prepared);
      throw new InvalidInputError('--yes', 'deploy changes the account: add --yes to confirm when not at a terminal.');
    }
    if (!(await output.confirm(`Execute this change set on ${flags.stackName}?`))) {
      await deployLib.discardChangeSet(deps, prepared);
      output.info('Change set discarded; nothing was changed.');
      return ExitCode.ok;
    }
  }
  const following = await output.progress(`Deploying ${flags.stackName}…`);
  try {
    const result = await deployLib.executeChangeSet(
      { ...deps, progress: { ...deps.progress, onStep: (message: string) => following.update(message) } },
      prepared,
    );
    following.succeed(`${flags.stackName}: ${result.status}`);
    if (output.json)
      output.printJson({
        ...summary,
        status: result.status,
        noChanges: false,
        changes: prepared.changes,
        resources: result.resources,
        outputs: result.outputs,
      });
    else output.result(render.renderDeployResult(result, output.palette));
    return ExitCode.ok;
  } catch (error) {
    following.fail(`${flags.stackName}: deploy failed`);
    if (error instanceof DeploymentError)
      for (const failure of error.failures) output.error(`${failure.logicalId} ${failure.status}: ${failure.reason}`);
    throw error;
  }
}
