import type { Command } from 'commander';
import type { ExitCodeValue } from '../../errors.js';
import {
  REGIONS_HELP,
  runAction,
  withAccountOptions,
  withAthenaOptions,
  withCommonOptions,
  withLogFilesOptions,
} from '../command-kit.js';
import * as parse from '../options.js';
import type { Output } from '../output.js';

interface InvestigateFlags extends parse.CommonOptions, parse.AthenaFlags, parse.LogFilesFlags, parse.AccountFlags {
  key?: string;
  hours?: string;
  start?: string;
  end?: string;
  regions?: string;
  followSessions?: boolean;
  inventory?: boolean;
}

/** `exposed-keys investigate`: what a key did, from CloudTrail LookupEvents, log files or Athena. */
export function registerInvestigate(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    withAthenaOptions(
      withLogFilesOptions(
        withAccountOptions(program.command('investigate'))
          .description('summarise what an access key did, from CloudTrail (every region), log files or Athena')
          .option('--key <id>', 'the access key id (AKIA… or ASIA…)'),
      )
        .option('--hours <n>', 'the last n hours (default 24)')
        .option('--start <iso>', 'from this time (ISO 8601, UTC unless zoned; default 24 hours before --end)')
        .option('--end <iso>', 'until this time (ISO 8601, UTC unless zoned; default now)')
        .option('--regions <list>', REGIONS_HELP)
        .option(
          '--follow-sessions',
          'summarise the session keys it minted too (default: yes, but with --json only with --inventory; --json: { activity, sessionActivity })',
        )
        .option('--no-follow-sessions', 'do not summarise the session keys the key minted')
        .option('--inventory', 'also check what the attacker left, now (read only; --json adds { inventory })'),
    ),
  ).action(async (flags: InvestigateFlags) =>
    setExitCode(await runAction(flags, (output) => investigate(flags, output))),
  );
}

async function investigate(flags: InvestigateFlags, output: Output): Promise<ExitCodeValue> {
  const accessKeyId = parse.parseAccessKeyId(flags.key, { readOnly: true });
  const window = parse.parseWindow(flags, new Date());
  const region = parse.resolveRegion(flags);
  const source = { ...parse.parseInvestigateSource(flags), ...parse.parseAccount(flags) };
  const [{ AwsClients }, run, render, { renderActivityProgress }, { listenForInterrupt }] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/investigate.js'),
    import('../render/activity.js'),
    import('../render/progress.js'),
    import('../interrupt.js'),
  ]);
  const followSessions = run.followsSessions(flags);
  const progress = await output.progress(`Investigating ${accessKeyId}…`);
  const interrupt = source.logs ? undefined : listenForInterrupt();
  const result = await run
    .runInvestigation(new AwsClients(parse.awsContext(flags, region)), {
      ...{ accessKeyId, window, ...source, followSessions, signal: interrupt?.signal, inventory: !!flags.inventory },
      onProgress: (report) => progress.update(renderActivityProgress(report)),
      onWarning: (text) => output.warn(text),
    })
    .finally(() => interrupt?.dispose());
  progress.stop();
  if (output.json)
    output.printJson(render.investigationJson(result, { followSessions, inventory: flags.inventory ?? false }));
  else output.result(render.renderInvestigation(result, output.palette));
  for (const line of result.files ? render.renderFilesReport(result.files, output.verbose) : []) output.notice(line);
  if (result.queries) output.notice((await import('../render/queries.js')).renderQueriesReport(result.queries));
  const again = render.searchAgainLines(result, run.searchedWith(source));
  for (const text of [...render.notSearched(result, window), ...again]) output.warn(text);
  return run.investigationExitCode(result, interrupt?.signal.aborted === true);
}
