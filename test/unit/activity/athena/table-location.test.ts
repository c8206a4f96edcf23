import { describe, expect, it } from 'vitest';
import { tableLocation } from '../../../../src/activity/athena/table-location.js';

const PROJECTED = {
  'projection.enabled': 'true',
  'projection.timestamp.type': 'date',
  'projection.timestamp.format': 'yyyy/MM/dd',
};

describe('tableLocation', () => {
  it('reads one account and one region from AWS’s documented table with partition projection', () => {
    const table = {
      PartitionKeys: [{ Name: 'timestamp' }],
      StorageDescriptor: { Location: 's3://trail/AWSLogs/111111111111/CloudTrail/us-east-1' },
      Parameters: {
        ...PROJECTED,
        'storage.location.template': `s3://trail/AWSLogs/111111111111/CloudTrail/eu-west-1/\${timestamp}`,
      },
    };

    expect(tableLocation(table)).toEqual({
      uri: `s3://trail/AWSLogs/111111111111/CloudTrail/eu-west-1/\${timestamp}`,
      account: '111111111111',
      region: 'eu-west-1',
    });
  });

  it('reads an organisation trail’s folders, and the table’s location when there is no template', () => {
    const table = {
      PartitionKeys: [{ Name: 'timestamp' }],
      StorageDescriptor: { Location: 's3://trail/AWSLogs/o-abcdef1234/111111111111/CloudTrail/ap-east-2/' },
      Parameters: PROJECTED,
    };

    expect(tableLocation(table)).toMatchObject({ account: '111111111111', region: 'ap-east-2' });
  });

  it('takes nothing as fixed that a projected value fills, nor a folder outside CloudTrail’s layout', () => {
    const template = (path: string) => ({
      PartitionKeys: [{ Name: 'account' }, { Name: 'region' }, { Name: 'timestamp' }],
      Parameters: { ...PROJECTED, 'storage.location.template': `s3://trail/${path}` },
    });

    expect(tableLocation(template(`AWSLogs/\${account}/CloudTrail/\${region}/\${timestamp}`))).toEqual({
      uri: `s3://trail/AWSLogs/\${account}/CloudTrail/\${region}/\${timestamp}`,
    });
    expect(tableLocation(template(`AWSLogs/111111111111/CloudTrail/\${region}/\${timestamp}`))).toEqual({
      uri: `s3://trail/AWSLogs/111111111111/CloudTrail/\${region}/\${timestamp}`,
      account: '111111111111',
    });
    expect(tableLocation(template(`logs/us-east-1/\${timestamp}`))).toEqual({
      uri: `s3://trail/logs/us-east-1/\${timestamp}`,
    });
  });

  it('says nothing of a table whose partitions were added by hand, each with a location of its own', () => {
    const table = {
      PartitionKeys: [{ Name: 'region' }],
      StorageDescriptor: { Location: 's3://trail/AWSLogs/111111111111/CloudTrail/us-east-1/' },
    };

    expect(tableLocation(table)).toBeUndefined();
    expect(tableLocation({ ...table, PartitionKeys: [] })).toMatchObject({ region: 'us-east-1' });
  });
});
