import { describe, expect, it } from 'vitest';
import {
  accountOfLogFilePath,
  dayIsOutsideWindow,
  describeLogFilePath,
} from '../../../../src/activity/log-files/log-file-path.js';
import { parseS3Location } from '../../../../src/activity/log-files/s3-log-files.js';

const JULY_10 = Date.UTC(2023, 6, 10);

describe('describeLogFilePath', () => {
  it('reads the region and day of the AWSLogs layout, for account and organization trails', () => {
    const account = describeLogFilePath(
      'logs/AWSLogs/218007301253/CloudTrail/eu-west-1/2023/07/10/218007301253_CloudTrail_eu-west-1_20230710T1145Z_a1.json.gz',
    );
    const organization = describeLogFilePath(
      's3://trail/AWSLogs/o-abc123/218007301253/CloudTrail/us-gov-west-1/2023/07/10/anything.json',
    );

    expect(account).toEqual({ kind: 'delivery', region: 'eu-west-1', day: JULY_10 });
    expect(organization).toEqual({ kind: 'delivery', region: 'us-gov-west-1', day: JULY_10 });
  });

  it('reads the region of a folder or prefix that ends at the region or the day, and the day only when whole', () => {
    const region = describeLogFilePath('s3://trail/AWSLogs/218007301253/CloudTrail/us-west-2');
    const day = describeLogFilePath('/logs/AWSLogs/218007301253/CloudTrail/us-west-2/2023/07/10');
    const month = describeLogFilePath('/logs/AWSLogs/218007301253/CloudTrail-Insight/us-west-2/2023/07/');
    const longer = describeLogFilePath('/logs/AWSLogs/218007301253/CloudTrail/us-west-2/2023/07/101/f.json');

    expect(region).toEqual({ kind: 'other', region: 'us-west-2', day: null });
    expect(day).toEqual({ kind: 'other', region: 'us-west-2', day: JULY_10 });
    expect(month).toMatchObject({ region: 'us-west-2', day: null });
    expect(longer).toEqual({ kind: 'delivery', region: 'us-west-2', day: null });
  });

  it('reads the region and day of a standard file name outside the layout', () => {
    const info = describeLogFilePath(
      '/tmp/x/218007301253_CloudTrail_ap-southeast-2_20230710T1145Z_7xgocspSowgK0Gto.json',
    );

    expect(info).toEqual({ kind: 'delivery', region: 'ap-southeast-2', day: JULY_10 });
  });

  it('tells digests, Insight files and other files from deliveries', () => {
    const digest = describeLogFilePath(
      'AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail-Digest_us-east-1_t_us-east-1_20230710T120000Z.json.gz',
    );
    const other = describeLogFilePath('AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/notes.txt');
    const plain = describeLogFilePath('export/events.JSON');

    const insight = describeLogFilePath(
      'AWSLogs/218007301253/CloudTrail-Insight/us-east-1/2023/07/10/218007301253_CloudTrail-Insight_us-east-1_20230710T1145Z_a1.json.gz',
    );

    expect(digest.kind).toBe('digest');
    expect(insight).toEqual({ kind: 'insight', region: 'us-east-1', day: JULY_10 });
    expect(other).toEqual({ kind: 'other', region: 'us-east-1', day: JULY_10 });
    expect(plain).toEqual({ kind: 'delivery', region: null, day: null });
  });

  it('skips, unread, the files other services keep beside CloudTrail in a log archive (AWS Config, flow logs)', () => {
    const config = describeLogFilePath(
      'archive/AWSLogs/o-abc123/218007301253/Config/us-east-1/2023/7/10/ConfigHistory/218007301253_Config_us-east-1_ConfigHistory_AWS::IAM::User_20230710T114500Z_20230710T114500Z_1.json.gz',
    );
    const flowLogs = describeLogFilePath('AWSLogs/218007301253/vpcflowlogs/us-east-1/2023/07/10/x.json.gz');
    const trail = describeLogFilePath(
      'archive/AWSLogs/o-abc123/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1145Z_a1.json.gz',
    );

    expect(config.kind).toBe('other');
    expect(flowLogs.kind).toBe('other');
    expect(trail.kind).toBe('delivery');
    // A CloudTrail delivery's own name, or a folder named in another case, keeps a file a delivery.
    const synced = describeLogFilePath(
      'AWSLogs/218007301253/us-east-1/2026/01/10/218007301253_CloudTrail_us-east-1_20260110T1000Z_a.json.gz',
    );
    const lower = describeLogFilePath('AWSLogs/218007301253/cloudtrail/us-east-1/2026/01/10/f.json.gz');
    expect(synced.kind).toBe('delivery');
    expect(lower.kind).toBe('delivery');
  });

  it('takes the region and day from the folders under AWSLogs/<account>/, not from a folder named CloudTrail/<name>/ above it', () => {
    const layout = 'AWSLogs/218007301253/CloudTrail/eu-west-1/2023/07/10/f.json.gz';
    const aboveLayout = ['CloudTrail/org-trail/', 'cases/CloudTrail/case-42/', 'CloudTrail/2023-07-01/'];
    const infos = aboveLayout.map((folder) => describeLogFilePath(`s3://trail/${folder}${layout}`));
    const copied = describeLogFilePath('/cases/CloudTrail/case-42/AWSLogs/o-abc123/218007301253/CloudTrail/');
    // A folder of CloudTrail's own name, above the layout, no longer makes its files digests or Insight files.
    const digestNamed = describeLogFilePath(`/copies/CloudTrail-Digest/case-7/${layout}`);
    const insightNamed = describeLogFilePath(`/copies/CloudTrail-Insight/${layout}`);

    expect(infos).toEqual(Array(3).fill({ kind: 'delivery', region: 'eu-west-1', day: JULY_10 }));
    expect(copied).toEqual({ kind: 'other', region: null, day: null });
    expect(digestNamed).toEqual({ kind: 'delivery', region: 'eu-west-1', day: JULY_10 });
    expect(insightNamed.kind).toBe('delivery');
    expect(accountOfLogFilePath(`/cases/111111111111/CloudTrail/x/AWSLogs/${layout}`)).toBe('218007301253');
  });

  it('names the account a file of an organisation trail is filed under', () => {
    expect(accountOfLogFilePath('s3://t/AWSLogs/o-abc123/218007301253/CloudTrail/us-east-1/2023/07/10/f.json')).toBe(
      '218007301253',
    );
    expect(accountOfLogFilePath('/x/218007301253_CloudTrail_us-east-1_20230710T1145Z_a.json')).toBe('218007301253');
    expect(accountOfLogFilePath('/x/events.json')).toBeNull();
  });

  it('ignores dates that do not exist', () => {
    const info = describeLogFilePath('AWSLogs/218007301253/CloudTrail/us-east-1/2023/02/31/f.json');

    expect(info).toEqual({ kind: 'delivery', region: 'us-east-1', day: null });
  });
});

