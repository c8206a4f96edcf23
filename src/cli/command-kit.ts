import type { Command } from 'commander';
import type { ExitCodeValue } from '../errors.js';
import type { CommonOptions } from './options.js';
import type { Output } from './output.js';

/** Adds the flags every command takes (and, with `athena`, those that choose Athena as the activity source). */
export function withCommonOptions(command: Command, options: { athena?: boolean } = {}): Command {
  return (options.athena ? withAthenaOptions(command) : command)
    .option('--region <region>', 'AWS region (default: AWS_REGION, else us-east-1)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config')
    .option('--json', 'print one JSON document on stdout, and no progress')
    .option('--verbose', 'show detail and stack traces on stderr')
    .option('--timeout <seconds>', 'seconds to wait for each AWS answer before retrying (default 30)');
}

/** Adds the flags that choose CloudTrail log files as the activity source (`investigate`). */
export function withLogFilesOptions(command: Command): Command {
  return command
    .option('--logs <location>', 'read CloudTrail log files from a folder or s3://bucket/prefix, not LookupEvents')
    .option('--max-file-mb <n>', 'the most MiB of text one log file may hold once inflated (default 128)');
}

/** Adds the flags that choose Athena as the activity source (`investigate`, `respond`). */
export function withAthenaOptions(command: Command): Command {
  return command
    .option('--athena-table <db.table>', 'query CloudTrail with Athena through this Glue table (organisation scale)')
    .option('--athena-output <s3>', "where Athena writes results, s3://bucket/prefix/ (default: the workgroup's)")
    .option('--workgroup <name>', 'the Athena workgroup (its bytes-scanned limit and results location apply)')
    .option('--accounts <list>', "account partitions to read (default: the keys' own accounts, from STS)");
}

/**
 * Runs a command's body with the output module, turning any error into its message, hint and exit
 * code. Output and error handling are loaded here, on first use, to keep `--help` fast.
 */
export async function runAction(
  options: CommonOptions,
  body: (output: Output) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  const [{ Output }, { handleError }] = await Promise.all([import('./output.js'), import('./error-handler.js')]);
  const output = new Output({ json: options.json, verbose: options.verbose });
  try {
    return await body(output);
  } catch (error) {
    return handleError(error, output);
  }
}
