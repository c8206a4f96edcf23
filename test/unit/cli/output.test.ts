import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../../../src/cli/output.js';
import { Captured, capturedOutput } from '../../support/output.js';

describe('Output', () => {
  it('prints exactly one JSON document on stdout with --json, and keeps warnings on stderr', () => {
    const { output, stdout, stderr } = capturedOutput({ json: true });

    output.info('progress note');
    output.result('a table');
    output.warn('a region was not searched');
    output.printJson({ totalEvents: 3 });

    expect(JSON.parse(stdout.text)).toEqual({ totalEvents: 3 });
    expect(stderr.text).toBe('warning: a region was not searched\n');
  });

  it('writes results to stdout, and progress, warnings and errors with their hint to stderr', () => {
    const { output, stdout, stderr } = capturedOutput();

    output.result('the summary');
    output.info('Reading…');
    output.error('It failed.', 'Do this next.');

    expect(stdout.text).toBe('the summary\n');
    expect(stderr.text).toBe('Reading…\nerror: It failed.\nhint: Do this next.\n');
  });

  it('shows each step of a progress line at once without a terminal, and its frequent updates only every few seconds', async () => {
    const { output, stderr } = capturedOutput();
    const progress = await output.progress();

    progress.step('Checking the key…');
    progress.update('page 1');
    progress.update('page 2');
    progress.step('Notifying…');

    expect(stderr.text).toBe('Checking the key…\nNotifying…\n');
  });

  it('shows no progress at all with --json', async () => {
    const { output, stderr } = capturedOutput({ json: true });
    const progress = await output.progress('Starting…');

    progress.step('Checking…');

    expect(stderr.text).toBe('');
  });

  it('shows what a question is about on stderr, with --json too when the question is asked at a terminal', () => {
    const plan = 'Plan: delete AKIA… of alice';
    const at = (options: { json?: boolean; terminal?: boolean }, asking: boolean) => {
      const { output, stdout, stderr } = capturedOutput(options);
      output.beforeQuestion(plan, asking);
      expect(stdout.text).toBe('');
      return stderr.text;
    };

    expect(at({ json: true, terminal: true }, true)).toBe(`${plan}\n`);
    expect(at({ json: false, terminal: false }, false)).toBe(`${plan}\n`);
    expect(at({ json: true, terminal: true }, false)).toBe('');
    expect(at({ json: true, terminal: false }, true)).toBe('');
  });

  it('can ask only where stdin and stderr are terminals', () => {
    expect(capturedOutput({ terminal: true }).output.canAsk).toBe(true);
    expect(capturedOutput({ terminal: false }).output.canAsk).toBe(false);
  });

  it('takes Ctrl-C at a question as a no, and remembers it, so that the run can end with 130', async () => {
    const { output } = capturedOutput({ terminal: true, answers: ['\x03'] });

    const answer = await output.confirm('Proceed?');

    expect(answer).toBe(false);
    expect(output.interrupted).toBe(true);
  });

  it('takes Ctrl-D at a question as a plain no, not as Ctrl-C: the run ends with 0, not 130', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const output = new Output({ stdout: new Captured(true), stderr: new Captured(true), stdin, color: false });

    const answered = output.confirm('Proceed?');
    stdin.write('\x04');

    await expect(answered).resolves.toBe(false);
    expect(output.interrupted).toBe(false);
  });

  it('is not interrupted by a plain no', async () => {
    const { output } = capturedOutput({ terminal: true, answers: ['n'] });

    await expect(output.confirm('Proceed?')).resolves.toBe(false);
    expect(output.interrupted).toBe(false);
  });

  describe('colours', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('writes no colour codes to a stderr that is not a terminal, though stdout is one (status 2>err.log)', () => {
      vi.stubEnv('NO_COLOR', '');
      vi.stubEnv('TERM', 'xterm');
      const stdout = new Captured(true);
      const stderr = new Captured(false);
      const output = new Output({ stdout, stderr });

      output.warn('a region was not searched');
      output.error('It failed.', 'Do this next.');
      output.result(output.palette.green('confirmed'));

      expect(stderr.text).toBe('warning: a region was not searched\nerror: It failed.\nhint: Do this next.\n');
      expect(stdout.text).toContain('\u001b[');
    });

    it('colours a stderr that is a terminal, though stdout is not (status | less), unless NO_COLOR is set', () => {
      vi.stubEnv('TERM', 'xterm');
      const at = (noColor: string) => {
        vi.stubEnv('NO_COLOR', noColor);
        const stderr = new Captured(true);
        new Output({ stdout: new Captured(false), stderr }).warn('a region was not searched');
        return stderr.text;
      };

      expect(at('')).toContain('\u001b[');
      expect(at('1')).toBe('warning: a region was not searched\n');
    });
  });
});
