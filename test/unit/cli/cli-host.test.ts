import { describe, expect, it, vi } from 'vitest';
import { cliHost } from '../../../src/cli/cli-host.js';
import { InvalidInputError } from '../../../src/errors.js';
import { capturedOutput } from '../../support/output.js';

const request = { question: 'Proceed?', consequence: 'changes the account' };

describe('cliHost', () => {
  it('says yes without asking when given --yes', async () => {
    const { output, stderr } = capturedOutput({ terminal: false });
    const host = cliHost(output, { command: 'respond', yes: true, show: vi.fn() });

    await expect(host.confirm(request)).resolves.toBe(true);
    expect(stderr.text).toBe('');
  });

  it('refuses without a terminal, naming the command, what it would do and the flag to add', async () => {
    const { output } = capturedOutput({ terminal: false });
    const host = cliHost(output, { command: 'respond', show: vi.fn() });

    const refusal = host.confirm(request);

    await expect(refusal).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refusal).rejects.toThrow('respond changes the account: add --yes to confirm when not at a terminal.');
  });

  it('asks at a terminal, and goes ahead only on yes', async () => {
    const yes = capturedOutput({ terminal: true, answers: ['y'] });
    const no = capturedOutput({ terminal: true, answers: [''] });

    await expect(cliHost(yes.output, { command: 'deploy', show: vi.fn() }).confirm(request)).resolves.toBe(true);
    await expect(cliHost(no.output, { command: 'deploy', show: vi.fn() }).confirm(request)).resolves.toBe(false);
    expect(yes.stderr.text).toContain('Proceed? [y/N]');
  });

  it('passes what the library tells to the command', () => {
    const show = vi.fn();
    const { output } = capturedOutput();

    cliHost(output, { command: 'deploy', show }).notify({ kind: 'step', text: 'Uploading' });

    expect(show).toHaveBeenCalledWith({ kind: 'step', text: 'Uploading' });
  });
});
