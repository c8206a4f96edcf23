import { PassThrough } from 'node:stream';
import { Output } from '../../src/cli/output.js';

/** A stream that keeps what was written, and says whether it is a terminal. */
export class Captured extends PassThrough {
  text = '';
  constructor(readonly isTTY = false) {
    super();
    this.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
    });
  }
}

/** An Output writing into captured streams; `answers` are typed at the terminal's prompt. */
export function capturedOutput(options: { json?: boolean; terminal?: boolean; answers?: string[] } = {}) {
  const stdout = new Captured(options.terminal);
  const stderr = new Captured(options.terminal);
  const stdin = Object.assign(new PassThrough(), { isTTY: options.terminal ?? false });
  for (const answer of options.answers ?? []) stdin.write(`${answer}\n`);
  const output = new Output({ json: options.json, stdout, stderr, stdin, color: false });
  return { output, stdout, stderr };
}
