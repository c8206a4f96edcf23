import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { ExitCode } from '../../../src/errors.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('an option that takes a value, given twice', () => {
  it.each([
    [['respond', '--key', 'AKIAIOSFODNN7EXAMPLE', '--key', 'AKIAI44QH8DHBEXAMPLE'], '--key'],
    [['investigate', '--key', 'AKIAIOSFODNN7EXAMPLE', '--regions', 'us-east-1', '--regions', 'eu-west-1'], '--regions'],
    [['status', '--stack-name', 'a', '--stack-name', 'b'], '--stack-name'],
  ])('is refused before its command runs, naming it: %j', async (args, flag) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const code = await main(['node', 'exposed-keys', ...args]);

    expect(code).toBe(ExitCode.badInput);
    // As every other refusal reads, so that a script or a person finds it by its `error: `.
    expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(
      new RegExp(`^error: ${flag} given more than once: give each once \\(only the last would count\\)\\.`),
    );
  });

  it('leaves a flag without a value, given twice, alone', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    const code = await main(['node', 'exposed-keys', 'respond', '--help', '--help']);

    expect(code).toBe(ExitCode.ok);
    expect(stdout).toHaveBeenCalled();
  });
});

describe('a flag given with its negation', () => {
  it('is refused before its command runs, naming both', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const code = await main([
      'node',
      'exposed-keys',
      'investigate',
      '--key',
      'AKIAIOSFODNN7EXAMPLE',
      '--follow-sessions',
      '--no-follow-sessions',
    ]);

    expect(code).toBe(ExitCode.badInput);
    expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(
      /^error: --follow-sessions and --no-follow-sessions both given: they say opposite things; give one\./,
    );
  });
});
