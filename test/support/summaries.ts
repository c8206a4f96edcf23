import type { ActivitySummary } from '../../src/activity/activity-summary.js';

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
