import type { StackDescription } from '../../deploy/stack-description.js';
import { STACK_SETTINGS } from '../../settings/settings.js';

/** The chat channels a stack can alert through besides its topic's subscribers, as a person names them. */
const CHAT_CHANNELS: Readonly<Record<string, string>> = {
  'AWS::Chatbot::SlackChannelConfiguration': 'the Slack channel',
  'AWS::Chatbot::MicrosoftTeamsChannelConfiguration': 'the Microsoft Teams channel',
};

/**
 * Where a stack alerts besides its topic's subscribers: its chat channels and its incoming
 * webhook, each named for a person; empty when the topic's subscribers are the only ones alerted.
 */
export function otherAlertChannels(stack: StackDescription): string[] {
  const chats = new Set(stack.resources.flatMap((resource) => CHAT_CHANNELS[resource.type] ?? []));
  return [...chats, ...(stack.parameters[STACK_SETTINGS.webhookSecretArn.parameter] ? ['the webhook'] : [])];
}
