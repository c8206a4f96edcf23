import { describe, expect, it, vi } from 'vitest';
import { listenForInterrupt, untilInterrupted, warnAtFirstInterrupt } from '../../../src/cli/interrupt.js';

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

describe('warnAtFirstInterrupt', () => {
  it('only warns at the first Ctrl-C, never aborting, and leaves the next to end the process', () => {
    const listening = process.listenerCount('SIGINT');
    const warn = vi.fn();

    const interrupt = warnAtFirstInterrupt(warn);
    process.emit('SIGINT');

    expect(warn).toHaveBeenCalledTimes(1);
    expect(interrupt.signal.aborted).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(listening);
    interrupt.dispose();
  });

  it('stops listening when disposed before any Ctrl-C', () => {
    const listening = process.listenerCount('SIGINT');

    warnAtFirstInterrupt(vi.fn()).dispose();

    expect(process.listenerCount('SIGINT')).toBe(listening);
  });
});

describe('the signal of an interrupt', () => {
  /** The warnings Node emits while `body` runs, and on the ticks after it (it emits them on the next one). */
  async function warningsDuring(body: () => void): Promise<string[]> {
    const seen: string[] = [];
    const record = (warning: Error) => seen.push(warning.name);
    process.on('warning', record);
    try {
      body();
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('warning', record);
    }
    return seen;
  }

  it.each([
    ['listenForInterrupt', () => listenForInterrupt()],
    ['warnAtFirstInterrupt', () => warnAtFirstInterrupt(vi.fn())],
  ])('%s: is shared by the calls of every region at once with no warning on the terminal', async (_, start) => {
    const interrupt = start();
    try {
      const warnings = await warningsDuring(() => {
        // A LookupEvents search of every enabled region (17 and more) waits on the one signal at once.
        for (let region = 0; region < 40; region += 1) interrupt.signal.addEventListener('abort', () => {});
      });

      expect(warnings).toEqual([]);
    } finally {
      interrupt.dispose();
    }
  });
});
