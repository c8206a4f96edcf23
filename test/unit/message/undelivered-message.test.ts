import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_LENGTH } from '../../../src/message/email.js';
import { NOT_STARTED, undeliveredAlert } from '../../../src/message/undelivered-message.js';
import { followUpEvent } from '../../../src/steps/lifecycle/follow-up.js';
import { asCloudTrailEvent, publishedEvent, publishedRecord, withKey } from '../../support/published.js';
import { activeCharacters, wellFormed } from '../../support/well-formed.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const STACK_ACCOUNT = '111222333444';
const RULE = 'arn:aws:events:us-east-1:111222333444:rule/exposed-keys-TrustedAdvisorRule-1A2B3C';
const TARGET = 'arn:aws:states:us-east-1:111222333444:stateMachine:exposed-keys';

/** EventBridge's documented attributes of a dead-letter message: a role that may not start the target. */
const RULE_ATTRIBUTES = {
  RULE_ARN: RULE,
  TARGET_ARN: TARGET,
  ERROR_CODE: 'NO_PERMISSIONS',
  ERROR_MESSAGE: 'Not authorized to perform states:StartExecution',
  RETRY_ATTEMPTS: '0',
};

function alertFor(event: unknown, attributes: Record<string, string> = RULE_ATTRIBUTES, stackAccount = STACK_ACCOUNT) {
  return undeliveredAlert({ body: JSON.stringify(event), attributes, stackAccount });
}

describe('the alert for a report that never started a response', () => {
  it("names the key of AWS's published Trusted Advisor sample, why it did not start, and how to contain it", () => {
    const event = withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY);

    const alert = alertFor(event);

    expect(alert.subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(alert.message).toContain('the key may still be active');
    expect(alert.message).toContain(`Key:        ${KEY}`);
    expect(alert.message).toContain('User:       test-user');
    expect(alert.message).toContain('Account:    111222333444');
    expect(alert.message).toContain(
      'NO_PERMISSIONS: Not authorized to perform states:StartExecution (after 0 retries)',
    );
    expect(alert.message).toContain(`Rule:       ${RULE}`);
    expect(alert.message).toContain(`1. Contain the key now: exposed-keys respond --key ${KEY}\n`);
    expect(alert.message).toContain(
      `Or, without exposed-keys: Deactivate the key now: aws iam update-access-key --user-name test-user --access-key-id ${KEY} --status Inactive`,
    );
    // The event itself, whole: a human may need what the parser did not read.
    expect(alert.message).toContain('"check-name":"Exposed Access Keys"');
    expect(alert.attributes).toEqual({
      source: 'dead-letter-queue',
      outcome: NOT_STARTED,
      account: '111222333444',
      accessKeyId: KEY,
    });
  });

  it("names the member's account in the commands for a Health event of the organisational view (hmrc's sample)", () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );

    const alert = alertFor(event, RULE_ATTRIBUTES, '987654321098');

    expect(alert.message).toContain('Account:    123456789012');
    expect(alert.message).toContain(`exposed-keys respond --key ${KEY} --account 123456789012`);
    expect(alert.message).toContain('--profile <a profile of account 123456789012>');
    expect(alert.attributes.account).toBe('123456789012');
  });

  it('says what to do for a user AWS quarantined (the published quarantine record), which names no key', () => {
    const event = asCloudTrailEvent(publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther'));

    const alert = alertFor(event);

    expect(alert.subject).toMatch(/^ACTION REQUIRED: exposed-keys did not start for /);
    expect(alert.message).toContain('aws iam list-access-keys --user-name ');
    expect(alert.message).toContain('exposed-keys respond --key <AKIA…>');
    expect(alert.attributes.accessKeyId).toBeUndefined();
  });

  it('gives the deletion by hand for a scheduled deletion that did not run, and a search for a verification', () => {
    const request = {
      accessKeyId: KEY,
      userName: 'alice',
      accountId: STACK_ACCOUNT,
      containedAt: '2026-11-23T10:00:00.000Z',
      deleteAt: '2026-11-30T10:00:00.000Z',
    };
    const scheduleAttributes = {
      SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:111222333444:schedule/exposed-keys/exposed-keys-delete-AKIA',
      TARGET_ARN: TARGET,
      ERROR_CODE: 'AccessDeniedException',
      ERROR_MESSAGE: 'not authorized',
      RETRY_ATTEMPTS: '0',
    };

    const deletion = alertFor(followUpEvent({ kind: 'scheduled-deletion', ...request }), scheduleAttributes);
    const verification = alertFor(followUpEvent({ kind: 'verification', ...request }), scheduleAttributes);

    expect(deletion.subject).toBe(`ACTION REQUIRED: the scheduled deletion of ${KEY} did not run`);
    expect(deletion.message).toContain(`aws iam delete-access-key --user-name alice --access-key-id ${KEY}`);
    expect(deletion.message).toContain(`Schedule:   ${scheduleAttributes.SCHEDULE_ARN}`);
    expect(deletion.message).not.toContain('Rule:');
    expect(verification.subject).toBe(`ACTION REQUIRED: the verification after containment of ${KEY} did not run`);
    expect(verification.message).toContain(`exposed-keys investigate --key ${KEY} --start 2026-11-23T10:00:00.000Z`);
  });

  it('still alerts, with the event quoted, for a body it cannot read', () => {
    for (const body of ['not json', JSON.stringify({ source: 'aws.trustedadvisor', detail: {} }), '[]']) {
      const alert = undeliveredAlert({ body, attributes: {}, stackAccount: null });

      expect(alert.subject).toBe('ACTION REQUIRED: exposed-keys did not start for an event it was sent');
      expect(alert.message).toContain('which exposed-keys cannot read');
      expect(alert.message).toContain('Why:        unknown error');
      expect(alert.message).toContain(body.slice(0, 8));
    }
  });

  it('makes hostile text inert and keeps the subject and the message within what SNS takes', () => {
    const hostile = `\u001b]52;c;ZXZpbA==\u0007\r\nFAKE: all clear\u202e${'😀'.repeat(300_000)}`;
    const event = withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY);
    event.detail['check-item-detail']['User Name (IAM or Root)'] = 'alice';
    event.detail['check-item-detail'].Location = hostile;

    const alert = undeliveredAlert({
      body: JSON.stringify(event),
      attributes: { ...RULE_ATTRIBUTES, ERROR_MESSAGE: hostile, RULE_ARN: hostile },
      stackAccount: STACK_ACCOUNT,
    });

    expect(activeCharacters(alert.message)).toEqual([]);
    expect(wellFormed(alert.message)).toBe(true);
    expect(Buffer.byteLength(alert.message)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(alert.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(alert.message).toContain('\\x1B]52;c;ZXZpbA==\\x07\\x0D\\x0AFAKE');
  });
});
