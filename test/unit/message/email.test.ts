import { describe, expect, it } from 'vitest';
import { buildNotification, MAX_SUBJECT_LENGTH } from '../../../src/message/email.js';
import { type IncidentReport, needsHuman } from '../../../src/steps/incident-outcome.js';
import {
  deletedReport,
  followUpReport,
  quarantineReport,
  REPORT_KEY,
  verificationResult,
} from '../../support/reports.js';

const ACCOUNT = '123456789012';

function expectSubject(subject: string): void {
  expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  expect(subject).toMatch(/^[\x20-\x7e]+$/);
}

describe('the subject of a notification', () => {
  it('keeps the key and the account whole after a long headline, shortening the headline instead', () => {
    const { subject } = buildNotification(
      followUpReport({
        kind: 'release',
        accessKeyId: REPORT_KEY,
        userName: 'alice',
        evidence: ['the revocation policy exposed-keys attached'],
        cancelled: [],
        reactivated: false,
        status: 'Active',
        warnings: [],
      }),
    );

    expectSubject(subject);
    expect(subject).toMatch(
      new RegExp(`^ACTION REQUIRED: exposed key released, but it is ACTIVE.*\\.\\.\\.: ${REPORT_KEY} in ${ACCOUNT}$`),
    );
  });

  it('keeps the account after a headline that leaves no room for the user name', () => {
    const { subject } = buildNotification(followUpReport(verificationResult({ truncated: true })));

    expectSubject(subject);
    expect(subject).toBe(`ACTION REQUIRED: verification after containment INCOMPLETE...: ${REPORT_KEY} in ${ACCOUNT}`);
  });

  it('keeps the account of a quarantined user with a long name: the name gives way first', () => {
    const name = `svc-${'a'.repeat(60)}`;
    const report = quarantineReport({ user: { userName: name, exists: true, keys: [], warnings: [] } });
    if (report.signal?.role === 'quarantine') report.signal.quarantine.userName = name;

    const { subject } = buildNotification(report);

    expectSubject(subject);
    expect(subject).toMatch(new RegExp(`^AWS quarantined a user whose key leaked: svc-a+\\.\\.\\. in ${ACCOUNT}$`));
  });

  it('keeps the account of an event that could not be read, beside its event id', () => {
    const report: IncidentReport = {
      incident: null,
      eventError: 'SeveralKeysError: detail.affectedEntities names 2 keys',
      rawAccount: ACCOUNT,
      rawEventId: 'ev-1',
      containment: { status: 'skipped', reason: 'the event could not be read' },
      investigation: { status: 'skipped', reason: 'the event could not be read' },
    };

    const { subject } = buildNotification(report);

    expectSubject(subject);
    expect(subject).toMatch(new RegExp(`\\(event ev-1\\) in ${ACCOUNT}$`));
  });

  it('cuts by code point, one ? for each character SNS would refuse', () => {
    const name = `\u{1F600}${'b'.repeat(70)}`;
    const report = quarantineReport();
    if (report.signal?.role === 'quarantine') report.signal.quarantine.userName = name;

    const { subject } = buildNotification(report);

    expectSubject(subject);
    expect(subject).toMatch(new RegExp(`: \\?b+\\.\\.\\. in ${ACCOUNT}$`));
  });
});

/** A response that contained the key, a part of whose containment failed. */
function containedButFailed(failed: { kind: 'revoke-sessions' | 'schedule-deletion'; detail: string }): IncidentReport {
  const report = deletedReport();
  if (report.containment.status === 'done')
    report.containment.result.actions.push({ ...failed, target: REPORT_KEY, status: 'failed' });
  return report;
}

describe('the headline of a response a part of whose containment failed', () => {
  it('says ACTION REQUIRED when revoking the sessions the key minted failed, within the subject limit', () => {
    const report = containedButFailed({ kind: 'revoke-sessions', detail: 'AccessDenied: iam:PutUserPolicy' });

    const { subject, message } = buildNotification(report);

    expect(needsHuman(report)).toBe(true);
    expect(message).toContain('STILL VALID');
    expectSubject(subject);
    // What failed leads: the outcome gives way to the key and the account, which stay whole.
    expect(subject).toBe(`ACTION REQUIRED: sessions NOT revoked; exposed key deleted: ${REPORT_KEY} in ${ACCOUNT}`);
    expect(message.split('\n')[1]).toBe('ACTION REQUIRED: SESSIONS NOT REVOKED; EXPOSED KEY DELETED');
  });

  it("says ACTION REQUIRED when the key's deletion could not be scheduled", () => {
    const report = containedButFailed({ kind: 'schedule-deletion', detail: 'AccessDenied: scheduler:CreateSchedule' });

    const { subject, message } = buildNotification(report);

    expect(needsHuman(report)).toBe(true);
    expectSubject(subject);
    expect(subject).toMatch(
      new RegExp(`^ACTION REQUIRED: deletion NOT scheduled; exposed key .*: ${REPORT_KEY} in ${ACCOUNT}$`),
    );
    expect(message.split('\n')[1]).toBe('ACTION REQUIRED: DELETION NOT SCHEDULED; EXPOSED KEY DELETED');
  });
});

