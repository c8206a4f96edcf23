import { describe, expect, it } from 'vitest';
import { isKnownRegion } from '../../../src/aws/known-regions.js';

describe('isKnownRegion', () => {
  it('knows the regions of every partition the SDK lists', () => {
    for (const region of ['us-east-1', 'eu-west-1', 'ap-east-2', 'cn-north-1', 'us-gov-west-1'])
      expect(isKnownRegion(region), region).toBe(true);
  });

  it('does not know a name shaped like a region that no partition lists, nor a partition’s global endpoint', () => {
    for (const name of ['us-eest-1', 'eu-west-9', 'aws-global', 'US-EAST-1', ''])
      expect(isKnownRegion(name), name).toBe(false);
  });
});