describe('dayIsOutsideWindow', () => {
  const window = { start: new Date('2023-07-10T06:00:00Z'), end: new Date('2023-07-10T18:00:00Z') };
  const day = (date: number) => Date.UTC(2023, 6, date);

  it('keeps the days of the window and the day on either side, and prunes the rest', () => {
    const outside = [6, 7, 8, 9, 10, 11, 12, 13].map((date) => dayIsOutsideWindow(day(date), window));

    expect(outside).toEqual([true, true, true, false, false, false, true, true]);
  });

  it('keeps a day that ends exactly one day before the window starts', () => {
    const midnight = { start: new Date('2023-07-10T00:00:00Z'), end: new Date('2023-07-11T00:00:00Z') };

    expect(dayIsOutsideWindow(day(8), midnight)).toBe(false);
    expect(dayIsOutsideWindow(day(7), midnight)).toBe(true);
    expect(dayIsOutsideWindow(day(12), midnight)).toBe(false);
    expect(dayIsOutsideWindow(day(13), midnight)).toBe(true);
  });
});

describe('parseS3Location', () => {
  it('splits s3://bucket/prefix, and leaves other locations alone', () => {
    expect(parseS3Location('s3://trail-bucket/AWSLogs/218007301253/')).toEqual({
      bucket: 'trail-bucket',
      prefix: 'AWSLogs/218007301253/',
    });
    expect(parseS3Location('s3://trail-bucket')).toEqual({ bucket: 'trail-bucket', prefix: '' });
    expect(parseS3Location('./s3:/logs')).toBeNull();
  });
});
