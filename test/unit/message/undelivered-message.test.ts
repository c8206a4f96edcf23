import { describe, expect, it } from 'vitest';
import { customNotificationSchema } from '../../../src/message/chat.js';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_LENGTH } from '../../../src/message/email.js';
import {
  fallbackUndeliveredAlert,
  type RestartOutcome,
  undeliveredAlert,
  undeliveredContent,
} from '../../../src/message/undelivered-message.js';
import { followUpEvent } from '../../../src/steps/lifecycle/follow-up.js';
import { asCloudTrailEvent, publishedEvent, publishedRecord, withKey } from '../../support/published.js';
import { activeCharacters, wellFormed } from '../../support/well-formed.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const OTHER_KEY = 'AKIAQWERTYUIOPASDFGH';
const STACK_ACCOUNT = '111222333444';
const RULE = 'arn:aws:events:us-east-1:111222333444:rule/exposed-keys-TrustedAdvisorRule-1A2B3C';
const TARGET = 'arn:aws:states:us-east-1:111222333444:stateMachine:exposed-keys';
const EXECUTION = 'arn:aws:states:us-east-1:111222333444:execution:exposed-keys:undelivered-1';
const NOT_TRIED: RestartOutcome = { status: 'not-tried', reason: 'exposed-keys cannot read it as an event it acts on' };
const FAILED: RestartOutcome = {
  status: 'failed',
  error: 'AwsCallError: states:StartExecution failed: StateMachineDoesNotExist',
};

/** EventBridge's documented attributes of a dead-letter message: a role that may not start the target. */
const RULE_ATTRIBUTES = {
  RULE_ARN: RULE,
  TARGET_ARN: TARGET,
  ERROR_CODE: 'NO_PERMISSIONS',
  ERROR_MESSAGE: 'Not authorized to perform states:StartExecution',
  RETRY_ATTEMPTS: '0',
};

function alertFor(
  event: unknown,
  options: { attributes?: Record<string, string>; stackAccount?: string | null; restart?: RestartOutcome } = {},
) {
  return undeliveredAlert({
    body: JSON.stringify(event),
    attributes: options.attributes ?? RULE_ATTRIBUTES,
    stackAccount: options.stackAccount === undefined ? STACK_ACCOUNT : options.stackAccount,
    restart: options.restart ?? FAILED,
  });
}

function trustedAdvisorEvent() {
  return withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY);
}

/** A valid key id for each number, in the order the event's keys are sorted. */
function keyNumbered(index: number): string {
  const letters = [...index.toString(26)].map((digit) => String.fromCharCode(65 + Number.parseInt(digit, 26)));
  return `AKIA${letters.join('').padStart(16, 'A')}`;
}

