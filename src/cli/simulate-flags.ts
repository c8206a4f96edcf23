import { InvalidInputError } from '../errors.js';
import { SIMULATED_SOURCES, type SimulatedSource } from '../state-machine/simulated-event.js';
import * as parse from './options.js';
import type { SimulateCommandRequest } from './run/simulate-command.js';

/** The flags of `exposed-keys simulate`. */
export interface SimulateFlags extends parse.CommonOptions, parse.AccountFlags {
  key?: string;
  user?: string;
  /** Undefined when not given: trusted-advisor, except with --event, which takes its file's. */
  source?: string;
  event?: string;
  createTestUser?: boolean;
  local?: boolean;
  wait: boolean;
  topic?: string;
  stackName: string;
  yes?: boolean;
}

function refuse(flag: string, message: string): never {
  throw new InvalidInputError(flag, message);
}

/**
 * The request the flags of `simulate` make, checked before any call: what to simulate (a key, a
 * test user, or an event replayed from a file), where, and whether to wait.
 *
 * @throws InvalidInputError naming the flag at fault.
 */
export function simulateRequest(flags: SimulateFlags): SimulateCommandRequest {
  const source = flags.source ?? 'trusted-advisor';
  if (!(SIMULATED_SOURCES as readonly string[]).includes(source))
    refuse('--source', `--source must be one of ${SIMULATED_SOURCES.join(', ')}.`);
  if (
    flags.event !== undefined &&
    (flags.key !== undefined || flags.user !== undefined || flags.createTestUser || flags.source !== undefined)
  )
    refuse('--event', '--event replays the event as it is: leave out --key, --user, --source and --create-test-user.');
  if (flags.createTestUser && (flags.key !== undefined || flags.user !== undefined))
    refuse('--create-test-user', '--create-test-user makes its own user and key: leave out --key and --user.');
  // The responder role may contain keys, never make users: the test user is made with your own credentials.
  if (flags.createTestUser && flags.account !== undefined)
    refuse(
      '--create-test-user',
      '--create-test-user makes a user with your own credentials, which --account does not use: run it with a profile of that account instead.',
    );
  if (flags.createTestUser && !flags.wait)
    refuse('--no-wait', '--create-test-user must wait for the execution, to check the key and remove the user.');
  if (flags.local && !flags.wait) refuse('--no-wait', '--local runs here and always waits.');
  if (flags.topic !== undefined && !flags.local)
    refuse('--topic', '--topic applies to --local; the deployed stack notifies its own topic.');
  return {
    accessKeyId: flags.createTestUser || flags.event !== undefined ? undefined : parse.parseAccessKeyId(flags.key),
    ...(flags.event === undefined ? {} : { eventFile: flags.event }),
    userName: parse.parseUserName(flags.user),
    topicArn: parse.parseTopicArn(flags.topic),
    source: source as SimulatedSource,
    createTestUser: flags.createTestUser ?? false,
    local: flags.local ?? false,
    wait: flags.wait,
    stackName: flags.stackName,
    ...parse.parseAccount(flags),
  };
}
