import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../../src/message/email.js';
import { messageOf } from '../../../src/message/message-of.js';
import { keyContained, needsHuman } from '../../../src/steps/incident-outcome.js';
import type { IncidentRecord } from '../../../src/steps/signals/incident-record.js';
import { deletedReport, joinedReport, quarantineReport, REPORT_KEY, recordOf } from '../../support/reports.js';

describe('the message of a report that joined an open incident', () => {
  it('is a short follow-up that changes nothing and repeats nothing', async () => {
    const { subject, message } = buildNotification(joinedReport());

    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot('__snapshots__/email-joined.txt');
    expect(message).toContain('Nothing was changed');
    expect(message).not.toContain('ACTIVITY');
  });

  it('says the report that opened the incident was delivered again, not that it is a later report', () => {
    const report = joinedReport({ record: recordOf({ firstEventId: 'health-event-1', firstSource: 'health' }) });

    const message = messageOf(report);

    expect(message.happened).toBe(
      `AWS Health (RISK) delivered its report of ${REPORT_KEY} in account 123456789012 again: the report that opened the incident at 2026-11-26T22:00:00.000Z. It joined that incident rather than starting a second response.`,
    );
    expect(message.happened).not.toMatch(/report \d+ of/);
  });

  it('asks a human to act when the first response ended and IAM shows the key still usable', async () => {
    const report = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({
        response: {
          outcome: 'containment-failed',
          contained: false,
          at: '2026-11-26T22:00:09.000Z',
          userName: 'alice',
        },
      }),
    });
    const { subject, message } = buildNotification(report);

    expect(needsHuman(report)).toBe(true);
    expect(keyContained(report)).toBe(false);
    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot(
      '__snapshots__/email-joined-still-active.txt',
    );
  });

  it("asks a human to act when the key is not in this account's IAM and the first response did not contain it", () => {
    const report = joinedReport({
      keyNow: { status: 'gone' },
      record: recordOf({
        response: { outcome: 'other-account', contained: false, at: '2026-11-26T22:00:09.000Z', userName: null },
      }),
    });
    const message = messageOf(report);

    expect(needsHuman(report)).toBe(true);
    expect(keyContained(report)).toBe(false);
    expect(message.headline).toBe('ACTION REQUIRED: exposed key reported again and not contained');
    expect(message.keyNow).toMatch(/^NOT CONTAINED: this account's IAM does not have it, .*other-account/);
    expect(message.doNow.join('\n')).toMatch(/first message of this incident/);
  });

  it('takes a key gone after a response that contained it as contained', () => {
    const joinedAfter = (response: IncidentRecord['response']) =>
      joinedReport({ keyNow: { status: 'gone' }, record: recordOf({ response }) });
    const deleted = joinedAfter({
      outcome: 'deleted',
      contained: true,
      at: '2026-11-26T22:00:09.000Z',
      userName: 'alice',
    });

    expect(keyContained(deleted)).toBe(true);
    expect(needsHuman(deleted)).toBe(false);
    expect(messageOf(deleted).keyNow).toBe('GONE: IAM no longer has it.');
    // Deleted by hand after a containment that failed, as its message said to: gone, no alarm.
    const byHand = joinedAfter({
      outcome: 'containment-failed',
      contained: false,
      at: '2026-11-26T22:00:09.000Z',
      userName: 'alice',
    });
    expect(keyContained(byHand)).toBe(true);
    expect(needsHuman(byHand)).toBe(false);
    expect(messageOf(byHand).keyNow).toBe('GONE: IAM no longer has it.');
  });

  it("does not take a key gone from this account's IAM as contained while the first response has recorded nothing", () => {
    // AWS Health's organisational view reports a member's key to the management account, whose IAM never had it.
    const report = joinedReport({ keyNow: { status: 'gone' }, record: recordOf({ response: undefined }) });
    const message = messageOf(report);

    expect(keyContained(report)).toBe(false);
    expect(needsHuman(report)).toBe(false);
    expect(message.headline).toBe('Exposed key reported again, same incident');
    expect(message.keyNow).toBe(
      "NOT SHOWN CONTAINED: this account's IAM does not have it, which shows nothing until the first response, under way since 2026-11-26T22:00:00.000Z, records what it found: the key may never have been here (another account's).",
    );
    expect(message.done).toEqual([
      "Nothing was changed: containing the key is left to the response to the first report, under way since 2026-11-26T22:00:00.000Z; this account's IAM does not have the key.",
    ]);
  });

  it('does not, while the first response is under way', () => {
    const report = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({ response: undefined }),
    });

    expect(needsHuman(report)).toBe(false);
    expect(messageOf(report).keyNow).toMatch(/still under way/);
  });
});