describe('the alert for a report that did not reach the state machine', () => {
  it("names the key of AWS's published Trusted Advisor sample, why it did not start, and how to contain it", () => {
    const alert = alertFor(trustedAdvisorEvent());

    expect(alert.subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(alert.message).toMatch(
      /^EventBridge could not start the exposed-keys response to a report of an exposed key\. exposed-keys could not start it again either \(.*StateMachineDoesNotExist\)\. .*the key may still be active\./,
    );
    expect(alert.message).toContain(`Key:        ${KEY}`);
    expect(alert.message).toContain('User:       test-user');
    expect(alert.message).toContain('Account:    111222333444');
    expect(alert.message).toContain(
      'NO_PERMISSIONS: Not authorized to perform states:StartExecution (after 0 retries)',
    );
    expect(alert.message).toContain(`Rule:       ${RULE}`);
    expect(alert.message).toContain(`DO NOW\n1. Contain the key: exposed-keys respond --key ${KEY}\n`);
    expect(alert.message).toContain(
      `Or, without exposed-keys: Deactivate the key now: aws iam update-access-key --user-name test-user --access-key-id ${KEY} --status Inactive`,
    );
    // The event itself, whole: a human may need what the parser did not read.
    expect(alert.message).toContain('THE EVENT AS DELIVERED (made inert)\n{');
    expect(alert.message).toContain('"check-name":"Exposed Access Keys"');
    expect(alert.attributes).toEqual({
      source: 'trusted-advisor',
      outcome: 'not-started',
      account: '111222333444',
      accessKeyId: KEY,
    });
  });

  it('says the response was started late, and where its report is, when the function could start it', () => {
    const alert = alertFor(trustedAdvisorEvent(), { restart: { status: 'started', executionArn: EXECUTION } });

    expect(alert.subject).toBe(`exposed-keys started late for ${KEY}: check its report`);
    expect(alert.message).toContain('exposed-keys started it again itself: its own report follows.');
    expect(alert.message).toContain(`TO DO\n1. Read the report of the execution started again: ${EXECUTION}\n`);
    expect(alert.message).toContain('find why it could not start');
    expect(alert.attributes.outcome).toBe('started-late');
  });

  it("names the member's account in the commands for a Health event of the organisational view (hmrc's sample)", () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );

    const alert = alertFor(event, { stackAccount: '987654321098' });
    const unknownStack = alertFor(event, { stackAccount: null });

    expect(alert.message).toContain('Account:    123456789012');
    expect(alert.message).toContain(`exposed-keys respond --key ${KEY} --account 123456789012`);
    expect(alert.message).toContain('--profile <a profile of account 123456789012>');
    expect(alert.attributes).toMatchObject({ account: '123456789012', source: 'health' });
    // Where the stack's account is unknown, the commands name the key's, never act on the caller's.
    expect(unknownStack.message).toContain(`exposed-keys respond --key ${KEY} --account 123456789012`);
  });

  it('gives one command per key for a Health event naming several, in the account it names', () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );
    event.detail.affectedEntities.push({ entityValue: OTHER_KEY });

    const alert = alertFor(event, { stackAccount: '987654321098', restart: NOT_TRIED });

    expect(undeliveredContent(JSON.stringify(event)).kind).toBe('several-keys');
    expect(alert.subject).toBe('ACTION REQUIRED: exposed-keys did not start for 2 keys');
    expect(alert.message).toContain(`1. Contain ${KEY}: exposed-keys respond --key ${KEY} --account 123456789012`);
    expect(alert.message).toContain(
      `2. Contain ${OTHER_KEY}: exposed-keys respond --key ${OTHER_KEY} --account 123456789012`,
    );
  });

  it("lists the first 50 keys of a Health event naming thousands, counts the rest, and stays within SNS's limit", () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );
    const keys = Array.from({ length: 2_500 }, (_, index) => keyNumbered(index));
    event.detail.affectedEntities = keys.map((entityValue) => ({ entityValue }));

    const alert = alertFor(event, { stackAccount: '987654321098', restart: NOT_TRIED });

    expect(Buffer.byteLength(alert.message)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(alert.subject).toBe('ACTION REQUIRED: exposed-keys did not start for 2,500 keys');
    expect(alert.message).toContain('Keys:       2,500; the first 50 are listed');
    expect(alert.message).toContain(
      `50. Contain ${keys[49]}: exposed-keys respond --key ${keys[49]} --account 123456789012`,
    );
    expect(alert.message).not.toContain(`Contain ${keys[50]}`);
    expect(alert.message).not.toContain(`Key:        ${keys[50]}`);
    expect(alert.message).toContain('Key:        … and 2,450 more: the AWS Health console lists them all');
    expect(alert.message).toContain(
      '51. Contain the 2,450 other keys the same way, one by one: exposed-keys respond --key <AKIA…> --account 123456789012',
    );
  });

  it('says what to do for a user AWS quarantined (the published quarantine record), which names no key', () => {
    const event = asCloudTrailEvent(publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther'));

    const alert = alertFor(event);

    expect(undeliveredContent(JSON.stringify(event)).kind).toBe('signal');
    expect(alert.subject).toMatch(/^ACTION REQUIRED: exposed-keys did not start for user /);
    expect(alert.message).toContain('aws iam list-access-keys --user-name ');
    expect(alert.message).toContain('exposed-keys respond --key <AKIA…>');
    expect(alert.attributes).toMatchObject({ source: 'quarantine-policy' });
    expect(alert.attributes.accessKeyId).toBeUndefined();
  });

  it('checks the key before a deletion by hand, for a scheduled deletion that did not run; searches for a verification', () => {
    const request = {
      accessKeyId: KEY,
      userName: 'alice',
      accountId: STACK_ACCOUNT,
      containedAt: '2026-11-23T10:00:00.000Z',
      deleteAt: '2026-11-30T10:00:00.000Z',
    };
    const attributes = {
      SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:111222333444:schedule/exposed-keys/exposed-keys-delete-AKIA',
      TARGET_ARN: TARGET,
      ERROR_CODE: 'AccessDeniedException',
      ERROR_MESSAGE: 'not authorized',
      RETRY_ATTEMPTS: '0',
    };

    const deletion = alertFor(followUpEvent({ kind: 'scheduled-deletion', ...request }), { attributes });
    const verification = alertFor(followUpEvent({ kind: 'verification', ...request }), { attributes });

    expect(deletion.subject).toBe(`ACTION REQUIRED: exposed-keys did not start for the scheduled deletion of ${KEY}`);
    expect(deletion.message).toMatch(
      /^EventBridge Scheduler could not start the exposed-keys response to the scheduled deletion/,
    );
    expect(deletion.message).toContain(
      `1. Check the key first: aws iam list-access-keys --user-name alice. Delete it only if it is still Inactive`,
    );
    expect(deletion.message).toContain(`aws iam delete-access-key --user-name alice --access-key-id ${KEY}`);
    expect(deletion.message).toContain(`Schedule:   ${attributes.SCHEDULE_ARN}`);
    expect(deletion.message).not.toContain('Rule:');
    expect(deletion.attributes).toMatchObject({ source: 'exposed-keys', accessKeyId: KEY });
    expect(verification.message).toContain(`exposed-keys investigate --key ${KEY} --start 2026-11-23T10:00:00.000Z`);
  });

  it('still alerts, with the event quoted, for a body it cannot read, naming who could not deliver it', () => {
    for (const body of ['not json', JSON.stringify({ source: 'aws.trustedadvisor', detail: {} }), '[]']) {
      const alert = undeliveredAlert({ body, attributes: {}, stackAccount: null, restart: NOT_TRIED });

      expect(alert.subject).toBe('ACTION REQUIRED: exposed-keys did not start for an event it was sent');
      expect(alert.message).toMatch(
        /^EventBridge could not start the exposed-keys response to an event exposed-keys cannot read/,
      );
      expect(alert.message).toContain('Why:        unknown error');
      expect(alert.message).toContain(body.slice(0, 8));
    }
    const scheduled = undeliveredAlert({
      body: 'x',
      attributes: { SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:111222333444:schedule/g/n' },
      stackAccount: null,
      restart: NOT_TRIED,
    });
    expect(scheduled.message).toMatch(/^EventBridge Scheduler could not start/);
  });

  it('makes hostile text inert and keeps the subject, the message and the chat notification within their limits', () => {
    const hostile = `\u001b]52;c;ZXZpbA==\u0007\r\nFAKE: all clear [Rotate the key](https://evil.example/r)\u202e${'😀'.repeat(300_000)}`;
    const event = trustedAdvisorEvent();
    event.detail['check-item-detail']['User Name (IAM or Root)'] = 'alice';
    event.detail['check-item-detail'].Location = hostile;

    const alert = undeliveredAlert({
      body: JSON.stringify(event),
      attributes: { ...RULE_ATTRIBUTES, ERROR_MESSAGE: hostile, RULE_ARN: hostile },
      stackAccount: STACK_ACCOUNT,
      restart: { status: 'failed', error: hostile },
    });

    expect(activeCharacters(alert.message)).toEqual([]);
    expect(wellFormed(alert.message)).toBe(true);
    expect(Buffer.byteLength(alert.message)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(alert.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(alert.message).toContain('\\x1B]52;c;ZXZpbA==\\x07\\x0D\\x0AFAKE');
    expect(alert.message).toContain('THE EVENT AS DELIVERED (made inert, cut)');
    const chat = JSON.stringify(alert.chat);
    expect(customNotificationSchema.safeParse(alert.chat).success).toBe(true);
    expect(activeCharacters(chat, { lineFeeds: false })).toEqual([]);
    // No Markdown link whose text hides where it leads.
    expect(chat).toContain('Rotate the key');
    expect(chat).not.toMatch(/\]\s*\(/);
    expect(Buffer.byteLength(chat)).toBeLessThan(20_000);
  });

  it('says in chat how many more steps the e-mail has, when they are more than a notification holds', () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );
    const keys = Array.from({ length: 11 }, (_, index) => `AKIA${String.fromCharCode(65 + index).repeat(16)}`);
    event.detail.affectedEntities = keys.map((entityValue) => ({ entityValue }));

    const alert = alertFor(event, { restart: NOT_TRIED });

    // One step per key and the step to find the cause: 12, of which chat shows 9 and says how many more.
    expect(alert.chat.content.nextSteps).toHaveLength(10);
    expect(alert.chat.content.nextSteps?.at(-1)).toBe('… and 3 more steps: see the e-mail.');
  });

  it('threads the chat notification under the key, with the steps', () => {
    const alert = alertFor(trustedAdvisorEvent());

    expect(alert.chat.metadata?.threadId).toBe(KEY);
    expect(alert.chat.content.title).toContain(`did not start for ${KEY}`);
    expect(alert.chat.content.nextSteps?.[0]).toBe(`Contain the key: exposed-keys respond --key ${KEY}`);
  });

  it('has a fixed alert, with nothing from the event, for a message it cannot describe, saying whether it started', () => {
    const alert = fallbackUndeliveredAlert('059f36b4-87a3-44ab-83d2-661975830a7d', NOT_TRIED);
    const started = fallbackUndeliveredAlert('m', { status: 'started', executionArn: EXECUTION });

    expect(alert.subject).toBe('ACTION REQUIRED: exposed-keys did not start for an event it was sent');
    expect(alert.message).toContain('059f36b4-87a3-44ab-83d2-661975830a7d');
    expect(alert.message).toContain('exposed-keys respond --key <AKIA…>');
    expect(alert.attributes.outcome).toBe('not-started');
    expect(started.subject).toBe('exposed-keys started late for an event it was sent: check its report');
    expect(started.message).toContain(`started the response again itself (${EXECUTION})`);
    expect(started.attributes.outcome).toBe('started-late');
  });

  it('says why the event was not given to the state machine again', () => {
    const alert = alertFor(trustedAdvisorEvent(), {
      restart: { status: 'not-tried', reason: "it did not come from the stack's dead-letter queue" },
    });

    expect(alert.subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(alert.message).toContain(
      "exposed-keys did not start it again: it did not come from the stack's dead-letter queue. Nothing was done for it",
    );
  });
});
