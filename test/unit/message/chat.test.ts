import { describe, expect, it } from 'vitest';
import {
  CHAT_LIMITS,
  chatEscape,
  customNotification,
  customNotificationSchema,
  webhookPayload,
} from '../../../src/message/chat.js';
import { messageOf } from '../../../src/message/message-of.js';
import type { IncidentReport } from '../../../src/steps/incident-outcome.js';
import { incidentFor } from '../../support/incidents.js';
import { deletedReport, joinedReport, quarantineReport, REPORT_KEY } from '../../support/reports.js';

const HOSTILE = `<!channel> <https://evil.example|click> [Rotate the key here](https://evil.example/r) ![](https://evil.example/p.png) [or here]  (https://evil.example/s) & \u001b[31m${'x'.repeat(5_000)}`;

const REPORTS: [string, IncidentReport][] = [
  ['a deleted key', deletedReport()],
  [
    'a failed containment',
    deletedReport({ containment: { status: 'failed', error: 'ContainmentError: AccessDenied' } }),
  ],
  ['a report that joined', joinedReport()],
  ['a quarantined user', quarantineReport()],
  [
    'hostile event text',
    deletedReport({ incident: incidentFor(REPORT_KEY, 'alice', { location: HOSTILE, caseId: HOSTILE }) }),
  ],
  ['an unreadable event', { ...deletedReport(), incident: null, eventError: HOSTILE, rawEventId: HOSTILE }],
];

describe('the custom notification of Amazon Q Developer in chat applications', () => {
  it.each(REPORTS)('fits the documented schema for %s', (_, report) => {
    const notification = customNotification(messageOf(report), 'event-1');

    expect(customNotificationSchema.safeParse(notification).error).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(notification))).toBeLessThan(256 * 1024);
  });

  it('is threaded by key id, so that every report of a key lands in one thread', () => {
    const first = customNotification(messageOf(deletedReport()), 'ta-event');
    const later = customNotification(messageOf(joinedReport()), 'health-event');

    expect(first.metadata?.threadId).toBe(REPORT_KEY);
    expect(later.metadata?.threadId).toBe(REPORT_KEY);
    expect(first.id).not.toBe(later.id);
  });

  it('threads a quarantined user by account and user', () => {
    expect(customNotification(messageOf(quarantineReport()), 'e').metadata?.threadId).toBe('user-123456789012-alice');
  });

  it('shows text from outside as it is: no mention, no link, no escape sequence', () => {
    const notification = customNotification(messageOf(REPORTS[4]?.[1] as IncidentReport), 'event-1');
    const text = JSON.stringify(notification);

    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://');
    // Neither a Markdown link (Teams) nor an image fetched from outside.
    expect(text).toContain('Rotate the key here');
    expect(text).not.toMatch(/\]\s*\(/);
    expect(text).not.toContain('\u001b');
    expect(notification.content.description.length).toBeLessThanOrEqual(CHAT_LIMITS.description);
  });

  it('refuses what the schema does not know: another version, no description, an unknown field', () => {
    const good = customNotification(messageOf(deletedReport()), 'event-1');

    expect(customNotificationSchema.safeParse({ ...good, version: '2.0' }).success).toBe(false);
    expect(customNotificationSchema.safeParse({ ...good, source: 'aws.health' }).success).toBe(false);
    expect(customNotificationSchema.safeParse({ ...good, content: { title: 'x' } }).success).toBe(false);
    expect(customNotificationSchema.safeParse({ ...good, content: { ...good.content, body: 'x' } }).success).toBe(
      false,
    );
  });
});

describe('the steps of a custom notification', () => {
  it('says how many more steps the e-mail gives when there are more than the notification holds', () => {
    const keys = Array.from({ length: 12 }, (_, index) => `AKIAIOSFODNN7EXAMP${String(index).padStart(2, '0')}`);
    const report: IncidentReport = { ...deletedReport(), incident: null, eventKeys: keys, rawAccount: '123456789012' };

    const steps = customNotification(messageOf(report), 'e').content.nextSteps ?? [];

    expect(steps).toHaveLength(CHAT_LIMITS.nextSteps);
    expect(steps[8]).toContain('AKIAIOSFODNN7EXAMP08');
    expect(steps[9]).toBe('… and 3 more steps: see the e-mail.');
  });

  it('gives every step when they fit', () => {
    const keys = Array.from({ length: 10 }, (_, index) => `AKIAIOSFODNN7EXAMP${String(index).padStart(2, '0')}`);
    const report: IncidentReport = { ...deletedReport(), incident: null, eventKeys: keys, rawAccount: '123456789012' };

    const steps = customNotification(messageOf(report), 'e').content.nextSteps ?? [];

    expect(steps).toHaveLength(10);
    expect(steps[9]).toContain('AKIAIOSFODNN7EXAMP09');
  });
});

describe('the webhook payload', () => {
  it('is Slack-compatible text, inert and cut to a chat message', () => {
    const { text } = webhookPayload(messageOf(REPORTS[4]?.[1] as IncidentReport));

    expect(text.length).toBeLessThanOrEqual(CHAT_LIMITS.webhookText);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toMatch(/\]\s*\(/);
    expect(text.startsWith(`*Exposed key deleted*: ${REPORT_KEY}`)).toBe(true);
  });

  it("escapes Slack's three control characters, Markdown's links and images, and plain mentions", () => {
    expect(chatEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(chatEscape('@channel @Here @everyone me@example.com ops@here.com @channels')).toBe(
      '\uff20channel \uff20Here \uff20everyone me@example.com ops@here.com @channels',
    );
    expect(chatEscape('[a](https://x) ![b](https://y) [c] (d) f(g)')).toBe(
      '[a]\uff08https://x) ![b]\uff08https://y) [c] \uff08d) f(g)',
    );
  });
});
