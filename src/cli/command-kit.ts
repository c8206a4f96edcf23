import type { Command } from 'commander';
import { DEFAULT_RESPONDER_ROLE_NAME } from '../constants.js';
import type { ExitCodeValue } from '../errors.js';
import type { CommonOptions } from './options.js';
import type { Output } from './output.js';

/** Adds the flags every command takes. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--region <region>', 'AWS region (default: AWS_REGION, else us-east-1)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config')
    .option('--json', 'print one JSON document on stdout, and no progress')
    .option('--verbose', 'show detail and stack traces on stderr')
    .option('--timeout <seconds>', 'seconds to wait for each AWS answer before retrying (default 30)');
}

/** Adds `--account` and `--role-name`, for commands that can act in a member account of an organisation. */
export function withAccountOptions(command: Command): Command {
  return command
    .option('--account <id>', 'act in this member account, through its responder role (organisation mode)')
    .option('--role-name <name>', 'the responder role to assume with --account', DEFAULT_RESPONDER_ROLE_NAME);
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
