import { describe, expect, it } from 'vitest';
import { customNotification, webhookPayload } from '../../../src/message/chat.js';
import { messageOf } from '../../../src/message/message-of.js';
import type { IncidentReport } from '../../../src/steps/incident-outcome.js';
import type { KeyFailedRegion } from '../../../src/steps/lifecycle/follow-up-result.js';
import { followUpReport, REPORT_KEY, verificationResult } from '../../support/reports.js';
import { activeCharacters } from '../../support/well-formed.js';

/** A verification that found calls of `sessionKey`, an id as CloudTrail gave it. */
function verificationWithSession(sessionKey: string): IncidentReport {
  return followUpReport(
    verificationResult({
      quiet: false,
      sessionKeysChecked: [sessionKey],
      activity: [
        {
          accessKeyId: sessionKey,
          role: 'session',
          totalEvents: 2,
          firstSeen: '2026-11-27T01:00:00.000Z',
          lastSeen: '2026-11-27T01:00:01.000Z',
          calls: [{ name: 'ListBuckets', count: 2 }],
          errorCodes: [],
          sourceIps: [{ name: '203.0.113.9', count: 2 }],
        },
      ],
    }),
  );
}

describe('the message of a verification that found calls of a session key', () => {
  it('shows the session key id from CloudTrail inert, in the message and in chat', () => {
    const hostile = 'ASIA\u001b]8;;https://evil.example\u0007CLICK\u001b]8;;\u0007\u202e';

    const message = messageOf(verificationWithSession(hostile));

    const line = message.attackerDid.join('\n');
    expect(activeCharacters(line)).toEqual([]);
    expect(line).toContain('session key ASIA\\x1B]8;;https://evil.example\\x07CLICK\\x1B]8;;\\x07\\u202E: 2 call(s)');
    expect(activeCharacters(webhookPayload(message).text)).toEqual([]);
    expect(JSON.stringify(customNotification(message, 'e'))).not.toMatch(/\\u001b|\u202e/);
  });
});

/** A verification that checked `session`, found nothing since containment, its search failed in `regionsFailed`. */
function quietVerification(session: string, regionsFailed: KeyFailedRegion[]): IncidentReport {
  return followUpReport(verificationResult({ sessionKeysChecked: [session], regionsFailed }));
}

describe('the message of a quiet verification that could not search every region', () => {
  it('says the verification is incomplete, not verified, and gives the search to run again', () => {
    const report = quietVerification('ASIAEXAMPLESESSION01', [
      { region: 'eu-west-3', error: 'AccessDenied', accessKeyId: REPORT_KEY },
    ]);

    const message = messageOf(report);

    expect(message.outcome).toBe('verification-incomplete');
    expect(message.headline).toMatch(/^ACTION REQUIRED: verification after containment INCOMPLETE/);
    expect(message.attackerDid.join('\n')).not.toBe('nothing since containment.');
    expect(message.doNow.join('\n')).toContain('--regions eu-west-3');
  });
});

describe('the message of a quiet verification that could not search a region for a session key', () => {
  it('says which session key, and gives the search to run again for it', () => {
    const session = 'ASIAEXAMPLESESSIONAB';
    const report = quietVerification(session, [
      { region: 'eu-west-3', error: 'ThrottlingException', accessKeyId: session },
    ]);

    const message = messageOf(report);

    expect(message.outcome).toBe('verification-incomplete');
    expect(message.keyNow).toContain('but 1 region(s) could not be searched for 1 session key(s)');
    expect(message.done).toContain(`Region NOT searched for session key ${session}: eu-west-3: ThrottlingException`);
    expect(message.doNow).toContain(
      `Search the regions that could not be searched for session key ${session}: exposed-keys investigate --key ${session} --start 2026-11-26T22:00:09.000Z --regions eu-west-3`,
    );
  });
});

