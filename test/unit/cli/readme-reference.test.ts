import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../../src/cli/main.js';
import { projectRoot } from '../../../src/common/project-root.js';
import { ExitCode } from '../../../src/errors.js';

/*
 * The README's command reference (the block under "## CLI") against the commands themselves: each
 * command's lines, with the groups they take (ATHENA, the account flags, the common flags), name
 * every long option its --help lists and none it does not take; an option the command refuses
 * without another is shown inside that one's brackets, and two it refuses together as a choice.
 */

const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
const commands = buildProgram(() => {}).commands;

function synopsis(): string[] {
  const section = readme.slice(readme.indexOf('\n## CLI\n'));
  const block = /```\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no command block under "## CLI"');
  return block.split('\n');
}

/** The group lines (`ATHENA: …`, `respond, simulate, …: …`, `common: …`): whom each is for, and what it says. */
function groups(lines: string[]): { names: string[]; text: string }[] {
  return lines.flatMap((line) => {
    const match = /^([A-Za-z][\w ,]*):\s+(.*)$/.exec(line);
    if (!match) return [];
    return [{ names: (match[1] as string).split(',').map((name) => name.trim()), text: match[2] as string }];
  });
}

/** What the block says of command `name`: its own lines (empty when it has none), then the groups it takes. */
function referenceOf(name: string): string {
  const lines = synopsis();
  const start = lines.findIndex((line) => line.startsWith(`exposed-keys ${name} `));
  if (start < 0) return '';
  const own = [lines[start] as string];
  for (const line of lines.slice(start + 1)) {
    if (!/^\s/.test(line)) break;
    own.push(line);
  }
  const text = own.join('\n');
  const taken = groups(lines).filter(
    ({ names }) =>
      names.includes(name) || names.includes('common') || (names.includes('ATHENA') && /\bATHENA\b/.test(text)),
  );
  return [text, ...taken.map((group) => group.text)].join('\n');
}

function longOptions(command: Command): string[] {
  return command.options.flatMap((option) => (option.long && option.long !== '--help' ? [option.long] : []));
}

/** Where `flag` stands in `text` as a word of its own, or -1. */
function indexOfFlag(text: string, flag: string): number {
  return new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).exec(text)?.index ?? -1;
}

/** True when `inner` stands after `outer` before the brackets around `outer` close. */
function nestedUnder(text: string, outer: string, inner: string): boolean {
  const from = indexOfFlag(text, outer);
  if (from < 0) return false;
  let depth = 0;
  for (let at = from; at < text.length; at += 1) {
    if (text[at] === '[' || text[at] === '(') depth += 1;
    else if (text[at] === ']' || text[at] === ')') depth -= 1;
    if (depth < 0) return false;
    if (indexOfFlag(text.slice(at), inner) === 0) return true;
  }
  return false;
}

/** True when `first` and `second` stand in one bracket, on either side of a `|` of that bracket: a choice. */
function shownAsChoice(text: string, first: string, second: string): boolean {
  const from = indexOfFlag(text, first);
  if (from < 0) return false;
  let depth = 0;
  let choice = false;
  for (let at = from; at < text.length; at += 1) {
    if (text[at] === '[' || text[at] === '(') depth += 1;
    else if (text[at] === ']' || text[at] === ')') depth -= 1;
    else if (text[at] === '|' && depth === 0) choice = true;
    if (depth < 0) return false;
    if (indexOfFlag(text.slice(at), second) === 0) return choice;
  }
  return false;
}

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await main(['node', 'exposed-keys', ...args]);
  return { code, stderr: stderr.mock.calls.map(([text]) => String(text)).join('') };
}

const KEY = ['--key', 'AKIAIOSFODNN7EXAMPLE'];
const HERE = ['--region', 'us-east-1'];
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:security';

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the README's command reference", () => {
  it('shows every command', () => {
    expect(commands.map((command) => command.name()).filter((name) => referenceOf(name) === '')).toEqual([]);
  });

  it.each(commands.map((command) => [command.name(), command] as const))(
    'names every long option of %s, and no other',
    (name, command) => {
      const reference = referenceOf(name);
      const taken = longOptions(command);

      expect(taken.filter((flag) => indexOfFlag(reference, flag) < 0)).toEqual([]);
      const named = [...new Set(reference.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])];
      expect(named.filter((flag) => !taken.includes(flag))).toEqual([]);
    },
  );

  const needs = [
    { name: 'deploy', rest: ['--yes', ...HERE], flag: '--targets', value: 'r-abcd', needed: '--org' },
    { name: 'destroy', rest: ['--yes', ...HERE], flag: '--bucket', value: 'my-artifacts', needed: '--delete-bucket' },
    { name: 'destroy', rest: ['--yes', ...HERE], flag: '--management-profile', value: 'management', needed: '--org' },
    { name: 'simulate', rest: [...KEY, ...HERE], flag: '--topic', value: TOPIC, needed: '--local' },
    { name: 'respond', rest: [...KEY, ...HERE], flag: '--delete-after-days', value: '3', needed: '--mode' },
    { name: 'respond', rest: [...KEY, ...HERE], flag: '--workgroup', value: 'primary', needed: '--athena-table' },
    { name: 'investigate', rest: KEY, flag: '--max-file-mb', value: '5', needed: '--logs' },
    { name: 'investigate', rest: KEY, flag: '--accounts', value: '123456789012', needed: '--athena-table' },
    { name: 'release', rest: [...KEY, ...HERE], flag: '--role-name', value: 'responder', needed: '--account' },
  ];

  it.each(needs)(
    'shows $name $flag inside the brackets of $needed, as the command refuses it without',
    async ({ name, rest, flag, value, needed }) => {
      expect(nestedUnder(referenceOf(name), needed, flag)).toBe(true);

      const refused = await run([name, ...rest, flag, value]);

      expect(refused.code).toBe(ExitCode.badInput);
      expect(refused.stderr).toContain(needed);
    },
  );

  const choices = [
    { name: 'deploy', rest: HERE, one: ['--no-execute'], other: ['--yes'] },
    { name: 'simulate', rest: [...KEY, ...HERE], one: ['--local'], other: ['--no-wait'] },
    { name: 'respond', rest: [...KEY, ...HERE], one: ['--hours', '3'], other: ['--start', '2026-01-01'] },
    { name: 'investigate', rest: KEY, one: ['--logs', '.'], other: ['--regions', 'us-east-1'] },
    { name: 'investigate', rest: KEY, one: ['--hours', '3'], other: ['--end', '2026-01-01'] },
  ];

  it.each(choices)(
    'shows $name $one.0 and $other.0 as a choice, as the command refuses them together',
    async ({ name, rest, one, other }) => {
      expect(shownAsChoice(referenceOf(name), one[0] as string, other[0] as string)).toBe(true);

      const refused = await run([name, ...rest, ...one, ...other]);

      expect(refused.code).toBe(ExitCode.badInput);
    },
  );
});
