import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../../src/message/email.js';
import { messageOf } from '../../../src/message/message-of.js';
import type { ContainmentOutcome, ContainmentResult } from '../../../src/steps/contain.js';
import { outsideOrganizationSteps } from '../../../src/steps/human-steps.js';
import type { FollowUpReport, IncidentReport } from '../../../src/steps/incident-outcome.js';
import type { VerificationResult } from '../../../src/steps/lifecycle/follow-up-result.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../support/fixtures.js';
import { incidentFor } from '../../support/incidents.js';
import { summarizeRecords } from '../../support/summaries.js';

/*
 * The e-mail of each outcome, as the security team receives it, kept in files beside this test
 * (__snapshots__/*.txt) to be read as a reader would read them. A change to any of them shows in
 * review. The activity is the first part of the recorded attack, replayed as this key's.
 */

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const RECORDS = loadInvictusRecords()
  .filter((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY)
  .slice(0, 120)
  .map((record) => ({ ...record, userIdentity: { ...record.userIdentity, accessKeyId: KEY } }));
const ACTIVITY = summarizeRecords(RECORDS, KEY, INVICTUS_WINDOW, {
  source: 'lookup-events',
  regionsSearched: ['us-east-1', 'eu-west-1'],
  userName: 'alice',
});

function containment(
  outcome: ContainmentOutcome,
  fields: Partial<ContainmentResult> = {},
): IncidentReport['containment'] {
  return {
    status: 'done',
    result: {
      accessKeyId: KEY,
      userName: 'alice',
      mode: 'delete',
      dryRun: false,
      outcome,
      contained: ['deleted', 'deactivated', 'already-contained'].includes(outcome),
      summary: `Deleted ${KEY} of alice.`,
      actions: [],
      quarantinePolicies: [],
      humanSteps: [],
      warnings: [],
      ...fields,
    },
  };
}

const DONE = [
  { kind: 'delete-access-key', target: KEY, status: 'done', detail: `deleted ${KEY} of alice` },
  {
    kind: 'revoke-sessions',
    target: 'alice',
    status: 'done',
    detail: 'denied sessions issued before 2026-11-26T22:05:00.000Z (inline policy exposed-keys-revoke-sessions)',
  },
] as const;

function report(
  containmentReport: IncidentReport['containment'],
  overrides: Partial<IncidentReport> = {},
): IncidentReport {
  return {
    incident: incidentFor(KEY, 'alice'),
    containment: containmentReport,
    investigation: { status: 'done', result: { activity: ACTIVITY, sessionActivity: [] } },
    ...overrides,
  };
}

const CONTAINED_AT = '2026-11-26T22:05:00.000Z';
const DELETE_AT = '2026-12-03T22:05:00.000Z';

/** A follow-up of the key contained at {@link CONTAINED_AT}: its report, as the notification reads it. */
function followUp(kind: FollowUpReport['kind'], step: FollowUpReport['step']): IncidentReport {
  return {
    incident: null,
    containment: { status: 'skipped', reason: 'a follow-up contains nothing' },
    investigation: { status: 'skipped', reason: 'a follow-up investigates nothing' },
    followUp: { kind, accessKeyId: KEY, userName: 'alice', accountId: '123456789012', containedAt: CONTAINED_AT, step },
  };
}

const VERIFIED = {
  kind: 'verification',
  accessKeyId: KEY,
  userName: 'alice',
  containedAt: CONTAINED_AT,
  window: { start: CONTAINED_AT, end: '2026-11-26T22:35:00.000Z' },
  quiet: true,
  sessionKeysChecked: ['ASIAIOSFODNN7EXAMPLE'],
  sessionKeysNotChecked: 0,
  lookback: { start: '2026-11-25T22:05:00.000Z', end: CONTAINED_AT },
  activity: [],
  regionsSearched: ['us-east-1', 'eu-west-1'],
  regionsFailed: [],
  truncated: false,
} satisfies VerificationResult;

const OUTCOMES: [string, IncidentReport][] = [
  ['deleted', report(containment('deleted', { actions: [...DONE], containedAt: CONTAINED_AT }))],
  [
    'deactivated-then-delete',
    report(
      containment('deactivated', {
        mode: 'deactivate-then-delete',
        summary: `Deactivated ${KEY} of alice; it will be deleted at ${DELETE_AT} unless released.`,
        actions: [
          { ...DONE[0], kind: 'deactivate-access-key', detail: `deactivated ${KEY} of alice` },
          DONE[1],
          {
            kind: 'schedule-deletion',
            target: `exposed-keys-delete-${KEY}`,
            status: 'done',
            detail: `deletion scheduled at ${DELETE_AT} (schedule exposed-keys-delete-${KEY} in group exposed-keys)`,
          },
        ],
        containedAt: CONTAINED_AT,
        deleteAt: DELETE_AT,
      }),
    ),
  ],
  [
    'deleted-as-scheduled',
    followUp('scheduled-deletion', {
      status: 'done',
      result: {
        kind: 'scheduled-deletion',
        accessKeyId: KEY,
        userName: 'alice',
        outcome: 'deleted',
        summary: `Deleted ${KEY} of alice, inactive since ${CONTAINED_AT}, as scheduled.`,
        humanSteps: [],
        warnings: [],
      },
    }),
  ],
  [
    'scheduled-deletion-refused',
    followUp('scheduled-deletion', {
      status: 'done',
      result: {
        kind: 'scheduled-deletion',
        accessKeyId: KEY,
        userName: 'alice',
        outcome: 'refused',
        summary: `${KEY} of alice is ACTIVE again (made so outside exposed-keys release), so it was not deleted.`,
        humanSteps: [`Find out who reactivated ${KEY} and why (CloudTrail: UpdateAccessKey).`],
        warnings: [],
      },
    }),
  ],
  ['quiet-since-containment', followUp('verification', { status: 'done', result: VERIFIED })],
  [
    'activity-after-containment',
    followUp('verification', {
      status: 'done',
      result: {
        ...VERIFIED,
        quiet: false,
        activity: [
          {
            accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
            role: 'session',
            totalEvents: 7,
            firstSeen: '2026-11-26T22:10:00.000Z',
            lastSeen: '2026-11-26T22:20:00.000Z',
            calls: [
              { name: 'ListBuckets', count: 5 },
              { name: 'GetCallerIdentity', count: 2 },
            ],
            errorCodes: [{ name: 'AccessDenied', count: 2 }],
            sourceIps: [{ name: '203.0.113.7', count: 7 }],
          },
        ],
      },
    }),
  ],
  [
    'verification-failed',
    followUp('verification', {
      status: 'failed',
      error: 'InvestigationError: No region could be searched: us-east-1: ThrottlingException',
    }),
  ],
  [
    'reactivated',
    followUp('release', {
      status: 'done',
      result: {
        kind: 'release',
        accessKeyId: KEY,
        userName: 'alice',
        evidence: [`tag exposed-keys/contained/${KEY} on alice: "deactivated ${CONTAINED_AT}, delete at ${DELETE_AT}"`],
        cancelled: [`exposed-keys-delete-${KEY}`, `exposed-keys-verify-${KEY}`],
        reactivated: true,
        status: 'Active',
        warnings: [],
      },
    }),
  ],
  [
    'deactivated',
    report(
      containment('deactivated', {
        mode: 'deactivate',
        summary: `Deactivated ${KEY} of alice.`,
        actions: [{ ...DONE[0], kind: 'deactivate-access-key', detail: `deactivated ${KEY} of alice` }, DONE[1]],
      }),
    ),
  ],
  [
    'already-contained',
    report(
      containment('already-contained', {
        summary: `${KEY} no longer exists in IAM: exposed-keys contained it earlier (deleted 2026-11-26T21:00:00.000Z, tag on alice).`,
      }),
    ),
  ],
  [
    'not-found',
    report(
      containment('not-found', {
        userName: null,
        summary: `IAM does not know ${KEY} in account 123456789012, and nothing shows it was deleted here.`,
        humanSteps: [
          `IAM in account 123456789012 does not know ${KEY}, and nothing shows it was deleted here. Check the key id and the account.`,
          `Find the owning account: aws sts get-access-key-info --access-key-id ${KEY}`,
        ],
      }),
    ),
  ],
  [
    'owner-mismatch',
    report(
      containment('owner-mismatch', {
        userName: 'mallory',
        summary: `The event names alice but ${KEY} belongs to mallory; nothing was changed.`,
        humanSteps: [`The event names alice, but IAM says ${KEY} belongs to mallory. Nothing was changed.`],
      }),
    ),
  ],
  [
    'root',
    report(
      containment('manual-action-required', {
        userName: 'root',
        summary: `${KEY} belongs to the root user; only the root user can delete it.`,
        humanSteps: [
          `Sign in as the root user and delete access key ${KEY} (account menu > Security credentials > Access keys). No IAM role can do this for you.`,
          'Change the root password and make sure MFA is enabled on the root user.',
        ],
      }),
      { incident: incidentFor(KEY, 'root') },
    ),
  ],
  [
    'failed',
    report({
      status: 'failed',
      error: `ContainmentError: Could not contain ${KEY} of alice; the key is still active: iam:DeleteAccessKey failed: AccessDenied: not authorized`,
    }),
  ],
  [
    'notify-only',
    report(
      containment('notify-only', {
        mode: 'notify-only',
        summary: `Mode notify-only: ${KEY} of alice was left ACTIVE.`,
        humanSteps: [
          `Deactivate the key now: aws iam update-access-key --user-name alice --access-key-id ${KEY} --status Inactive`,
          `Then delete it: aws iam delete-access-key --user-name alice --access-key-id ${KEY}`,
        ],
      }),
    ),
  ],
  // Organisation mode: the hub contained the key in a member account, whose name Organizations gave.
  [
    'deleted-in-member',
    report(containment('deleted', { actions: [...DONE], accountName: 'Payments (prod)' }), {
      incident: { ...incidentFor(KEY, 'alice'), accountId: '210987654321' },
    }),
  ],
  [
    'outside-organization',
    report(
      containment('outside-organization', {
        summary: `${KEY} belongs to account 999999999999, which is not a member of organization o-exampleorg1; nothing was touched.`,
        humanSteps: outsideOrganizationSteps(KEY, '999999999999', 'o-exampleorg1'),
      }),
      {
        incident: { ...incidentFor(KEY, 'alice'), accountId: '999999999999' },
        investigation: {
          status: 'failed',
          error:
            'OutsideOrganizationError: Account 999999999999 is not a member of organization o-exampleorg1; the hub does not act there.',
        },
      },
    ),
  ],
];

describe('the e-mail of each outcome, as received', () => {
  it.each(OUTCOMES)('%s', async (name, incidentReport) => {
    const { subject, message } = buildNotification(incidentReport);

    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot(`__snapshots__/email-${name}.txt`);
  });
});

describe('the e-mail, when regions could not be searched', () => {
  it("names every region not searched, the session keys' too, with the command to search them again", () => {
    const sessionKey = 'ASIAIOSFODNN7SESSION';
    const session = {
      ...summarizeRecords([], sessionKey, INVICTUS_WINDOW, { source: 'lookup-events', regionsSearched: ['us-east-1'] }),
      regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-1', error: 'AccessDenied: not allowed' }] },
    };
    const incidentReport = report(containment('deleted', { actions: [...DONE], containedAt: CONTAINED_AT }), {
      investigation: { status: 'done', result: { activity: ACTIVITY, sessionActivity: [session] } },
    });

    const { message } = buildNotification(incidentReport);

    expect(message).toContain(
      `Region NOT searched for session key ${sessionKey}: eu-west-1: AccessDenied: not allowed`,
    );
    expect(message).toContain(
      `Search the regions that failed for the session key: exposed-keys investigate --key ${sessionKey} --regions eu-west-1 --start ${session.window.start} --end ${session.window.end}`,
    );
    expect(message).toContain('  NOT searched: eu-west-1: AccessDenied: not allowed');
    expect(message).toContain('No activity of this key was found in what could be searched');
  });
});

describe('the head, when session keys the key minted acted', () => {
  it("lists their risky acts beside the key's own, in one bullet", () => {
    const sessionKey = 'ASIAIOSFODNN7SESSION';
    const asSession = RECORDS.map((record) => ({
      ...record,
      eventID: `session-${record.eventID}`,
      userIdentity: { ...record.userIdentity, type: 'AssumedRole', accessKeyId: sessionKey },
    }));
    const session = summarizeRecords(asSession, sessionKey, INVICTUS_WINDOW, {
      source: 'lookup-events',
      regionsSearched: ['us-east-1'],
    });
    const quiet = summarizeRecords([], KEY, INVICTUS_WINDOW, {
      source: 'lookup-events',
      regionsSearched: ['us-east-1'],
    });
    const withSession = (activity: typeof ACTIVITY) =>
      messageOf(
        report(containment('deleted', { actions: [...DONE], containedAt: CONTAINED_AT }), {
          investigation: { status: 'done', result: { activity, sessionActivity: [session] } },
        }),
      ).attackerDid;

    expect(session.riskyEvents.length).toBeGreaterThan(0);
    expect(withSession(ACTIVITY).at(-1)).toMatch(/^through 1 session key it minted: \S/);
    expect(withSession(ACTIVITY).length).toBeGreaterThan(1);
    expect(withSession(quiet)).toEqual([
      'No activity of this key was found in the window searched.',
      expect.stringMatching(/^through 1 session key it minted: /),
    ]);
  });
});
