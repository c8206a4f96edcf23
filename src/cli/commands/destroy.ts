import type { Command } from 'commander';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { runAction, withCommonOptions } from '../command-kit.js';
import { awsContext, type CommonOptions, DEFAULT_STACK_NAME, stackRegion } from '../options.js';
import type { Output } from '../output.js';

interface DestroyFlags extends CommonOptions {
  stackName: string;
  bucket?: string;
  deleteBucket?: boolean;
  yes?: boolean;
}

/** `exposed-keys destroy`: delete the stack and everything it made. */
export function registerDestroy(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    program
      .command('destroy')
      .description('delete the stack and everything it made, log groups included')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME)
      .option('--delete-bucket', 'also empty and delete the artifact bucket')
      .option('--bucket <name>', 'the artifact bucket, if deploy was given --bucket')
      .option('--yes', 'do not ask first'),
  ).action(async (flags: DestroyFlags) => {
    setExitCode(await runAction(flags, (output) => destroy(flags, output)));
  });
}

async function destroy(flags: DestroyFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  if (flags.bucket !== undefined && !flags.deleteBucket)
    throw new InvalidInputError('--bucket', '--bucket names the bucket to delete: use it with --delete-bucket.');
  const [{ AwsClients }, deployLib, { callerAccount }, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../../deploy/index.js'),
    import('../aws-account.js'),
    import('../render/stack.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const account = await callerAccount(await clients.sts());
  const bucket = flags.deleteBucket ? (flags.bucket ?? deployLib.artifactBucketName(account, region)) : undefined;
  if (!flags.yes) {
    const what = `stack ${flags.stackName} in ${account}/${region}${bucket ? ` and bucket ${bucket}` : ''}`;
    if (!output.canAsk)
      throw new InvalidInputError('--yes', `destroy deletes the ${what}: add --yes to confirm when not at a terminal.`);
    if (!(await output.confirm(`Delete the ${what}?`))) {
      output.info('Nothing was deleted.');
      return ExitCode.ok;
    }
  }
  const progress = await output.progress(`Deleting ${flags.stackName}…`);
  const result = await deployLib.destroyStack(
    {
      cloudFormation: await clients.cloudFormation(),
      s3: bucket ? await clients.s3() : undefined,
      progress: {
        onStep: (message) => progress.update(message),
        onStackEvent: (event) => output.info(render.renderStackEvent(event, output.palette)),
      },
    },
    { stackName: flags.stackName, artifactBucket: bucket },
  );
  progress.stop();
  if (output.json) output.printJson(result);
  else {
    output.result(
      result.status === 'nothing-to-delete'
        ? `Nothing to delete: there is no stack ${flags.stackName} in ${region}.`
        : output.palette.green(`Deleted ${flags.stackName} and its resources.`),
    );
    for (const kept of result.retained) output.warn(`Kept by its deletion policy: ${JSON.stringify(kept)}`);
    if (result.bucket)
      output.result(
        `Bucket ${result.bucket.bucket}: ${result.bucket.status} (${result.bucket.objectsDeleted} objects).`,
      );
  }
  return ExitCode.ok;
}