describe('the message of a quiet verification of a key that minted more session keys than it checks', () => {
  it('says how many were not checked, not verified, and how to check them', () => {
    const checked = Array.from({ length: 25 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`);
    const report = followUpReport(verificationResult({ sessionKeysChecked: checked, sessionKeysNotChecked: 15 }));

    const message = messageOf(report);

    expect(message.outcome).toBe('verification-incomplete');
    expect(message.keyNow).toMatch(
      /^NOT VERIFIED: no activity found since containment of the key and 25 of the 40 session key\(s\) it minted, .* but 15 session key\(s\) it minted were NOT checked\.$/,
    );
    expect(message.doNow.join('\n')).toContain(
      `list them with exposed-keys investigate --key ${REPORT_KEY} --start 2026-11-25T22:00:09.000Z --end 2026-11-26T22:00:09.000Z --no-follow-sessions --json, then search each since containment: exposed-keys investigate --key <ASIA…> --start 2026-11-26T22:00:09.000Z`,
    );
  });
});

describe('the message of a quiet verification that named session keys it did not check', () => {
  it('names each, with why, and gives the search since containment', () => {
    const keys = ['B', 'C', 'D', 'E', 'F'].map((letter) => `ASIAEXAMPLENOTCHEC${letter}${letter}`);
    const report = followUpReport(
      verificationResult({
        sessionKeysChecked: ['ASIAEXAMPLESESSIONAB'],
        sessionKeysNotChecked: 6,
        sessionKeysNotCheckedListed: keys.map((accessKeyId) => ({ accessKeyId, mintedBy: REPORT_KEY, reason: 'time' })),
      }),
    );

    const message = messageOf(report);

    expect(message.outcome).toBe('verification-incomplete');
    expect(message.doNow).toContain(
      `Search session key ${keys[0]}, NOT checked, since containment: exposed-keys investigate --key ${keys[0]} --start 2026-11-26T22:00:09.000Z`,
    );
    expect(message.doNow.join('\n')).toContain(
      'Search the same way the 3 other session key(s) it minted that were NOT checked (the time ran out before them): those named below, and the 1 not named, listed with',
    );
    expect(message.done).toContain(
      `Session key NOT checked since containment: ${keys[4]} (minted by ${REPORT_KEY}; the time ran out before it)`,
    );
    expect(message.done).toContain('1 more session key(s) NOT checked, not named here.');
  });
});

describe('the message of a quiet verification that did not follow some session keys', () => {
  it('says what they minted was not looked for, names each, and how to find it', () => {
    const left = 'ASIAEXAMPLENOTFOLLOW';
    const report = followUpReport(
      verificationResult({
        sessionKeysChecked: ['ASIAEXAMPLESESSIONAB'],
        sessionKeysNotFollowed: {
          count: 2,
          keys: [{ accessKeyId: left, mintedBy: REPORT_KEY, reason: 'limit' }],
          window: { start: '2026-11-25T22:00:09.000Z', end: '2026-11-27T10:00:00.000Z' },
        },
      }),
    );

    const message = messageOf(report);

    expect(message.outcome).toBe('verification-incomplete');
    expect(message.keyNow).toContain('2 session key(s) were NOT followed to the keys they minted');
    expect(message.doNow.join('\n')).toContain(
      `Find the session keys minted by the 2 session key(s) NOT followed (past the 25 followed; the first 1 named below), one at a time: exposed-keys investigate --key ${left} --start 2026-11-25T22:00:09.000Z --end 2026-11-27T10:00:00.000Z, then search each it lists since containment: exposed-keys investigate --key <ASIA…> --start 2026-11-26T22:00:09.000Z`,
    );
    expect(message.done).toContain(
      `Session key NOT followed, the keys it minted not looked for: ${left} (minted by ${REPORT_KEY}; past the 25 followed)`,
    );
    expect(message.done).toContain('1 more session key(s) NOT followed, not named here.');
  });
});

describe('a verification result written before failures named their key', () => {
  it('is read as the key’s own, and asks for no check of session keys it cannot count', () => {
    const report = verificationWithSession('ASIAIOSFODNN7EXAMPLE');
    const step = report.followUp?.step;
    if (step?.status !== 'done' || step.result.kind !== 'verification') throw new Error('a verification');
    const older = step.result as unknown as Record<string, unknown>;
    delete older.sessionKeysNotChecked;
    delete older.lookback;
    older.quiet = true;
    older.regionsFailed = [{ region: 'eu-west-1', error: 'AccessDenied' }];

    const message = messageOf(report);

    expect(message.doNow.join('\n')).toContain(
      `Search the regions that could not be searched: exposed-keys investigate --key ${REPORT_KEY} --start 2026-11-26T22:00:09.000Z --regions eu-west-1`,
    );
    expect(message.doNow.join('\n')).not.toMatch(/undefined|NOT checked/);
  });
});
