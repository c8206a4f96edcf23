import { describe, expect, it } from 'vitest';
import { layoutFolders, layoutLevel } from '../../../../src/activity/log-files/layout-folders.js';

describe('layoutLevel', () => {
  it('tells the folders above the region folders, the region folders, and the rest', () => {
    const above = ['AWSLogs/', 'trail/AWSLogs/', 'AWSLogs/218007301253/', 'AWSLogs/o-abc123def4/218007301253/'];
    const aboveToo = ['AWSLogs/218007301253/CloudTrail/', 'AWSLogs/o-abc123def4/218007301253/CloudTrail-Digest/'];
    const regions = [
      'AWSLogs/218007301253/CloudTrail/us-east-1/',
      'x/AWSLogs/218007301253/CloudTrail-Insight/eu-west-2/',
    ];
    const others = ['exports/', 'AWSLogs/218007301253/Config/', 'AWSLogs/218007301253/CloudTrail/us-east-1/2023/'];

    expect([...above, ...aboveToo].map(layoutLevel)).toEqual(Array(6).fill('above-region'));
    expect(regions.map(layoutLevel)).toEqual(['region', 'region']);
    expect(others.map(layoutLevel)).toEqual(['other', 'other', 'other']);
  });

  it('takes no folder named CloudTrail/<name>/ outside AWSLogs/<account>/ for a region folder', () => {
    const prefixes = [
      'CloudTrail/org-trail/',
      'CloudTrail/case-42/',
      'CloudTrail/2024-05-03/',
      'CloudTrail-Digest/x-y/',
    ];
    const notRegions = ['AWSLogs/218007301253/CloudTrail/org-trail/', 'AWSLogs/218007301253/CloudTrail/2024-05-03/'];
    const below = 'CloudTrail/org-trail/AWSLogs/o-abc123def4/218007301253/CloudTrail/ap-south-2/';

    expect([...prefixes, ...notRegions].map(layoutLevel)).toEqual(Array(6).fill('other'));
    expect(layoutLevel(below)).toBe('region');
    expect(layoutLevel('CloudTrail/org-trail/AWSLogs/')).toBe('above-region');
  });
});

describe('layoutFolders', () => {
  it('names the days of a short window and the day on either side', () => {
    const window = { start: new Date('2023-12-31T06:00:00Z'), end: new Date('2023-12-31T18:00:00Z') };

    expect(layoutFolders(window)).toEqual(['2023/12/30/', '2023/12/31/', '2024/01/01/']);
  });

  it('names a month as one folder when every day of it can hold deliveries', () => {
    const window = { start: new Date('2023-03-03T00:00:00Z'), end: new Date('2023-06-27T12:00:00Z') };

    const folders = layoutFolders(window);

    expect(folders.slice(0, 4)).toEqual(['2023/03/', '2023/04/', '2023/05/', '2023/06/01/']);
    expect(folders.at(-1)).toBe('2023/06/28/');
    expect(folders).toHaveLength(3 + 28);
  });

  it('names a year as one folder when every day of it can hold deliveries', () => {
    const window = { start: new Date('2021-12-03T00:00:00Z'), end: new Date('2023-01-29T12:00:00Z') };

    const folders = layoutFolders(window);

    expect(folders.slice(0, 3)).toEqual(['2021/12/', '2022/', '2023/01/01/']);
    expect(folders).toHaveLength(2 + 30);
  });
});
