import type { ActivitySummary, RiskyEvent, TimeWindow } from '../../src/activity/activity-summary.js';
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

/**
 * The activity of a key too busy for the state machine's state: a backdoor user, logging stopped,
 * then 1,500 reads of secrets, from 1,501 addresses.
 */
export function crowdedActivity(accessKeyId: string): ActivitySummary {
  const at = (second: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, 0) + second * 1000).toISOString();
  const event = (eventName: string, category: RiskyEvent['category'], second: number): RiskyEvent => ({
    eventName,
    eventTime: at(second),
    awsRegion: 'us-east-1',
    eventId: `${eventName}-${second}`,
    category,
    errorCode: null,
    resources: [{ type: 'AWS::SSM::Parameter', name: `/prod/secret-${second}-${'p'.repeat(80)}` }],
  });
  const riskyEvents = [
    event('CreateUser', 'persistence', 0),
    event('StopLogging', 'defense-evasion', 1),
    ...Array.from({ length: 1_500 }, (_, index) => event('GetParameter', 'credential-access', 2 + index)),
  ];
  const sourceIps = Array.from({ length: 1_501 }, (_, index) => ({
    name: `203.0.113.${index}-${'x'.repeat(120)}`,
    count: 1_501 - index,
  }));
  return summaryFor(accessKeyId, { totalEvents: 1_502, riskyEvents, sourceIps });
}

/** Why {@link deniedInRegions} could not search its regions. */
export const DENIED =
  'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exposed-keys-investigate/fn is not authorized to perform: cloudtrail:LookupEvents';

/** The regions, besides us-east-1, that {@link deniedInRegions} could not search. */
export const DENIED_REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/**
 * The activity of a key searched in us-east-1 alone, denied in 16 regions, that minted 400 session
 * keys and made 120 users each named after 30 resources of 300 emoji (names are the attacker's to
 * choose): too much for the state machine's state.
 */
export function deniedInRegions(accessKeyId: string): ActivitySummary {
  const riskyEvents: RiskyEvent[] = Array.from({ length: 120 }, (_, index) => ({
    eventName: 'CreateUser',
    eventTime: new Date(Date.UTC(2026, 10, 26, 10, 0, index)).toISOString(),
    awsRegion: 'us-east-1',
    eventId: `CreateUser-${index}`,
    category: 'persistence',
    errorCode: null,
    resources: Array.from({ length: 30 }, (_, n) => ({
      type: 'AWS::IAM::User',
      name: `${index}-${n}-${'\u{1F600}'.repeat(300)}`,
    })),
  }));
  return summaryFor(accessKeyId, {
    totalEvents: 120,
    riskyEvents,
    sessionKeys: Array.from({ length: 400 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`),
    regions: {
      searched: ['us-east-1'],
      failed: DENIED_REGIONS.map((region) => ({
        region,
        error: DENIED,
      })),
    },
  });
}
