import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotificationError } from '../../../src/errors.js';
import { buildNotification, buildPlainNotification, MAX_MESSAGE_BYTES } from '../../../src/message/email.js';
import type { ContainmentResult } from '../../../src/steps/contain.js';
import type { IncidentReport } from '../../../src/steps/incident-outcome.js';
import { notifySecurity } from '../../../src/steps/notify.js';
import { incidentFor } from '../../support/incidents.js';
import { summaryFor } from '../../support/summaries.js';
import { activeCharacters, wellFormed } from '../../support/well-formed.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys';
const snsMock = mockClient(SNSClient);

function deleted(overrides: Partial<ContainmentResult> = {}): ContainmentResult {
  return {
    accessKeyId: KEY,
    userName: 'alice',
    mode: 'delete',
    dryRun: false,
    outcome: 'deleted',
    contained: true,
    summary: `Deleted ${KEY} of alice.`,
    actions: [
      { kind: 'delete-access-key', target: KEY, status: 'done', detail: `deleted ${KEY} of alice` },
      { kind: 'revoke-sessions', target: 'alice', status: 'done', detail: 'denied sessions issued before now' },
    ],
    quarantinePolicies: [],
    humanSteps: [],
    warnings: [],
    ...overrides,
  };
}

function report(overrides: Partial<IncidentReport> = {}): IncidentReport {
  return {
    incident: incidentFor(KEY, 'alice'),
    containment: { status: 'done', result: deleted() },
    investigation: {
      status: 'done',
      result: {
        activity: summaryFor(KEY, {
          totalEvents: 3,
          firstSeen: '2026-11-26T10:00:00.000Z',
          lastSeen: '2026-11-26T11:00:00.000Z',
          eventNames: [
            { name: 'CreateUser', count: 2 },
            { name: 'StopLogging', count: 1 },
          ],
          sourceIps: [{ name: '203.0.113.7', count: 3 }],
          riskyEvents: [
            {
              eventName: 'CreateUser',
              eventTime: '2026-11-26T10:00:00.000Z',
              awsRegion: 'us-east-1',
              eventId: 'e1',
              category: 'persistence',
              errorCode: null,
              resources: [],
            },
            {
              eventName: 'CreateUser',
              eventTime: '2026-11-26T10:30:00.000Z',
              awsRegion: 'us-east-1',
              eventId: 'e2',
              category: 'persistence',
              errorCode: null,
              resources: [],
            },
            {
              eventName: 'StopLogging',
              eventTime: '2026-11-26T11:00:00.000Z',
              awsRegion: 'us-east-1',
              eventId: 'e3',
              category: 'defense-evasion',
              errorCode: 'AccessDenied',
              resources: [],
            },
          ],
        }),
        sessionActivity: [],
      },
    },
    ...overrides,
  };
}

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

describe('notifySecurity', () => {
  it('publishes one message to the topic, with source, outcome and account as attributes', async () => {
    const result = await notifySecurity({ sns: new SNSClient({}) }, { ...report(), topicArn: TOPIC });

    expect(result).toMatchObject({ messageId: 'message-1', outcome: 'deleted', topicArn: TOPIC });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: `Exposed key deleted: ${KEY} (alice) in 123456789012`,
      MessageAttributes: {
        source: { DataType: 'String', StringValue: 'trusted-advisor' },
        outcome: { DataType: 'String', StringValue: 'deleted' },
        account: { DataType: 'String', StringValue: '123456789012' },
        accessKeyId: { DataType: 'String', StringValue: KEY },
      },
    });
  });

  it('throws a NotificationError naming the topic when SNS refuses', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('no such topic'), { name: 'NotFound' }));

    const sending = notifySecurity({ sns: new SNSClient({}) }, { ...report(), topicArn: TOPIC });

    await expect(sending).rejects.toBeInstanceOf(NotificationError);
    await expect(sending).rejects.toThrow(/exposed-keys: AwsCallError: sns:Publish failed: NotFound: no such topic/);
  });
});

