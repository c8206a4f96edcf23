import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COUNT_LISTS } from '../../../src/activity/activity-summary.js';
import { paletteOf } from '../../../src/cli/output.js';
import { renderActivity } from '../../../src/cli/render/activity.js';
import { shownValues } from '../../../src/common/untrusted-text.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../support/fixtures.js';
import { summarizeRecords } from '../../support/summaries.js';

const summary = summarizeRecords(loadInvictusRecords(), INVICTUS_KEY, INVICTUS_WINDOW, {
  source: 'cloudtrail-logs',
  regionsSearched: ['us-east-1'],
});

describe('long values, cut where they differ', () => {
  it("show the data set's user agents as distinct rows, though they share their first hundred characters", () => {
    const agents = summary.userAgents.map((entry) => entry.name);
    expect(agents.length).toBeGreaterThan(100);
    expect(new Set(agents.map((agent) => agent.slice(0, 100))).size).toBeLessThan(agents.length);

    const shown = shownValues(agents, 100);

    expect(new Set(shown).size).toBe(agents.length);
  });

  it('never show two rows alike in any table of the human output, all rows shown', () => {
    const text = stripVTControlCharacters(renderActivity(summary, paletteOf(false), Number.POSITIVE_INFINITY));

    for (const { title } of COUNT_LISTS) {
      const start = text.indexOf(`${title} (`);
      if (start === -1) continue;
      const block = text.slice(start).split('\n\n')[0] as string;
      const rows = block.split('\n').slice(2);
      const values = rows.map((row) => row.replace(/^\s*[\d,]+\s{2}/, ''));
      expect(new Set(values).size, title).toBe(values.length);
    }
  });

  it('make values distinct even when they are alike once made inert', () => {
    expect(shownValues(['a\u001bb', 'a\\x1Bb'], 10)).toEqual(['a\\x1Bb', 'a\\x1Bb [2]']);
  });
});
