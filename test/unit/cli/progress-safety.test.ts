import { PassThrough } from 'node:stream';
import chalk from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { Output } from '../../../src/cli/output.js';
import { renderActivityProgress } from '../../../src/cli/render/progress.js';
import { activeCharacters } from '../../support/well-formed.js';

describe('progress shown on a terminal', () => {
  it('shows a key and a region CloudTrail gave inert', () => {
    const line = renderActivityProgress({
      kind: 'pages',
      accessKeyId: 'ASIA0\u001b]0;PWNED\u0007\u001b[2J',
      region: 'us-east-1\u202e',
      pages: 1,
      events: 3,
    });

    expect(activeCharacters(line)).toEqual([]);
    expect(line).toContain('ASIA0\\x1B]0;PWNED\\x07\\x1B[2J');
  });

  it('animates only on a terminal that says how wide it is', () => {
    const terminal = (columns: number | undefined) =>
      new Output({ stderr: Object.assign(new PassThrough(), { isTTY: true, columns }) });

    expect(terminal(80).interactive).toBe(true);
    // A spinner divides by the columns: 0 made it loop forever, and Ctrl-C could not stop it.
    expect(terminal(0).interactive).toBe(false);
    expect(terminal(undefined).interactive).toBe(false);
  });
});

const ESC = '\u001b';

describe('the spinner on a terminal', () => {
  afterEach(() => {
    chalk.level = level;
  });
  const level = chalk.level;

  it('draws no colour when colours are off (NO_COLOR, TERM=dumb), on a terminal that has them', async () => {
    chalk.level = 1;
    let written = '';
    // What ora asks of a terminal's stream, besides writing to it.
    const stderr = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 80,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    stderr.on('data', (chunk: Buffer) => {
      written += chunk.toString('utf8');
    });
    const output = new Output({ stderr, color: false });

    const progress = await output.progress('Checking AKIAIOSFODNN7EXAMPLE…');
    await new Promise((resolve) => setTimeout(resolve, 150));
    progress.succeed('Checked AKIAIOSFODNN7EXAMPLE.');

    expect(written).toContain('Checking AKIAIOSFODNN7EXAMPLE…');
    expect(written).toContain('✔ Checked AKIAIOSFODNN7EXAMPLE.');
    // SGR sequences (ESC [ … m) set colours; the cursor's own (hide, show, clear) stay.
    expect(written).not.toMatch(new RegExp(`${ESC}\\[[\\d;]*m`));
  });
});
