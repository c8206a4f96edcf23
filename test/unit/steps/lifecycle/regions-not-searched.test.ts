import { describe, expect, it } from 'vitest';
import { regionsNotSearched } from '../../../../src/steps/lifecycle/regions-not-searched.js';
import { summaryFor } from '../../../support/summaries.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function failedIn(accessKeyId: string, regions: readonly string[], error: string) {
  return summaryFor(accessKeyId, { regions: { searched: [], failed: regions.map((region) => ({ region, error })) } });
}

describe('regionsNotSearched', () => {
  it("names each key's regions once, the key's first, each with the key it was for", () => {
    const session = 'ASIAIOSFODNN7EXAMPLE';

    const failed = regionsNotSearched([
      failedIn(KEY, ['eu-west-3'], 'AccessDenied'),
      failedIn(KEY, ['eu-west-3', 'sa-east-1'], 'AccessDenied'),
      failedIn(session, ['eu-west-3'], 'Throttled'),
    ]);

    expect(failed).toEqual([
      { region: 'eu-west-3', error: 'AccessDenied', accessKeyId: KEY },
      { region: 'sa-east-1', error: 'AccessDenied', accessKeyId: KEY },
      { region: 'eu-west-3', error: 'Throttled', accessKeyId: session },
    ]);
  });

  it('keeps every key and region, cutting only why they failed, when 26 keys fail in 40 regions each', () => {
    const regions = Array.from({ length: 40 }, (_, index) => `xx-region-${index}`);
    const keys = [KEY, ...Array.from({ length: 25 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`)];

    const failed = regionsNotSearched(
      keys.map((key) => failedIn(key, regions, `AccessDenied ${'\u{1F600}'.repeat(2_000)}`)),
    );

    expect(failed).toHaveLength(26 * 40);
    expect(failed.map((entry) => `${entry.accessKeyId} ${entry.region}`)).toEqual(
      keys.flatMap((key) => regions.map((region) => `${key} ${region}`)),
    );
    expect(Buffer.byteLength(JSON.stringify(failed), 'utf8')).toBeLessThanOrEqual(110_000);
  });
});