describe('buildNotification', () => {
  it('leads with the head: what happened, the key now, what the attacker did, what to do now', () => {
    const { message } = buildNotification(report());
    const lines = message.split('\n');

    expect(lines[0]).toBe('Account 123456789012');
    expect(lines[1]).toBe('EXPOSED KEY DELETED');
    expect(lines[3]).toMatch(
      /^What happened {2}AKIAIOSFODNN7EXAMPLE of alice in account 123456789012, reported by Trusted Advisor/,
    );
    expect(lines[4]).toBe(
      'Key now        DELETED: it can no longer be used. Sessions it minted before then are denied.',
    );
    expect(lines[5]).toBe('Attacker did   - covered tracks: tried to stop logging once');
    expect(lines[6]).toBe('               - stayed in: created 2 users');
    expect(lines[7]).toMatch(/^Do now {9}1\. Remove the key from where it leaked/);
  });

  it('says what was done, and the risky events in time order, below the head', () => {
    const { message } = buildNotification(report());

    expect(message).toContain('Containment (delete): deleted.');
    expect(message).toContain('revoke-sessions: done');
    const risky = message.slice(message.indexOf('Risky events'));
    expect(risky.indexOf('10:30:00')).toBeLessThan(risky.indexOf('11:00:00'));
    expect(risky.indexOf('10:00:00')).toBeLessThan(risky.indexOf('10:30:00'));
  });

  it('says loudly what a human must do for a root key', () => {
    const root = deleted({
      outcome: 'manual-action-required',
      contained: false,
      actions: [],
      humanSteps: ['Sign in as the root user and delete access key AKIA…'],
    });

    const notification = buildNotification(report({ containment: { status: 'done', result: root } }));

    expect(notification.subject).toMatch(/^ACTION REQUIRED: contain exposed key by hand/);
    expect(notification.message).toMatch(/\nDo now {9}1\. Sign in as the root user/);
  });

  it('reports a containment failure with the manual steps, and an investigation failure', () => {
    const notification = buildNotification(
      report({
        containment: { status: 'failed', error: 'ContainmentError: iam:DeleteAccessKey failed: AccessDenied' },
        investigation: { status: 'failed', error: 'AwsCallError: cloudtrail:LookupEvents failed' },
      }),
    );

    expect(notification.outcome).toBe('containment-failed');
    expect(notification.subject).toMatch(/^ACTION REQUIRED: containment FAILED/);
    expect(notification.message).toContain('Containment FAILED; the key may still be active: ContainmentError');
    expect(notification.message).toContain('Investigation FAILED: AwsCallError');
    expect(notification.message).toContain(
      `aws iam update-access-key --user-name alice --access-key-id ${KEY} --status Inactive`,
    );
    expect(notification.message).toContain(`exposed-keys investigate --key ${KEY}`);
  });

  it('lists every region that could not be searched', () => {
    const base = report();
    if (base.investigation.status !== 'done') throw new Error('fixture');
    base.investigation.result.activity.regions.failed = [{ region: 'eu-west-3', error: 'AccessDenied: opted out' }];

    const { message } = buildNotification(base);

    expect(message).toContain('Region NOT searched: eu-west-3: AccessDenied: opted out');
    expect(message).toContain('--regions eu-west-3');
  });

  it('reports an event that could not be read, with its id and the problem', () => {
    const notification = buildNotification({
      incident: null,
      eventError: 'InvalidEventError: Invalid event: detail.status is invalid',
      rawAccount: '123456789012',
      rawEventId: 'abc',
      containment: { status: 'failed', error: 'InvalidEventError: Invalid event' },
      investigation: { status: 'failed', error: 'InvalidEventError: Invalid event' },
    });

    expect(notification.outcome).toBe('invalid-event');
    expect(notification.subject).toBe('ACTION REQUIRED: unreadable exposed-key event (event abc) in 123456789012');
    expect(notification.message).toContain('Problem:     InvalidEventError: Invalid event: detail.status is invalid');
    expect(notification.attributes).toMatchObject({
      outcome: 'invalid-event',
      account: '123456789012',
      source: 'unknown',
    });
  });

  it('keeps the subject under 100 printable ASCII characters, cutting a long user name', () => {
    const long = 'a'.repeat(64);

    const { subject } = buildNotification(report({ incident: incidentFor(KEY, long) }));

    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toContain(KEY);
    expect(subject).toContain('in 123456789012');
    expect(subject).toContain('...');
  });

  it('replaces characters SNS refuses in a subject', () => {
    const { subject } = buildNotification(report({ rawEventId: 'x', incident: null, eventError: 'e' }));
    const hostile = buildNotification(report({ incident: null, rawEventId: 'évil\nid', eventError: 'e' })).subject;

    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(hostile).toMatch(/^[\x20-\x7e]+$/);
  });

  it('stays under the SNS limit by cutting tables, never the facts', () => {
    const huge = Array.from({ length: 20_000 }, (_, index) => ({
      name: `arn:aws:s3:::bucket-${index}-${'x'.repeat(40)}`,
      count: 1,
    }));
    const base = report();
    if (base.investigation.status !== 'done') throw new Error('fixture');
    Object.assign(base.investigation.result.activity, { resourceNames: huge, eventNames: huge, sourceIps: huge });

    const notification = buildNotification(base);

    expect(Buffer.byteLength(notification.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(notification.message).toContain(`Access key:  ${KEY}`);
    expect(notification.message).toContain('Containment (delete): deleted.');
    expect(notification.message).toMatch(/… 19,985 more not shown/);
  });
});

describe('the notification, when every region failed for the key and each of its session keys', () => {
  const REGIONS = Array.from({ length: 17 }, (_, index) => `eu-south-${index + 1}`);
  const SESSION_KEYS = Array.from({ length: 25 }, (_, index) => `ASIAIOSFODNN7EXAMP${String(index).padStart(2, '0')}`);

  /** The key and its 25 session keys, none searched in 17 regions, each failure's error from `errorOf`. */
  function unsearched(errorOf: (region: string, key: string) => string): IncidentReport {
    const failedFor = (key: string) => REGIONS.map((region) => ({ region, error: errorOf(region, key) }));
    const sessions = SESSION_KEYS.map((key) => summaryFor(key, { regions: { searched: [], failed: failedFor(key) } }));
    return report({
      investigation: {
        status: 'done',
        result: {
          activity: summaryFor(KEY, {
            totalEvents: 3,
            sessionKeys: SESSION_KEYS,
            regions: { searched: ['us-east-1'], failed: failedFor(KEY) },
          }),
          sessionActivity: sessions,
        },
      },
    });
  }

  it('says once per key the regions an error left unsearched, and fits SNS', () => {
    const error = `AccessDeniedException: ${'é'.repeat(1_990)}`;

    const full = buildNotification(unsearched(() => error)).message;
    const plain = buildPlainNotification(unsearched(() => error)).message;

    for (const message of [full, plain]) {
      expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(message).toContain(`17 regions NOT searched (${REGIONS.join(', ')}): AccessDeniedException: é`);
      expect(message).toContain(`17 regions NOT searched for session key ${SESSION_KEYS[24]} (eu-south-1, `);
      expect(message).not.toContain('message cut here');
    }
  });

  it('cuts the plain message at a character, and says so, when the errors all differ', () => {
    const errorOf = (region: string, key: string) =>
      `AccessDeniedException (${key} in ${region}): ${'🔑é'.repeat(700)}`;

    const { message } = buildPlainNotification(unsearched(errorOf));

    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(wellFormed(message)).toBe(true);
    expect(message).toContain(`Access key:  ${KEY}`);
    expect(message).toContain('Containment (delete): deleted.');
    expect(message).toContain(`Region NOT searched: eu-south-1: AccessDeniedException (${KEY} in eu-south-1)`);
    expect(message).toMatch(
      new RegExp(
        `message cut here to fit SNS's size limit\\. Full detail: exposed-keys investigate --key ${KEY} --json\\]$`,
      ),
    );
  });
});

describe('a notification built from hostile or unusual text', () => {
  it('never splits a character outside the BMP, wherever a value is cut', () => {
    // A value is cut in the middle to 120 characters: its first 60 are kept, the 60th an emoji.
    const agent = `${'a'.repeat(59)}🔑${'b'.repeat(400)}`;
    const activity = summaryFor(KEY, { totalEvents: 1, userAgents: [{ name: agent, count: 1 }] });

    const built = buildNotification(
      report({ investigation: { status: 'done', result: { activity, sessionActivity: [] } } }),
    );

    expect(wellFormed(built.message)).toBe(true);
    expect(built.message).toContain(`${'a'.repeat(59)}🔑…`);
  });

  it('makes control characters and escape sequences from the event inert, and caps an event id of any size', () => {
    const incident = incidentFor(KEY, 'alice', {
      location: 'https://x.example/\r\nWHAT YOU MUST DO NOW\n1. nothing\u001b]52;c;aGk=\u0007',
      eventId: `evt-${'9'.repeat(300_000)}`,
    });

    const built = buildNotification(report({ incident }));

    expect(activeCharacters(built.message)).toEqual([]);
    expect(built.message.match(/^WHAT YOU MUST DO NOW$/gm)).toBeNull();
    expect(built.message).toContain('\\x0D\\x0AWHAT YOU MUST DO NOW\\x0A1. nothing\\x1B]52;c;aGk=\\x07');
    expect(Buffer.byteLength(built.message)).toBeLessThan(20_000);
  });

  it('publishes the plain message, without the activity, when SNS refuses the full one', async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('Invalid parameter: Message'), { name: 'InvalidParameterException', $metadata: {} }),
      )
      .resolves({ MessageId: 'm-2' });

    const sent = await notifySecurity({ sns: new SNSClient({}) }, { ...report(), topicArn: TOPIC });

    expect(sent).toMatchObject({ messageId: 'm-2', fullMessageRefused: expect.stringMatching(/InvalidParameter/) });
    const messages = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input.Message as string);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/API calls/);
    expect(messages[1]).not.toMatch(/API calls/);
    expect(messages[1]).toMatch(/WHAT WAS DONE/);
  });

  it('throws a NotificationError that names both refusals when SNS takes neither message', async () => {
    snsMock
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('first'), { name: 'InvalidParameterException', $metadata: {} }))
      .rejects(Object.assign(new Error('second'), { name: 'KMSAccessDeniedException', $metadata: {} }));

    const failure = notifySecurity({ sns: new SNSClient({}) }, { ...report(), topicArn: TOPIC });

    await expect(failure).rejects.toBeInstanceOf(NotificationError);
    await expect(failure).rejects.toThrow(/KMSAccessDenied.*the full message was refused too: .*InvalidParameter/);
  });
});

describe('the subject of every outcome', () => {
  it('keeps the key and the account whole, within 99 printable ASCII characters', () => {
    const outcomes = [
      'deleted',
      'deactivated',
      'already-contained',
      'not-found',
      'other-account',
      'notify-only',
      'manual-action-required',
      'owner-mismatch',
      'planned',
    ] as const;
    for (const outcome of outcomes) {
      const subject = buildNotification(
        report({
          incident: incidentFor(KEY, 'a-rather-long-user-name-for-a-service-account-of-the-build-system'),
          containment: { status: 'done', result: deleted({ outcome }) },
        }),
      ).subject;
      expect(subject.length, outcome).toBeLessThanOrEqual(99);
      expect(subject, outcome).toMatch(new RegExp(`${KEY}.* in 123456789012$`));
    }
  });
});