describe('the message of a release that failed', () => {
  it('says what the failure left, and repeats --reactivate in the step to release again', () => {
    const error = `AwsCallError: scheduler:DeleteSchedule failed: ThrottlingException: Rate exceeded Already done: ${REPORT_KEY} made ACTIVE again.`;
    const report: IncidentReport = {
      incident: null,
      containment: { status: 'skipped', reason: 'a release contains nothing' },
      investigation: { status: 'skipped', reason: 'a release investigates nothing' },
      followUp: {
        kind: 'release',
        accessKeyId: REPORT_KEY,
        userName: 'alice',
        accountId: ACCOUNT,
        containedAt: null,
        step: { status: 'failed', error },
        reactivate: true,
      },
    };

    const { message } = buildNotification(report);

    expect(message).not.toMatch(/As before the release/);
    expect(message).toMatch(
      new RegExp(`As the failed release left it: .*Already done: ${REPORT_KEY} made ACTIVE again`),
    );
    expect(message).toContain(`Release it again: exposed-keys release --key ${REPORT_KEY} --reactivate`);
  });
});

describe('the message of a response whose investigation failed', () => {
  const failed = deletedReport({
    investigation: {
      status: 'failed',
      error: 'InvestigationError: No region could be searched: us-east-1: AccessDenied',
    },
  });

  it('sends the reader to no activity below, since it has none, but to the investigation by hand', () => {
    const { message } = buildNotification(failed);

    expect(message).not.toMatch(/^ACTIVITY$/m);
    expect(message).not.toContain('see the activity below');
    expect(message).toContain(
      `Delete what the attacker created (users, keys, roles, instances), once the investigation by hand shows what it did.`,
    );
  });
});

describe('the last line of a message', () => {
  it('gives the command for the full detail of the key it is about, ready to run', () => {
    const { message } = buildNotification(deletedReport());

    expect(message.trimEnd().split('\n').at(-1)).toBe(
      `Sent by exposed-keys. Full detail: exposed-keys investigate --key ${REPORT_KEY} --json`,
    );
  });

  it("names the member's account when the hub acted there", () => {
    const report = deletedReport({ actedFrom: '999988887777' });

    expect(buildNotification(report).message.trimEnd().split('\n').at(-1)).toBe(
      `Sent by exposed-keys. Full detail: exposed-keys investigate --key ${REPORT_KEY} --account ${ACCOUNT} --json`,
    );
  });

  it('keeps a placeholder when the event named no key it could read', () => {
    const report = deletedReport({ incident: null, rawEventId: 'event-1' });

    expect(buildNotification(report).message).toMatch(/Full detail: exposed-keys investigate --key <key> --json$/);
  });
});

describe('the message of a dry run', () => {
  it('says it is a dry run once in "Key now", not twice in a row', () => {
    const base = deletedReport();
    if (base.containment.status !== 'done') throw new Error('a done containment');
    const report = deletedReport({
      containment: {
        status: 'done',
        result: {
          ...base.containment.result,
          dryRun: true,
          outcome: 'planned',
          contained: false,
          summary: `Dry run: would delete ${REPORT_KEY} of alice; nothing was changed.`,
        },
      },
    });

    expect(buildNotification(report).message).toContain(
      `Key now        Unchanged (dry run): would delete ${REPORT_KEY} of alice; nothing was changed.`,
    );
  });
});

describe('the key now, when session revocation was off', () => {
  it('says the sessions the key minted were not revoked, and work until they expire', () => {
    // deletedReport's containment deleted the key and took no revoke-sessions action.
    const { message } = buildNotification(deletedReport());

    expect(message).toContain(
      'Key now        DELETED: it can no longer be used. Sessions it minted were NOT revoked (session revocation is off): they work until they expire.',
    );
  });
});
