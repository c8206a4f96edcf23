import type { IncidentReport } from '../../src/steps/incident-outcome.js';
import type { FollowUpResult, VerificationResult } from '../../src/steps/lifecycle/follow-up-result.js';
import type { IncidentRecord } from '../../src/steps/signals/incident-record.js';
import type { SignalReceipt } from '../../src/steps/signals/receive-signal.js';
import { incidentFor } from './incidents.js';
import { summaryFor } from './summaries.js';

/** The key of the reports below. */
export const REPORT_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** When the key of the reports below was contained, as its follow-ups say. */
export const CONTAINED_AT = '2026-11-26T22:00:09.000Z';

/** A full response that deleted the key, with `overrides` on top. */
export function deletedReport(overrides: Partial<IncidentReport> = {}): IncidentReport {
  return {
    incident: incidentFor(REPORT_KEY, 'alice'),
    containment: {
      status: 'done',
      result: {
        accessKeyId: REPORT_KEY,
        userName: 'alice',
        mode: 'delete',
        dryRun: false,
        outcome: 'deleted',
        contained: true,
        summary: `Deleted ${REPORT_KEY} of alice.`,
        actions: [{ kind: 'delete-access-key', target: REPORT_KEY, status: 'done', detail: 'deleted' }],
        quarantinePolicies: [],
        humanSteps: [],
        warnings: [],
      },
    },
    investigation: {
      status: 'done',
      result: { activity: summaryFor(REPORT_KEY, { totalEvents: 3 }), sessionActivity: [] },
    },
    ...overrides,
  };
}

/** The record of an incident opened by Trusted Advisor, whose response deleted the key. */
export function recordOf(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    accountId: '123456789012',
    accessKeyId: REPORT_KEY,
    firstEventId: 'ta-event-1',
    firstSource: 'trusted-advisor',
    openedAt: '2026-11-26T22:00:00.000Z',
    signals: 2,
    sources: ['health', 'trusted-advisor'],
    response: { outcome: 'deleted', contained: true, at: '2026-11-26T22:00:09.000Z', userName: 'alice' },
    ...overrides,
  };
}

/** A later report (AWS Health) of a key whose incident is open. */
export function joinedReport(signal: Partial<Extract<SignalReceipt, { role: 'joined' }>> = {}): IncidentReport {
  return {
    incident: incidentFor(REPORT_KEY, 'alice', { source: 'health', eventId: 'health-event-1', fraudType: 'Exposed' }),
    containment: { status: 'skipped', reason: 'the incident of this key is already open' },
    investigation: { status: 'skipped', reason: 'the incident of this key is already open' },
    signal: { role: 'joined', record: recordOf(), keyNow: { status: 'gone' }, ...signal },
  };
}

/** AWS quarantining alice, who has two keys, with no incident open. */
export function quarantineReport(signal: Partial<Extract<SignalReceipt, { role: 'quarantine' }>> = {}): IncidentReport {
  return {
    incident: null,
    containment: { status: 'skipped', reason: 'a quarantine names no key' },
    investigation: { status: 'skipped', reason: 'a quarantine names no key' },
    signal: {
      role: 'quarantine',
      quarantine: {
        source: 'quarantine-policy',
        accountId: '123456789012',
        userName: 'alice',
        policy: 'AWSCompromisedKeyQuarantineV3',
        how: 'attached',
        detectedAt: '2026-11-26T21:58:00.000Z',
        eventId: 'ct-event-1',
        callerKey: null,
      },
      user: {
        userName: 'alice',
        exists: true,
        keys: [
          {
            accessKeyId: REPORT_KEY,
            status: 'Active',
            createdAt: '2026-01-05T10:00:00.000Z',
            lastUsedAt: '2026-11-26T21:57:00.000Z',
            lastUsedService: 'iam',
            lastUsedRegion: 'us-east-1',
          },
          {
            accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
            status: 'Active',
            createdAt: '2026-11-01T10:00:00.000Z',
            lastUsedAt: null,
            lastUsedService: null,
            lastUsedRegion: null,
          },
        ],
        warnings: [],
      },
      incidents: [],
      ...signal,
    },
  };
}

/** A follow-up of the key, contained at {@link CONTAINED_AT} in 123456789012, that ended with `result`. */
export function followUpReport(result: FollowUpResult): IncidentReport {
  return {
    incident: null,
    containment: { status: 'skipped', reason: 'a follow-up contains nothing' },
    investigation: { status: 'skipped', reason: 'a follow-up investigates nothing' },
    followUp: {
      kind: result.kind,
      accessKeyId: result.accessKeyId,
      userName: result.userName,
      accountId: '123456789012',
      containedAt: CONTAINED_AT,
      step: { status: 'done', result },
    },
  };
}

/**
 * A verification of the key, a day after its containment, that found nothing since: every region
 * searched (us-east-1), no session key minted, with `overrides` on top.
 */
export function verificationResult(overrides: Partial<VerificationResult> = {}): VerificationResult {
  return {
    kind: 'verification',
    accessKeyId: REPORT_KEY,
    userName: 'alice',
    containedAt: CONTAINED_AT,
    window: { start: CONTAINED_AT, end: '2026-11-27T22:00:09.000Z' },
    quiet: true,
    sessionKeysChecked: [],
    sessionKeysNotChecked: 0,
    lookback: { start: '2026-11-25T22:00:09.000Z', end: CONTAINED_AT },
    activity: [],
    regionsSearched: ['us-east-1'],
    regionsFailed: [],
    truncated: false,
    ...overrides,
  };
}
