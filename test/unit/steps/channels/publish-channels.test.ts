import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { publishChannels } from '../../../../src/steps/channels/publish-channels.js';
import { deletedReport } from '../../../support/reports.js';

const snsMock = mockClient(SNSClient);
const CHAT_TOPIC = 'arn:aws:sns:us-east-1:123456789012:exposed-keys-chat';

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'chat-1' });
});

describe('publishChannels', () => {
  it('makes the id of an event that could not be read inert in the chat notification', async () => {
    const hostileId = 'evil\u001b]52;c;cGF5bG9hZA==\u0007\u202eid';
    const report = { ...deletedReport(), incident: null, eventError: 'unreadable', rawEventId: hostileId };

    const channels = await publishChannels({ sns: new SNSClient({ region: 'us-east-1' }) }, report, {
      findings: false,
      chatTopicArn: CHAT_TOPIC,
      region: 'us-east-1',
    });

    expect(channels.chat.status).toBe('sent');
    const sent = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message as string;
    const notification = JSON.parse(sent) as { id?: string };
    expect(notification.id).toBeDefined();
    const invisible = [...(notification.id ?? '')].filter((character) => {
      const code = character.codePointAt(0) as number;
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e);
    });
    expect(invisible).toEqual([]);
    expect(sent).not.toContain('\\u001b');
  });
});
