import type { Command } from 'commander';
import { topicRegion } from '../../aws/aws-names.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { runAction, withCommonOptions } from '../command-kit.js';
import {
  awsContext,
  type CommonOptions,
  DEFAULT_STACK_NAME,
  parseAccessKeyId,
  parseMode,
  parseRegions,
  parseTopicArn,
  parseUserName,
  parseWindow,
  resolveRegion,
} from '../options.js';
import type { Output } from '../output.js';

interface RespondFlags extends CommonOptions {
  key?: string;
  user?: string;
  mode?: string;
  topic?: string;
  stackName: string;
  hours?: string;
  start?: string;
  end?: string;
  regions?: string;
  dryRun?: boolean;
  yes?: boolean;
  revokeSessions: boolean;
  followSessions: boolean;
}

/** `exposed-keys respond`: the manual incident response, with the same steps the stack runs. */
export function registerRespond(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    program
      .command('respond')
      .description('contain a leaked key, investigate what it did, and notify (manual incident response)')
      .option('--key <id>', 'the exposed access key id (AKIA… or ASIA…)')
      .option('--user <name>', 'the IAM user the key belongs to (default: looked up from the key)')
      .option('--mode <mode>', 'delete | deactivate | notify-only', 'delete')
      .option('--topic <arn>', "SNS topic to notify (default: the deployed stack's topic, else print the message)")
      .option('--stack-name <name>', 'stack whose topic to use', DEFAULT_STACK_NAME)
      .option('--hours <n>', 'investigate the last n hours (default 24)')
      .option('--start <iso>', 'investigate from this time (ISO 8601)')
      .option('--end <iso>', 'investigate until this time (ISO 8601; default now)')
      .option('--regions <list>', 'regions to investigate, comma-separated (default: every enabled region)')
      .option('--no-revoke-sessions', 'do not deny the sessions minted before containment')
      .option('--no-follow-sessions', 'do not investigate the session keys the key minted')
      .option('--dry-run', 'show what would be done, and change nothing at all')
      .option('--yes', 'do not ask before changing the account'),
  ).action(async (flags: RespondFlags) => {
    setExitCode(await runAction(flags, (output) => respond(flags, output)));
  });
}

async function respond(flags: RespondFlags, output: Output): Promise<ExitCodeValue> {
  const accessKeyId = parseAccessKeyId(flags.key);
  const userName = parseUserName(flags.user);
  const mode = parseMode(flags.mode);
  const window = parseWindow(flags, new Date());
  const regions = parseRegions(flags.regions);
  const topic = parseTopicArn(flags.topic);
  const region = resolveRegion(flags);
  if (flags.dryRun && mode === 'notify-only')
    throw new InvalidInputError('--dry-run', '--dry-run and --mode notify-only together would do nothing; use one.');

  const [{ AwsClients }, run, stackTopic, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/respond.js'),
    import('../run/stack-topic.js'),
    import('../render/respond.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const progress = await output.progress(`Checking ${accessKeyId}…`);
  let topicArn = topic?.arn;
  if (!topicArn)
    topicArn =
      (await stackTopic.stackResourceId(
        await clients.cloudFormation(),
        flags.stackName,
        stackTopic.TOPIC_LOGICAL_ID,
      )) ?? undefined;
  const snsRegion = (topicArn ? topicRegion(topicArn) : undefined) ?? region;
  const sns = topicArn ? await new AwsClients(awsContext(flags, snsRegion)).sns() : undefined;
  const topicWarning = topic && sns ? await stackTopic.checkTopic(sns, topic.arn) : undefined;
  if (topicWarning) output.warn(topicWarning);

  const deps = {
    iam: await clients.iam(),
    sts: await clients.sts(),
    listRegions: () => clients.listRegions(),
    cloudTrail: await clients.cloudTrail(),
    sns,
  };
  const options = {
    accessKeyId,
    userName,
    mode,
    dryRun: flags.dryRun ?? false,
    revokeSessions: flags.revokeSessions,
    window,
    regions,
    topicArn,
    followSessions: flags.followSessions,
    onProgress: (step: { region: string; pages: number; events: number }) =>
      progress.update(`Investigating: ${step.region} page ${step.pages} (${step.events} events)`),
  };
  const planned = await run.planResponse(deps, options);
  progress.stop();
  output.info(render.renderPlan(planned, options, output.palette));

  if (!options.dryRun && run.planChangesSomething(planned.plan) && !flags.yes) {
    if (!output.canAsk)
      throw new InvalidInputError('--yes', 'respond changes the account: add --yes to confirm when not at a terminal.');
    if (!(await output.confirm('Proceed?'))) {
      output.info('Nothing was changed.');
      return ExitCode.ok;
    }
  }
  const working = await output.progress(
    options.dryRun ? 'Investigating (dry run)…' : 'Containing, investigating, notifying…',
  );
  options.onProgress = (step) =>
    working.update(`Investigating: ${step.region} page ${step.pages} (${step.events} events)`);
  const result = await run.runResponse(deps, options, planned);
  working.stop();

  if (output.json) output.printJson(result);
  else output.result(render.renderResponse(result, output.palette));
  if ('error' in result.containment)
    output.error(
      `The key was NOT contained: ${result.containment.error}`,
      'Contain it by hand: see "WHAT YOU MUST DO NOW".',
    );
  if (result.notification.status === 'failed')
    output.warn(`The notification was not sent: ${result.notification.error}`);
  if (result.investigationError) output.warn(`The investigation failed: ${result.investigationError}`);
  for (const failed of result.activity?.regions.failed ?? [])
    output.warn(`Region not searched: ${failed.region}: ${failed.error}`);
  if (result.needsHuman) return ExitCode.needsHuman;
  // Nothing is known of what the key did when no region could be searched: as `investigate`, that is a failure.
  if (result.notification.status === 'failed' || result.investigationError) return ExitCode.awsFailed;
  return ExitCode.ok;
}