describe('a later report of a key the first response did not contain, whose status IAM cannot show', () => {
  const notContained = (outcome: string) =>
    recordOf({ response: { outcome, contained: false, at: '2026-11-26T22:00:09.000Z', userName: null } });

  it("asks a human to act for the root user's key, with the root user's steps", () => {
    const report = joinedReport({
      keyNow: { status: 'unknown', error: 'a key of the root user', rootUser: true },
      record: notContained('manual-action-required'),
    });
    const message = messageOf(report);

    expect(needsHuman(report)).toBe(true);
    expect(keyContained(report)).toBe(false);
    expect(message.headline).toBe('ACTION REQUIRED: exposed key reported again and not contained');
    expect(message.doNow.join('\n')).toMatch(/Sign in as the root user and delete access key/);
  });

  it('asks a human to act when IAM cannot be asked, unless the first response contained the key', () => {
    const unknown = { status: 'unknown', error: 'iam:GetAccessKeyLastUsed failed: Throttling' } as const;
    const failed = joinedReport({ keyNow: unknown, record: notContained('containment-failed') });
    const deleted = joinedReport({
      keyNow: unknown,
      record: recordOf({
        response: { outcome: 'deleted', contained: true, at: '2026-11-26T22:00:09.000Z', userName: 'alice' },
      }),
    });

    expect(needsHuman(failed)).toBe(true);
    expect(needsHuman(deleted)).toBe(false);
  });

  it('asks a human to act when the first response has recorded nothing for longer than a response takes', () => {
    const active = { status: 'active', userName: 'alice' } as const;
    const overdue = joinedReport({ keyNow: active, record: recordOf({ response: undefined }), overdue: true });

    expect(needsHuman(overdue)).toBe(true);
    expect(messageOf(overdue).keyNow).toMatch(/has recorded nothing since: it may have failed/);
    expect(messageOf(overdue).facts.find(([name]) => name === 'Response')?.[1]).toMatch(/may have FAILED/);
    // Inactive: whatever became of the first response, the key is contained.
    const inactive = { status: 'inactive', userName: 'alice' } as const;
    expect(
      needsHuman(joinedReport({ keyNow: inactive, record: recordOf({ response: undefined }), overdue: true })),
    ).toBe(false);
    // Gone: this account's IAM may never have had it, and nothing recorded shows it contained.
    const gone = joinedReport({ keyNow: { status: 'gone' }, record: recordOf({ response: undefined }), overdue: true });
    expect(needsHuman(gone)).toBe(true);
    expect(keyContained(gone)).toBe(false);
    expect(messageOf(gone).keyNow).toBe(
      "NOT SHOWN CONTAINED: this account's IAM does not have it, and the first response, started at 2026-11-26T22:00:00.000Z, has recorded nothing since: it may have failed, and the key may never have been here (another account's).",
    );
  });
});

describe('what a later report that joined says was done', () => {
  const done = (report: ReturnType<typeof joinedReport>) => messageOf(report).done.join('\n');
  const response = (outcome: string, contained: boolean) => ({
    outcome,
    contained,
    at: '2026-11-26T22:00:09.000Z',
    userName: 'alice',
  });

  it('never says the key is contained when IAM shows it active, or the first response did not contain it', () => {
    const failedActive = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({ response: response('containment-failed', false) }),
    });
    const reactivated = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({ response: response('deactivated', true) }),
    });
    const notHere = joinedReport({
      keyNow: { status: 'gone' },
      record: recordOf({ response: response('other-account', false) }),
    });
    const unknown = joinedReport({
      keyNow: { status: 'unknown', error: 'Throttling' },
      record: recordOf({ response: response('owner-mismatch', false) }),
    });

    for (const report of [failedActive, reactivated, notHere, unknown])
      expect(done(report)).not.toMatch(/is contained/);
    expect(done(failedActive)).toBe(
      'Nothing was changed: the key is ACTIVE; the response to the first report did not contain it (containment-failed at 2026-11-26T22:00:09.000Z).',
    );
    expect(done(reactivated)).toBe(
      'Nothing was changed: the key is ACTIVE; the response to the first report contained it (deactivated at 2026-11-26T22:00:09.000Z), and it was made active since.',
    );
    expect(done(notHere)).toMatch(
      /^Nothing was changed: this account's IAM does not have the key; .* did not contain it/,
    );
    expect(done(unknown)).toMatch(/^Nothing was changed: IAM cannot show the key now; .* did not contain it/);
  });

  it('says the key is contained once when the first response contained it and IAM shows it so', () => {
    const report = joinedReport({
      keyNow: { status: 'inactive', userName: 'alice' },
      record: recordOf({ response: response('deactivated', true) }),
    });

    expect(done(report)).toBe(
      'Nothing was changed: the key is contained once, by the response to the first report (deactivated at 2026-11-26T22:00:09.000Z).',
    );
  });

  it('leaves containing the key to a response under way, and says a notify-only one left it to a person', () => {
    const underWay = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({ response: undefined }),
    });
    const notifyOnly = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({ response: response('notify-only', false) }),
    });

    expect(done(underWay)).toBe(
      'Nothing was changed: containing the key is left to the response to the first report, under way since 2026-11-26T22:00:00.000Z; the key is ACTIVE.',
    );
    expect(done(notifyOnly)).toMatch(
      /^Nothing was changed: the response to the first report was notify-only .*the key is ACTIVE\.$/,
    );
  });
});

