import type { Command } from 'commander';
import { DEFAULT_RESPONDER_ROLE_NAME, DEFAULT_STACK_SET_NAME } from '../constants.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../errors.js';
import type { CommonOptions } from './options.js';
import type { Output } from './output.js';

/** The help of `--regions`, which `investigate` and `respond` take alike. */
export const REGIONS_HELP =
  'regions to search, comma-separated (default: every enabled region); LookupEvents and Athena search us-east-1 too, where IAM and STS calls are recorded';

/** Adds the flags every command takes (and, with `athena`, those that choose Athena as the activity source). */
export function withCommonOptions(command: Command, options: { athena?: boolean } = {}): Command {
  return (options.athena ? withAthenaOptions(command) : command)
    .option('--region <region>', 'AWS region (default: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config')
    .option('--json', 'print one JSON document on stdout, and no progress')
    .option('--verbose', 'show detail and stack traces on stderr')
    .option('--timeout <seconds>', 'seconds to wait for each AWS answer before retrying (default 30)');
}

/** Adds the flags that choose CloudTrail log files as the activity source (`investigate`). */
export function withLogFilesOptions(command: Command): Command {
  return command
    .option(
      '--logs <location>',
      'read CloudTrail log files from a folder, a file or s3://bucket/prefix, not LookupEvents',
    )
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

/** Adds `--account` and `--role-name`, for commands that can act in a member account of an organisation. */
export function withAccountOptions(command: Command): Command {
  return command
    .option('--account <id>', 'act in this member account, through its responder role (organisation mode)')
    .option(
      '--role-name <name>',
      `with --account: the responder role to assume (default ${DEFAULT_RESPONDER_ROLE_NAME})`,
    );
}

/** The organisation flags of `deploy`, `destroy` and `status`. */
export interface OrganizationFlags {
  org?: boolean;
  stackSetName: string;
  targets?: string;
  managementProfile?: string;
  roleName?: string;
  operatorRoleArns?: string;
}

/** Adds `--org` and the flags that go with it: `--targets` and `--role-name` on deploy, `--management-profile` on deploy and destroy. */
export function withOrganizationOptions(command: Command, kind: 'deploy' | 'destroy' | 'status'): Command {
  command
    .option('--org', 'organisation mode: the hub, and the member StackSet of every account (us-east-1)')
    .option('--stack-set-name <name>', 'with --org: the member StackSet', DEFAULT_STACK_SET_NAME);
  if (kind === 'deploy')
    command
      .option('--targets <ids>', 'with --org: roots and OUs to deploy the members to (default: the root)')
      .option(
        '--role-name <name>',
        `with --org: the responder role in each member (default ${DEFAULT_RESPONDER_ROLE_NAME})`,
      )
      .option(
        '--operator-role-arns <arns>',
        'with --org: roles of the hub account that may also assume it, for respond --account (comma-separated)',
      );
  if (kind !== 'status')
    command.option(
      '--management-profile <name>',
      'with --org: a profile of the management account, for its member stack',
    );
  return command;
}

/** Refuses the flags that only mean something with --org, before any call. */
export function refuseWithoutOrg(flags: OrganizationFlags): void {
  if (flags.org) return;
  const flagOf = {
    targets: '--targets',
    managementProfile: '--management-profile',
    roleName: '--role-name',
    operatorRoleArns: '--operator-role-arns',
  } as const;
  const given = (Object.keys(flagOf) as (keyof typeof flagOf)[]).find((name) => flags[name] !== undefined);
  if (given) throw new InvalidInputError(flagOf[given], `${flagOf[given]} applies to organisation mode: add --org.`);
}

/**
 * Runs a command's body with the output module, turning any error into its message, hint and exit
 * code, after warning when a profile and the environment's key are both set (the profile is used).
 * Output and error handling are loaded here, on first use, to keep `--help` fast.
 */
export async function runAction(
  options: CommonOptions,
  body: (output: Output) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  const [{ Output }, { handleError }, { credentialSourcesWarning }] = await Promise.all([
    import('./output.js'),
    import('./error-handler.js'),
    import('./credential-sources.js'),
  ]);
  const output = new Output({ json: options.json, verbose: options.verbose });
  // Before any call: a person must know which credentials act, the SDK's own warning being dropped.
  const credentials = credentialSourcesWarning(options.profile, process.env);
  if (credentials) output.warn(credentials);
  try {
    const { stackName } = options as { stackName?: unknown };
    if (typeof stackName === 'string') (await import('./options.js')).parseStackName(stackName);
    const code = await body(output);
    // A question answered with Ctrl-C was a no: the command said what it left unchanged.
    return output.interrupted ? ExitCode.interrupted : code;
  } catch (error) {
    return handleError(error, output);
  }
}
