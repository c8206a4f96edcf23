import { describe, expect, it } from 'vitest';
import { untilInterrupted } from '../../../src/cli/interrupt.js';

describe('untilInterrupted', () => {
  it('aborts the signal at the first Ctrl-C, and stops listening once the flow ends', async () => {
    const listening = process.listenerCount('SIGINT');

    const seen = await untilInterrupted(async (signal) => {
      expect(process.listenerCount('SIGINT')).toBe(listening + 1);
      expect(signal.aborted).toBe(false);
      process.emit('SIGINT');
      return signal.aborted;
    });

    expect(seen).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(listening);
  });

  it('stops listening when the flow fails', async () => {
    const listening = process.listenerCount('SIGINT');

    await expect(
      untilInterrupted(async () => {
        throw new Error('CloudFormation refused');
      }),
    ).rejects.toThrow('CloudFormation refused');

    expect(process.listenerCount('SIGINT')).toBe(listening);
  });
});