describe('a later report that runs the response again, or not', () => {
  it('says why a later report responded again, in a full message', () => {
    const report = deletedReport({
      signal: {
        role: 'first',
        again: true,
        record: recordOf({
          response: { outcome: 'containment-failed', contained: false, at: '2026-11-26T22:00:09.000Z', userName: null },
        }),
      },
    });

    const message = messageOf(report);

    expect(message.headline).toBe('Exposed key deleted');
    expect(message.done.at(-1)).toBe(
      "Responded again to this later report (report 2 of the incident): IAM showed the key ACTIVE, and the incident's first response ended with containment-failed at 2026-11-26T22:00:09.000Z, the key not contained.",
    );
  });

  it('shows what the user’s tags say of a release of a key contained, then active again, as the tags’ word only', () => {
    const report = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({
        response: { outcome: 'deactivated', contained: true, at: '2026-11-26T22:00:09.000Z', userName: 'alice' },
      }),
      released: 'reactivated 2026-11-27T09:00:00.000Z',
    });

    const message = messageOf(report);

    expect(message.keyNow).toBe(
      "STILL ACTIVE: contained by the first response, then active again; the user's record of the key says it was released (reactivated 2026-11-27T09:00:00.000Z).",
    );
    expect(message.done.join('\n')).toMatch(
      /the user's record of the key says it was released since .*check with whoever released it/,
    );
  });

  it('asks a human to act when the record does not say when the response began and IAM cannot show the key', () => {
    const report = joinedReport({
      keyNow: { status: 'unknown', error: 'iam:GetAccessKeyLastUsed failed: Throttling' },
      record: recordOf({ response: undefined, openedAt: '' }),
      overdue: true,
    });

    const message = messageOf(report);

    expect(needsHuman(report)).toBe(true);
    expect(keyContained(report)).toBe(false);
    expect(message.headline).toMatch(/^ACTION REQUIRED/);
    expect(message.facts.find(([name]) => name === 'Response')?.[1]).toBe(
      "started at an unknown time and has recorded nothing since: it may have FAILED (see the state machine's executions)",
    );
  });
});

describe('the sources of an incident, as its record gives them', () => {
  it('shows a source it does not know as it is, even one named like what every object inherits', () => {
    const report = joinedReport({ record: recordOf({ firstSource: 'constructor', sources: ['toString', 'health'] }) });

    const message = messageOf(report);

    const shown = [message.happened, ...message.facts.map(([, value]) => value)].join('\n');
    expect(shown).toContain('by constructor');
    expect(shown).toContain('from toString, AWS Health (RISK)');
    expect(shown).not.toContain('function');
  });
});

describe("the texts of an incident's record, in a message", () => {
  it('shows them inert, so that a record cannot write a line of the head', () => {
    const report = joinedReport({
      keyNow: { status: 'active', userName: 'alice' },
      record: recordOf({
        openedAt: '2026-11-26\nKey now        DELETED',
        response: {
          outcome: 'containment-failed\nDo now         1. Nothing',
          contained: false,
          at: '2026-11-26T22:00:09.000Z\u001b[2J',
          userName: null,
        },
      }),
    });

    const { message } = buildNotification(report);

    expect(message).not.toMatch(/^Key now {8}DELETED/m);
    expect(message).not.toMatch(/^Do now {9}1\. Nothing/m);
    expect(message).not.toContain('\u001b');
    expect(message).toContain('STILL ACTIVE: the first response ended with containment-failed\\x');
  });

  it('quotes a user name that a shell would read otherwise in the commands to contain the key', () => {
    const report = joinedReport({
      keyNow: { status: 'active', userName: '=alice' },
      record: recordOf({
        response: { outcome: 'containment-failed', contained: false, at: '2026-11-26T22:00:09.000Z', userName: null },
      }),
    });

    expect(messageOf(report).doNow.join('\n')).toContain(
      "aws iam update-access-key --user-name '=alice' --access-key-id",
    );
  });
});

