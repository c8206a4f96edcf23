import type { ActivitySummary, TimeWindow } from '../../src/activity/activity-summary.js';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { ActivityAccumulator, type SummaryContext } from '../../src/activity/summarizer.js';

/** An activity summary for tests, empty unless overridden. */
export function summaryFor(accessKeyId: string, overrides: Partial<ActivitySummary> = {}): ActivitySummary {
  return {
    accessKeyId,
    userName: 'alice',
    source: 'lookup-events',
    window: { start: '2026-11-26T03:00:00.000Z', end: '2026-11-27T03:00:00.000Z' },
    regions: { searched: ['us-east-1'], failed: [] },
    totalEvents: 0,
    firstSeen: null,
    lastSeen: null,
    eventNames: [],
    eventSources: [],
    awsRegions: [],
    sourceIps: [],
    userAgents: [],
    errorCodes: [],
    resourceTypes: [],
    resourceNames: [],
    sessionKeys: [],
    riskyEvents: [],
    truncated: false,
    ...overrides,
  };
}

/** What the accumulator counts from `records`: the summary a source must give for the same records. */
export function summarizeRecords(
  records: Iterable<CloudTrailRecord>,
  accessKeyId: string,
  window: TimeWindow,
  context: SummaryContext,
): ActivitySummary {
  const accumulator = new ActivityAccumulator(accessKeyId, window);
  for (const record of records) accumulator.add(record);
  return accumulator.summary(context);
}
