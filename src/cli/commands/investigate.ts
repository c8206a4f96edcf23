import type { Command } from 'commander';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { runAction, withAccountOptions, withCommonOptions } from '../command-kit.js';
import {
  type AccountFlags,
  awsContext,
  type CommonOptions,
  parseAccessKeyId,
  parseAccount,
  parseLogsLocation,
  parseRegions,
  parseWindow,
  resolveRegion,
} from '../options.js';
import type { Output } from '../output.js';

interface InvestigateFlags extends CommonOptions, AccountFlags {
  key?: string;
  logs?: string;
  hours?: string;
  start?: string;
  end?: string;
  regions?: string;
  followSessions?: boolean;
}

/** `exposed-keys investigate`: what a key did, from CloudTrail LookupEvents or from log files. */
export function registerInvestigate(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    withAccountOptions(program.command('investigate'))
      .description('summarise what an access key did, from CloudTrail (every region) or from log files')
      .option('--key <id>', 'the access key id (AKIA… or ASIA…)')
      .option('--logs <location>', 'read CloudTrail log files from a folder or s3://bucket/prefix, not LookupEvents')
      .option('--hours <n>', 'the last n hours (default 24)')
      .option('--start <iso>', 'from this time (ISO 8601; default 24 hours before --end)')
      .option('--end <iso>', 'until this time (ISO 8601; default now)')
      .option('--regions <list>', 'regions LookupEvents searches, comma-separated (default: every enabled region)')
      .option('--follow-sessions', 'also summarise the session keys it minted (--json: { activity, sessionActivity })')
      .option('--no-follow-sessions', 'do not summarise the session keys the key minted'),
  ).action(async (flags: InvestigateFlags) =>
    setExitCode(await runAction(flags, (output) => investigate(flags, output))),
  );
}

async function investigate(flags: InvestigateFlags, output: Output): Promise<ExitCodeValue> {
  const accessKeyId = parseAccessKeyId(flags.key, { readOnly: true });
  const window = parseWindow(flags, new Date());
  const regions = parseRegions(flags.regions);
  const region = resolveRegion(flags);
  if (flags.logs !== undefined && regions !== undefined)
    throw new InvalidInputError(
      '--regions',
      '--regions chooses where LookupEvents searches; log files (--logs) hold their own regions.',
    );
  const logs = parseLogsLocation(flags.logs);
  const account = parseAccount(flags);
  // The second hop costs as much again; with --json it is opt-in, so the default output stays the summary contract.
  const followSessions = flags.followSessions ?? !flags.json;

  const [{ AwsClients }, run, render, { renderActivityProgress }] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/investigate.js'),
    import('../render/activity.js'),
    import('../render/progress.js'),
  ]);
  const progress = await output.progress(`Investigating ${accessKeyId}…`);
  const result = await run.runInvestigation(new AwsClients(awsContext(flags, region)), {
    ...{ accessKeyId, window, regions, logs, followSessions, ...account },
    onProgress: (report) => progress.update(renderActivityProgress(report)),
  });
  progress.stop();

  const { activity, sessionActivity } = result;
  if (output.json) output.printJson(flags.followSessions ? { activity, sessionActivity } : activity);
  else output.result(render.renderInvestigation(result, output.palette));
  if (result.files) output.notice(render.renderFilesReport(result.files));
  for (const failed of activity.regions.failed) output.warn(`Not searched: ${failed.region}: ${failed.error}`);
  return ExitCode.ok;
}
