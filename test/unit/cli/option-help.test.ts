import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';

/* What `--help` says of an option, against what its command does with it. */

const commands = buildProgram(() => {}).commands;

function helpOf(command: string, flag: string): string {
  const option = commands.find((each) => each.name() === command)?.options.find((each) => each.long === flag);
  if (!option) throw new Error(`${command} has no ${flag}`);
  return option.description;
}

describe('the help of an option', () => {
  it.each([
    // A single log file is read as well as a folder (every file under it) or an S3 prefix.
    ['investigate', '--logs', /a folder, a file or s3:\/\/bucket\/prefix/],
    // respond schedules the deletion and the verification in the stack, after its VerifyAfterMinutes.
    ['respond', '--stack-name', /topic, schedules and VerifyAfterMinutes to use/],
    // Without --local, the stack's state machine runs; with it, the stack's settings and topic are taken.
    ['simulate', '--stack-name', /state machine.*--local.*settings and topic/],
    // Refused without --delete-bucket; with no stack left, the account's own bucket is the one.
    ['destroy', '--bucket', /^with --delete-bucket: .*exposed-keys-artifacts-<account>-<region>/],
    // The state machine's log group keeps the same retention as the functions'.
    ['deploy', '--log-retention-days', /the functions and the state machine/],
    // deploy --org fills the trail's organisation in only when a trail bucket is given.
    ['deploy', '--trail-org-id', /deploy --org --trail-bucket fills it in/],
  ])('%s %s says what the command does', (command, flag, says) => {
    expect(helpOf(command, flag)).toMatch(says);
  });
});
