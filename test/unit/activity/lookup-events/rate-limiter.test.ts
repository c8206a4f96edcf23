import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../src/activity/lookup-events/rate-limiter.js';

/** A clock that only moves when the limiter sleeps; each sleep ends `lateBy(n)` ms late, as on a busy event loop. */
function lateClock(lateBy: (sleepIndex: number) => number) {
  let clock = 0;
  let sleeps = 0;
  const sleep = async (ms: number) => {
    clock += ms + lateBy(sleeps);
    sleeps += 1;
  };
  return { now: () => clock, sleep };
}

describe('RateLimiter', () => {
  it('counts the interval from when the previous call was let through, so a wait that ended late does not bunch the next', async () => {
    const clock = lateClock((index) => (index === 0 ? 300 : 0));
    const limiter = new RateLimiter(2, clock);
    const letThrough: number[] = [];

    for (let call = 0; call < 4; call += 1) {
      await limiter.acquire();
      letThrough.push(clock.now());
    }

    expect(letThrough[0]).toBe(0);
    expect(letThrough[1]).toBe(800);
    const gaps = letThrough.slice(1).map((time, index) => time - (letThrough[index] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(500);
  });

  it('lets callers that ask at once through one at a time, in the order they asked', async () => {
    const clock = lateClock(() => 0);
    const limiter = new RateLimiter(4, clock);
    const order: Array<{ caller: number; at: number }> = [];

    await Promise.all(
      [0, 1, 2, 3].map(async (caller) => {
        await limiter.acquire();
        order.push({ caller, at: clock.now() });
      }),
    );

    expect(order).toEqual([
      { caller: 0, at: 0 },
      { caller: 1, at: 250 },
      { caller: 2, at: 500 },
      { caller: 3, at: 750 },
    ]);
  });

  it('holds later calls back after a back-off', async () => {
    const clock = lateClock(() => 0);
    const limiter = new RateLimiter(2, clock);

    await limiter.acquire();
    limiter.backOff(3_000);
    await limiter.acquire();

    expect(clock.now()).toBe(3_000);
  });

  it('stops waiting at once when its signal aborts, even behind another caller', async () => {
    const limiter = new RateLimiter(0.001);
    await limiter.acquire();
    const first = new AbortController();
    const second = new AbortController();
    const waiting = [limiter.acquire(first.signal), limiter.acquire(second.signal)];

    const started = Date.now();
    second.abort();
    await waiting[1];
    first.abort();
    await waiting[0];

    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
