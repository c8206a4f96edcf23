import { describe, expect, it } from 'vitest';
import { regionsListedOnce } from '../../../src/aws/regions-listed-once.js';

describe('regionsListedOnce', () => {
  it('lists on the first call only, and gives each caller a list of its own', async () => {
    let calls = 0;
    const list = regionsListedOnce(async () => {
      calls += 1;
      return ['eu-west-1', 'us-east-1'];
    });

    const first = await list();
    first.pop();

    expect(await list()).toEqual(['eu-west-1', 'us-east-1']);
    expect(calls).toBe(1);
  });

  it('gives the failure of the one listing to every caller', async () => {
    let calls = 0;
    const list = regionsListedOnce(async () => {
      calls += 1;
      throw new Error('denied');
    });

    await expect(list()).rejects.toThrow('denied');
    await expect(list()).rejects.toThrow('denied');
    expect(calls).toBe(1);
  });
});
