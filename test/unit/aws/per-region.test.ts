import { describe, expect, it } from 'vitest';
import { perRegion } from '../../../src/aws/per-region.js';

describe('perRegion', () => {
  it('builds one client per region, on first use, and gives the same one after', () => {
    const built: string[] = [];
    const client = perRegion((region) => {
      built.push(region);
      return { region };
    });

    const first = client('eu-west-1');

    expect(client('eu-west-1')).toBe(first);
    expect(client('us-east-1')).toEqual({ region: 'us-east-1' });
    expect(built).toEqual(['eu-west-1', 'us-east-1']);
  });
});
