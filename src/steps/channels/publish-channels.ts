import type { SecretsApi, SecurityHubApi, SnsClient } from '../../aws/narrow-clients.js';
import { shownValue } from '../../common/untrusted-text.js';
import {
  type CustomNotification,
  customNotification,
  customNotificationSchema,
  webhookPayload,
} from '../../message/chat.js';
import { buildFinding } from '../../message/finding.js';
import type { IncidentMessage } from '../../message/incident-message.js';
import { messageOf } from '../../message/message-of.js';
import type { IncidentReport } from '../incident-outcome.js';
import { type ChatOutcome, publishChat } from './chat.js';
import { type FindingOutcome, importFinding } from './security-hub.js';
import { postWebhook, type WebhookOutcome } from './webhook.js';

/** A channel that was not asked for, or had nothing to send. */
export type Skipped = { status: 'skipped'; reason: string };

/** How each channel besides the e-mail went. None of them ever fails the run. */
export interface ChannelsResult {
  finding: FindingOutcome;
  chat: ChatOutcome | Skipped;
  webhook: WebhookOutcome | Skipped;
}

/** Which channels to use, from the stack's settings or the command line. */
export interface ChannelsConfig {
  /** Import a Security Hub finding (default on; a stack parameter turns it off). */
  findings: boolean;
  /** The topic chat channel configurations subscribe to. */
  chatTopicArn?: string;
  /** The Secrets Manager secret that holds an incoming webhook's URL. */
  webhookSecretArn?: string;
  /** The region findings are imported into. */
  region: string;
}

/** The clients of the channels; one that is not configured may be absent. */
export interface ChannelsDeps {
  securityHub?: SecurityHubApi;
  sns?: SnsClient;
  secrets?: SecretsApi;
  fetch?: typeof fetch;
  /** The account this runs in (findings are imported only for its own keys). */
  accountId?: string;
  /** Why no finding may be imported for this report (its account is outside the organisation): said as the finding's skip. */
  findingRefused?: string;
  now?: () => Date;
}

function eventIdOf(report: IncidentReport): string {
  if (report.signal?.role === 'quarantine') return report.signal.quarantine.eventId;
  // An event that could not be read: its id is only cut (see workflow-state), so made inert here.
  return report.incident?.eventId ?? (report.rawEventId ? shownValue(report.rawEventId, 200) : 'unknown');
}

async function finding(deps: ChannelsDeps, report: IncidentReport, message: IncidentMessage, config: ChannelsConfig) {
  if (!config.findings) return { status: 'skipped', reason: 'findings are turned off' } as const;
  if (deps.findingRefused) return { status: 'skipped', reason: deps.findingRefused } as const;
  if (!deps.securityHub) return { status: 'skipped', reason: 'no Security Hub client' } as const;
  const now = (deps.now ?? (() => new Date()))();
  return importFinding(
    { securityHub: deps.securityHub, accountId: deps.accountId, now: () => now },
    buildFinding(report, message, { region: config.region, now }),
    report.signal?.role === 'joined' ? 'follow-up' : report.followUp ? 'lifecycle' : 'full',
  );
}

async function chat(deps: ChannelsDeps, message: IncidentMessage, eventId: string, config: ChannelsConfig) {
  if (!config.chatTopicArn || !deps.sns) return { status: 'skipped', reason: 'no chat topic' } as const;
  const notification: CustomNotification = customNotification(message, eventId);
  // A payload outside the schema is dropped without a word by the chat service: refuse it here, loudly.
  const checked = customNotificationSchema.safeParse(notification);
  if (!checked.success)
    return {
      status: 'failed',
      error: `The chat message does not fit the custom notification schema: ${checked.error.issues[0]?.message}`,
    } as const;
  return publishChat(deps.sns, config.chatTopicArn, checked.data);
}

async function webhook(deps: ChannelsDeps, message: IncidentMessage, config: ChannelsConfig) {
  if (!config.webhookSecretArn || !deps.secrets) return { status: 'skipped', reason: 'no webhook secret' } as const;
  return postWebhook({ secrets: deps.secrets, fetch: deps.fetch }, config.webhookSecretArn, webhookPayload(message));
}

/**
 * Renders the incident for every channel besides the e-mail and sends it there, all at once: the
 * Security Hub finding (created, or updated by a later report), the chat notification (threaded by
 * key) and the incoming webhook. Each outcome is reported; nothing here throws.
 */
export async function publishChannels(
  deps: ChannelsDeps,
  report: IncidentReport,
  config: ChannelsConfig,
): Promise<ChannelsResult> {
  const message = messageOf(report);
  const [findingOutcome, chatOutcome, webhookOutcome] = await Promise.all([
    finding(deps, report, message, config),
    chat(deps, message, eventIdOf(report), config),
    webhook(deps, message, config),
  ]);
  return { finding: findingOutcome, chat: chatOutcome, webhook: webhookOutcome };
}
