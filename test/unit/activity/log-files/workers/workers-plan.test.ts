import { describe, expect, it, vi } from 'vitest';
import type { ListedEntry } from '../../../../../src/activity/log-files/log-file-ref.js';
import { MOST_ENTRIES_LOOKED, planWorkers } from '../../../../../src/activity/log-files/workers/workers-plan.js';

// Four cores, whatever machine runs the test: three workers to spare.
vi.mock('node:os', async (original) => ({
  ...(await original<typeof import('node:os')>()),
  availableParallelism: () => 4,
}));

const WINDOW = { start: new Date('2023-07-10T00:00:00Z'), end: new Date('2023-07-11T00:00:00Z') };

/** `count` deliveries of a year before the window, counting how many were taken from it. */
function oldDeliveries(count: number): { listing: AsyncIterable<ListedEntry>; taken: () => number } {
  let taken = 0;
  async function* listing(): AsyncGenerator<ListedEntry> {
    for (let index = 0; index < count; index += 1) {
      taken += 1;
      yield {
        path: `/archive/AWSLogs/218007301253/CloudTrail/us-east-1/2022/07/10/f${index}.json.gz`,
        open: async function* () {},
      };
    }
  }
  return { listing: listing(), taken: () => taken };
}

describe('planWorkers', () => {
  it('holds a bounded number of entries of a long listing outside the window while it decides, and yields every one', async () => {
    const { listing, taken } = oldDeliveries(200_000);

    const plan = await planWorkers(listing, { window: WINDOW }, 8);

    expect(taken()).toBe(MOST_ENTRIES_LOOKED);
    expect(MOST_ENTRIES_LOOKED).toBeLessThanOrEqual(4096);
    expect(plan.workers).toBe(3);
    let count = 0;
    let last = '';
    for await (const entry of plan.entries) {
      if (count === 0) expect(entry.path).toMatch(/\/f0\.json\.gz$/);
      count += 1;
      last = entry.path;
    }
    expect(count).toBe(200_000);
    expect(last).toMatch(/\/f199999\.json\.gz$/);
  });

  it('reads alone a listing shorter than that with little in the window', async () => {
    const { listing, taken } = oldDeliveries(MOST_ENTRIES_LOOKED - 1);

    const plan = await planWorkers(listing, { window: WINDOW }, 8);

    expect(plan.workers).toBe(0);
    expect(taken()).toBe(MOST_ENTRIES_LOOKED - 1);
  });
});
