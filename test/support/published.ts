import { readFileSync } from 'node:fs';

const events = new URL('../fixtures/events/published/', import.meta.url);
const records = new URL('../fixtures/cloudtrail/published/', import.meta.url);

/** A fresh copy of an event published by others (test/fixtures/events/published, see SOURCES.md there). */
export function publishedEvent(name: string): any {
  return JSON.parse(readFileSync(new URL(`${name}.json`, events), 'utf8'));
}

/** A fresh copy of a CloudTrail record published by others (test/fixtures/cloudtrail/published). */
export function publishedRecord(name: string): any {
  return JSON.parse(readFileSync(new URL(`${name}.json`, records), 'utf8'));
}

/** The event with a placeholder key id (`ACCESS_KEY_ID_HERE`) replaced by `key` everywhere. */
export function withKey(event: unknown, placeholder: string, key: string): any {
  return JSON.parse(JSON.stringify(event).replaceAll(placeholder, key));
}

/**
 * A CloudTrail record as EventBridge delivers it ("AWS API Call via CloudTrail"): AWS's documented
 * envelope around the record, which becomes `detail`.
 */
export function asCloudTrailEvent(record: any, id = '6f2c1e0a-7d1b-4a55-9a0e-3c1f2b4d5e6f'): any {
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: record.recipientAccountId ?? record.userIdentity?.accountId,
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}
