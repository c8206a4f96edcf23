import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';

/**
 * A delivery as an attacker can shape one through a free-form request map: its first record, made
 * with another key, holds in its request parameters a list of objects that start like records
 * (`{"eventVersion":…`), the first made "with" `key` and copying the event id of the real
 * `StopLogging` made with `key` later in the delivery. Only the top-level records are events: the
 * look-alike must not be counted, nor hide the real one.
 */
export function deliveryWithLookAlike(
  records: readonly CloudTrailRecord[],
  key: string,
): { delivery: CloudTrailRecord[]; stopLogging: CloudTrailRecord } {
  const other = records.find((record) => {
    const id = record.userIdentity?.accessKeyId;
    return typeof id === 'string' && id !== key;
  }) as CloudTrailRecord;
  const stopLogging = records.find(
    (record) => record.userIdentity?.accessKeyId === key && record.eventName === 'StopLogging',
  ) as CloudTrailRecord;
  const { eventVersion, ...rest } = stopLogging;
  const lookAlike = {
    eventVersion,
    ...rest,
    eventName: 'ListBuckets',
    eventSource: 's3.amazonaws.com',
    requestParameters: null,
  };
  const carrier: CloudTrailRecord = {
    ...other,
    requestParameters: { tags: [lookAlike, { eventVersion: '1.08' }] },
  };
  const delivery = [carrier, ...records.filter((record) => record !== other)];
  return { delivery, stopLogging };
}
