import { Command, CommanderError } from 'commander';
import { packageVersion } from '../common/project-root.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDestroy } from './commands/destroy.js';
import { registerInvestigate } from './commands/investigate.js';
import { registerRelease } from './commands/release.js';
import { registerRespond } from './commands/respond.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStatus } from './commands/status.js';

/** Builds the command tree: one command per file, each loading its work only when it runs. */
export function buildProgram(setExitCode: (code: ExitCodeValue) => void): Command {
  const program = new Command('exposed-keys')
    .description(
      'Contain, investigate and report leaked AWS access keys.\n' +
        'Environment: AWS_PROFILE, AWS_REGION (else AWS_DEFAULT_REGION), NO_COLOR, AWS_ENDPOINT_URL[_<SERVICE>] (for emulators).',
    )
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDeploy(program, setExitCode);
  registerDestroy(program, setExitCode);
  registerStatus(program, setExitCode);
  registerSimulate(program, setExitCode);
  registerRespond(program, setExitCode);
  registerInvestigate(program, setExitCode);
  registerRelease(program, setExitCode);
  for (const command of program.commands) {
    command.exitOverride();
    refuseRepeatedValues(command);
    refuseContradictions(command);
  }
  return program;
}

/**
 * Refuses an option that takes a value given more than once: commander keeps the last one, so
 * `respond --key K1 --key K2` contained K2 alone and left K1 active without a word.
 */
function refuseRepeatedValues(command: Command): void {
  const given = new Map<string, number>();
  for (const option of command.options) {
    if (!option.required && !option.optional) continue;
    const flag = option.long ?? option.flags;
    command.on(`option:${option.name()}`, () => given.set(flag, (given.get(flag) ?? 0) + 1));
  }
  command.hook('preAction', () => {
    const repeated = [...given].filter(([, count]) => count > 1).map(([flag]) => flag);
    if (repeated.length > 0)
      command.error(`error: ${repeated.join(', ')} given more than once: give each once (only the last would count).`, {
        exitCode: ExitCode.badInput,
        code: 'exposed-keys.repeatedOption',
      });
  });
}

/**
 * Refuses a flag given with its negation (`--follow-sessions --no-follow-sessions`): commander keeps
 * the last, so the run would do what one of them said it would not, without a word.
 */
function refuseContradictions(command: Command): void {
  const given = new Map<string, Set<string>>();
  for (const option of command.options) {
    if (!option.long) continue;
    const flag = option.long;
    command.on(`option:${option.name()}`, () => {
      const flags = given.get(option.attributeName()) ?? new Set<string>();
      given.set(option.attributeName(), flags.add(flag));
    });
  }
  command.hook('preAction', () => {
    const both = [...given.values()].find((flags) => flags.size > 1);
    if (both)
      command.error(`error: ${[...both].join(' and ')} both given: they say opposite things; give one.`, {
        exitCode: ExitCode.badInput,
        code: 'exposed-keys.contradictoryOptions',
      });
  });
}

/** Runs the CLI on `argv` and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[]): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; every other parse error is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    throw error;
  }
}