describe('the message of AWS quarantining a user', () => {
  it("lists the user's keys with their last use, contains nothing, and asks a human to find the key", async () => {
    const report = quarantineReport();
    const { subject, message } = buildNotification(report);

    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot('__snapshots__/email-quarantine.txt');
    expect(needsHuman(report)).toBe(true);
    expect(subject).toContain('alice');
    expect(message).toContain('respond --key AKIAI44QH8DHBEXAMPLE');
  });

  it('needs no human when an open incident covers the user', () => {
    const report = quarantineReport({ incidents: [recordOf()] });

    expect(needsHuman(report)).toBe(false);
    expect(messageOf(report).keyNow).toMatch(/^Covered by 1 open incident/);
  });

  it('needs a human when the only incident of the user is an earlier leak, months before', () => {
    const earlier = recordOf({ accessKeyId: 'AKIAJ55RI9EICFEXAMPLE', openedAt: '2026-09-27T22:00:00.000Z' });
    const report = quarantineReport({ incidents: [earlier] });

    expect(needsHuman(report)).toBe(true);
    const message = messageOf(report);
    expect(message.keyNow).toMatch(
      /^NOT CONTAINED: .* Its incident\(s\) AKIAJ55RI9EICFEXAMPLE \(opened 2026-09-27T22:00:00\.000Z; deleted at .*\) are not taken for this one: an incident covers a quarantine only when opened within a day of it/,
    );
    expect(message.doNow.join('\n')).toContain(`If it is ${REPORT_KEY}: exposed-keys respond --key ${REPORT_KEY}`);
  });

  it.each([
    ['owner-mismatch', REPORT_KEY],
    ['not-found', 'AKIAZZZZZZZZZZZZZZZZ'],
    ['containment-failed', REPORT_KEY],
  ])(
    'needs a human when the incident of the user is one whose response ended %s, containing nothing',
    (outcome, key) => {
      const incident = recordOf({
        accessKeyId: key,
        openedAt: '2026-11-26T21:58:30.000Z',
        response: { outcome, contained: false, at: '2026-11-26T21:58:39.000Z', userName: 'alice' },
      });
      const report = quarantineReport({ incidents: [incident], receivedAt: '2026-11-26T21:59:00.000Z' });

      const message = messageOf(report);

      expect(needsHuman(report)).toBe(true);
      expect(keyContained(report)).toBe(false);
      expect(buildNotification(report).subject).toMatch(/^ACTION REQUIRED: AWS quarantined a user/);
      expect(message.keyNow).toMatch(
        new RegExp(`^NOT CONTAINED: .*${key} \\(opened .*; ${outcome} at .*, key NOT contained\\)`),
      );
      expect(message.doNow.join('\n')).toContain(`If it is ${REPORT_KEY}: exposed-keys respond --key ${REPORT_KEY}`);
    },
  );

  it('is covered by an incident whose response is under way, until it is overdue', () => {
    const opened = recordOf({ openedAt: '2026-11-26T21:58:30.000Z', response: undefined });
    const soon = quarantineReport({ incidents: [opened], receivedAt: '2026-11-26T21:59:00.000Z' });
    const late = quarantineReport({ incidents: [opened], receivedAt: '2026-11-26T22:20:00.000Z' });
    const future = quarantineReport({
      incidents: [recordOf({ openedAt: '2099-01-01T00:00:00.000Z', response: undefined })],
      receivedAt: '2026-11-26T21:59:00.000Z',
    });

    expect(needsHuman(soon)).toBe(false);
    expect(messageOf(soon).keyNow).toMatch(/^Covered by 1 open incident.*under way since 2026-11-26T21:58:30\.000Z/);
    expect(needsHuman(late)).toBe(true);
    expect(messageOf(late).keyNow).toMatch(/has recorded nothing since: it may have FAILED/);
    expect(needsHuman(future)).toBe(true);
  });

  it('is not covered by an incident of a key that is not the user’s, which a report named under the user', () => {
    const stranger = recordOf({
      accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ',
      openedAt: '2026-11-26T21:58:30.000Z',
      response: undefined,
    });
    const gone = recordOf({
      accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ',
      response: { outcome: 'deleted', contained: true, at: '2026-11-26T21:59:00.000Z', userName: 'Alice' },
    });

    expect(needsHuman(quarantineReport({ incidents: [stranger], receivedAt: '2026-11-26T21:59:00.000Z' }))).toBe(true);
    // A key the response deleted, having found it the user's (IAM names are not case-sensitive), covers it.
    expect(needsHuman(quarantineReport({ incidents: [gone], receivedAt: '2026-11-26T21:59:30.000Z' }))).toBe(false);
  });

  it('needs a human when the keys of the user could not be listed, whatever incident there is', () => {
    const report = quarantineReport({ incidents: [recordOf()] });
    if (report.signal?.role === 'quarantine')
      report.signal.user = { userName: 'alice', exists: true, keys: [], keysUnknown: true, warnings: ['throttled'] };

    expect(needsHuman(report)).toBe(true);
    const message = messageOf(report);
    expect(message.keyNow).toMatch(/^NOT KNOWN: the keys of alice could not be listed/);
    expect(message.doNow.join('\n')).toContain('aws iam list-access-keys --user-name alice');
  });

  it('names who put the policy, and does not say AWS did, unless CloudTrail names AWS as the caller', () => {
    const report = quarantineReport();
    if (report.signal?.role === 'quarantine')
      report.signal.quarantine.putBy = { arn: 'arn:aws:iam::123456789012:user/mallory', aws: false };
    const byAws = quarantineReport();
    if (byAws.signal?.role === 'quarantine') byAws.signal.quarantine.putBy = { arn: null, aws: true };

    const message = messageOf(report);
    expect(message.happened).toMatch(
      /^AWSCompromisedKeyQuarantineV3 was put on alice .* by arn:aws:iam::123456789012:user\/mallory\. AWS puts it on a user one of whose keys it found exposed; anyone allowed iam:PutUserPolicy can too: check who did\./,
    );
    expect(message.headline).toBe('ACTION REQUIRED: quarantine policy put on a user, exposed key not known');
    expect(messageOf(byAws).happened).toMatch(/^AWS put AWSCompromisedKeyQuarantineV3 on alice/);
    expect(messageOf(byAws).headline).toBe('ACTION REQUIRED: AWS quarantined a user, exposed key not known');
  });

  it('names the caller, and the service it went through, when a service made the call for it', () => {
    const report = quarantineReport();
    if (report.signal?.role === 'quarantine')
      report.signal.quarantine.putBy = {
        arn: 'arn:aws:iam::123456789012:user/mallory',
        aws: false,
        invokedBy: 'cloudformation.amazonaws.com',
      };
    const byAws = quarantineReport();
    if (byAws.signal?.role === 'quarantine') byAws.signal.quarantine.putBy = { arn: 'health.amazonaws.com', aws: true };

    const message = messageOf(report);

    expect(message.happened).toContain(
      'by arn:aws:iam::123456789012:user/mallory through cloudformation.amazonaws.com. AWS puts it',
    );
    expect(message.headline).not.toMatch(/AWS quarantined/);
    expect(messageOf(byAws).happened).toMatch(
      /^AWS put AWSCompromisedKeyQuarantineV3 on alice .* \(caller health\.amazonaws\.com\):/,
    );
  });

  it('names the caller key as a lead, never as a key it acted on', () => {
    const report = quarantineReport();
    if (report.signal?.role === 'quarantine') report.signal.quarantine.callerKey = 'AKIAI44QH8DHBEXAMPLE';

    const message = messageOf(report);

    expect(message.doNow.join('\n')).toMatch(/signed with AKIAI44QH8DHBEXAMPLE.*Check it first/);
    expect(message.done[0]).toMatch(/^Nothing was changed/);
  });
});

describe('a full response whose record could not be checked', () => {
  it('says it may be a second response', () => {
    const message = messageOf(deletedReport({ signalError: 'AwsCallError: dynamodb:UpdateItem failed' }));

    expect(message.done.at(-1)).toMatch(/^WARNING: could not check for an earlier report/);
  });

  it('says nothing of a second response for an event that could not be read, which had none', () => {
    const message = messageOf(
      deletedReport({
        incident: null,
        eventError: 'SeveralKeysError: detail.affectedEntities names 2 keys',
        signalError: 'SeveralKeysError: detail.affectedEntities names 2 keys',
      }),
    );

    expect(message.done.join('\n')).not.toMatch(/second response/);
  });
});
