import { describe, expect, it } from 'vitest';
import { renderActivityProgress } from '../../../../src/cli/render/progress.js';

describe('renderActivityProgress', () => {
  it('says which page of which region is being read, for LookupEvents', () => {
    expect(
      renderActivityProgress({ kind: 'pages', accessKeyId: 'AKIAX', region: 'eu-west-1', pages: 3, events: 150 }),
    ).toBe('Investigating AKIAX: eu-west-1 page 3 (150 events)');
  });

  it('says how many files and megabytes were read, for log files', () => {
    expect(
      renderActivityProgress({
        kind: 'files',
        filesRead: 12,
        filesSkipped: 2,
        filesOutsideWindow: 0,
        filesFailed: 0,
        bytes: 3 * 1_048_576,
      }),
    ).toBe('Reading log files: 12 read, 2 skipped, 3.0 MB');
  });
});
