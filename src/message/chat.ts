import * as z from 'zod';
import { fitWithin } from './fit.js';
import type { IncidentMessage } from './incident-message.js';

/*
 * The message as chat renders it: Amazon Q Developer in chat applications' custom notification
 * (delivered through an SNS topic a Slack or Teams channel configuration subscribes to), and a
 * plain Slack-compatible text for an incoming webhook. Only the documented schema is used: a
 * payload it does not recognise is dropped silently.
 */

/**
 * Lengths kept to. The structure (the two fixed values, the fields and their types) is the
 * documented one; its page gives no lengths, so these caps are ours: within a Slack section's
 * 3,000 characters for the description, and far under SNS's 256 KB for the whole.
 */
export const CHAT_LIMITS = {
  title: 250,
  description: 3_000,
  nextSteps: 10,
  step: 500,
  keywords: 8,
  keyword: 60,
  summary: 250,
  threadId: 128,
  webhookText: 3_000,
} as const;

const text = (max: number) => z.string().min(1).max(max);

/** The custom notification schema of Amazon Q Developer in chat applications, as documented, with {@link CHAT_LIMITS}. */
export const customNotificationSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1).optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: text(CHAT_LIMITS.title).optional(),
    description: text(CHAT_LIMITS.description),
    nextSteps: z.array(text(CHAT_LIMITS.step)).max(CHAT_LIMITS.nextSteps).optional(),
    keywords: z.array(text(CHAT_LIMITS.keyword)).max(CHAT_LIMITS.keywords).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: text(CHAT_LIMITS.threadId).optional(),
      summary: text(CHAT_LIMITS.summary).optional(),
      eventType: z.string().min(1).optional(),
      relatedResources: z.array(z.string().min(1)).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});

/** A custom notification, as published to the chat topic. */
export type CustomNotification = z.infer<typeof customNotificationSchema>;

/**
 * Slack reads `<…>` as links and mentions (`<!channel>`) and `&` as the start of an entity: its
 * documented escapes make text from outside show as it is. Teams reads Markdown, where
 * `[text](url)` is a link whose text hides where it leads, and `![text](url)` an image it fetches:
 * the `(` after a `]` (with spaces between or not: lenient renderers accept `[text] (url)`)
 * becomes a fullwidth one, `（`, which no Markdown reads as the start of a link (Slack has no
 * Markdown escapes: a backslash would show). Bare addresses are still made links by both, showing
 * where they lead. A plain `@channel`, `@here` or `@everyone` (an IAM user may be named so) gets a
 * fullwidth `＠`, which no chat application reads as a mention. The text is already inert (no
 * control characters or line breaks from outside).
 */
export function chatEscape(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\](\s*)\(/g, ']$1\uff08')
    .replace(/(?<![\w.+-])@(channel|here|everyone)\b/gi, '\uff20$1');
}

/** Text for a chat field: escaped for Slack, then fitted to `max`. */
export function chatText(value: string, max: number): string {
  return fitWithin(chatEscape(value), max);
}

function descriptionOf(message: IncidentMessage): string {
  const lines = [
    `*What happened* ${message.happened}`,
    `*Key now* ${message.keyNow}`,
    `*Attacker did*`,
    ...message.attackerDid.map((act) => `• ${act}`),
  ];
  return chatText(lines.join('\n'), CHAT_LIMITS.description);
}

/** The steps, as many as a notification holds: when there are more, the last place says how many more the e-mail gives. */
export function chatNextSteps(steps: readonly string[]): string[] {
  const max = CHAT_LIMITS.nextSteps;
  const shown = steps.length > max ? steps.slice(0, max - 1) : steps;
  const more = steps.length - shown.length;
  return [
    ...shown.map((step) => chatText(step, CHAT_LIMITS.step)),
    ...(more > 0 ? [`… and ${more} more steps: see the e-mail.`] : []),
  ];
}

/** The thread a message belongs to: one per key, so that later reports of a key land under the first. */
export function chatThreadId(message: IncidentMessage): string {
  return fitWithin(
    message.accessKeyId ?? `user-${message.accountId ?? 'unknown'}-${message.userName ?? 'unknown'}`,
    CHAT_LIMITS.threadId,
  );
}

/** The custom notification of a message, threaded by key id. */
export function customNotification(message: IncidentMessage, eventId: string): CustomNotification {
  const subject = message.accessKeyId ?? message.userName ?? 'unknown';
  const account = message.accountId ?? 'unknown';
  const userArn =
    message.accountId && message.userName && /^[\w+=,.@-]{1,64}$/.test(message.userName)
      ? [`arn:aws:iam::${message.accountId}:user/${message.userName}`]
      : [];
  return {
    version: '1.0',
    source: 'custom',
    id: fitWithin(`${chatThreadId(message)}/${eventId}`, 256),
    content: {
      textType: 'client-markdown',
      title: chatText(
        `${message.urgent ? ':rotating_light:' : ':key:'} ${message.headline}: ${subject}`,
        CHAT_LIMITS.title,
      ),
      description: descriptionOf(message),
      nextSteps: chatNextSteps(message.doNow),
      keywords: ['exposed-keys', message.outcome, message.source, account].map((word) =>
        chatText(word, CHAT_LIMITS.keyword),
      ),
    },
    metadata: {
      threadId: chatThreadId(message),
      summary: chatText(`${message.headline}: ${subject} in ${account}`, CHAT_LIMITS.summary),
      eventType: 'ExposedAccessKey',
      relatedResources: userArn,
      additionalContext: {
        outcome: message.outcome,
        account,
        ...(message.accessKeyId ? { accessKeyId: message.accessKeyId } : {}),
      },
    },
  };
}

/** The message as an incoming webhook takes it (`{"text": …}`, which Slack and many others accept), cut to a chat message's size. */
export function webhookPayload(message: IncidentMessage): { text: string } {
  const lines = [
    `*${message.headline}*${message.accessKeyId ? `: ${message.accessKeyId}` : ''}`,
    `*What happened* ${message.happened}`,
    `*Key now* ${message.keyNow}`,
    '*Do now*',
    ...message.doNow.map((step, index) => `${index + 1}. ${step}`),
  ];
  return { text: chatText(lines.join('\n'), CHAT_LIMITS.webhookText) };
}
