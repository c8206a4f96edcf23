import type { Command } from 'commander';
import { DEFAULT_STACK_NAME } from '../../constants.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { REGIONS_HELP, runAction, withAccountOptions, withCommonOptions } from '../command-kit.js';
import * as parse from '../options.js';
import type { Output } from '../output.js';

interface RespondFlags extends parse.CommonOptions, parse.AthenaFlags, parse.AccountFlags {
  key?: string;
  user?: string;
  mode?: string;
  deleteAfterDays?: string;
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
    withAccountOptions(program.command('respond'))
      .description('contain a leaked key, investigate what it did, and notify (manual incident response)')
      .option('--key <id>', 'the exposed access key id (AKIA… or ASIA…)')
      .option('--user <name>', 'the IAM user the key belongs to (default: looked up from the key)')
      .option('--mode <mode>', 'delete | deactivate | deactivate-then-delete | notify-only', 'delete')
      .option('--delete-after-days <n>', 'with deactivate-then-delete: days before the deletion (default 7)')
      .option('--topic <arn>', "SNS topic to notify (default: the deployed stack's topic, else print the message)")
      .option('--stack-name <name>', 'stack whose topic, schedules and VerifyAfterMinutes to use', DEFAULT_STACK_NAME)
      .option('--hours <n>', 'investigate the last n hours (default 24)')
      .option('--start <iso>', 'investigate from this time (ISO 8601, UTC unless zoned; default 24 hours before --end)')
      .option('--end <iso>', 'investigate until this time (ISO 8601, UTC unless zoned; default now)')
      .option('--regions <list>', REGIONS_HELP)
      .option('--no-revoke-sessions', 'do not deny the sessions minted before containment')
      .option('--no-follow-sessions', 'do not investigate the session keys the key minted')
      .option('--dry-run', "show what would be done; change nothing but Athena's query results in S3")
      .option('--yes', 'do not ask before changing the account'),
    { athena: true },
  ).action(async (flags: RespondFlags) => setExitCode(await runAction(flags, (output) => respond(flags, output))));
}

async function respond(flags: RespondFlags, output: Output): Promise<ExitCodeValue> {
  const mode = parse.parseMode(flags.mode);
  if (flags.dryRun && mode === 'notify-only')
    throw new InvalidInputError('--dry-run', '--dry-run and --mode notify-only together would do nothing; use one.');
  const request = {
    ...parse.parseKeyAndUser(flags),
    window: parse.parseWindow(flags, new Date()),
    ...parse.parseSearch(flags),
    topicArn: parse.parseTopicArn(flags.topic),
    mode,
    deleteAfterDays: parse.parseDeleteAfterDays(flags.deleteAfterDays, mode),
    ...{ dryRun: flags.dryRun ?? false, revokeSessions: flags.revokeSessions, followSessions: flags.followSessions },
    ...parse.parseAccount(flags),
  };
  const context = parse.awsContext(flags, parse.stackRegion(flags));
  const [{ AwsClients }, run, render] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/respond-command.js'),
    import('../render/respond.js'),
  ]);
  const progress = await output.progress();
  const ui = { output, progress, yes: flags.yes, stackName: flags.stackName };
  const outcome = await run.respondCommand(new AwsClients(context), request, ui);
  progress.stop();
  if (outcome.aborted) return ExitCode.ok;
  const { result } = outcome;
  if (output.json) output.printJson(result);
  else output.result(render.renderResponse(result, output.palette));
  const problems = render.responseProblems(result, request.window);
  for (const [text, hint] of problems.errors) output.error(text, hint);
  for (const text of problems.warnings) output.warn(text);
  return run.responseExitCode(result);
}
