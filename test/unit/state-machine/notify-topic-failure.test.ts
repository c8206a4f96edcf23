import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotificationError } from '../../../src/errors.js';
import { notifyTask } from '../../../src/state-machine/tasks/notify-task.js';
import { loadEvent } from '../../support/fixtures.js';

const snsMock = mockClient(SNSClient);
const hubMock = mockClient(SecurityHubClient);
const ACCOUNT = '123456789012';
const EMAIL_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:exposed-keys`;
const CHAT_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:exposed-keys-chat`;

beforeEach(() => {
  snsMock.reset();
  hubMock.reset();
});

describe('NotifySecurity when the security topic refuses the message', () => {
  it('still sends chat and the Security Hub finding, then fails for the state machine to retry and show', async () => {
    // The e-mail topic's KMS key policy is broken, say; the chat topic works.
    snsMock.on(PublishCommand, { TopicArn: EMAIL_TOPIC }).rejects(
      Object.assign(new Error('User is not authorized to perform kms:GenerateDataKey'), {
        name: 'KMSAccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    snsMock.on(PublishCommand, { TopicArn: CHAT_TOPIC }).resolves({ MessageId: 'chat-1' });
    hubMock.on(GetFindingsCommand).resolves({ Findings: [] });
    hubMock.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const task = notifyTask(
      {
        sns: new SNSClient({ region: 'us-east-1', maxAttempts: 1 }),
        securityHub: new SecurityHubClient({ region: 'us-east-1' }),
        accountId: ACCOUNT,
      },
      { topicArn: EMAIL_TOPIC, chatTopicArn: CHAT_TOPIC, findings: true },
    );

    await expect(task({ event: loadEvent('trusted-advisor-exposed') })).rejects.toBeInstanceOf(NotificationError);

    expect(snsMock.commandCalls(PublishCommand, { TopicArn: EMAIL_TOPIC }).length).toBeGreaterThan(0);
    expect(snsMock.commandCalls(PublishCommand, { TopicArn: CHAT_TOPIC })).toHaveLength(1);
    expect(hubMock).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
  });
});

describe('NotifySecurity when the security topic does not answer until the deadline', () => {
  /** Answers after `ms`, unless the call is abandoned first, as the SDK abandons it at the deadline. */
  function answerAfter<T>(ms: number, value: T, signal?: AbortSignal): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
      });
    });
  }

  it('still sends chat and the webhook, which do not wait for the e-mail', async () => {
    const chat: string[] = [];
    const posted: string[] = [];
    const sns = {
      send(command: { input: { TopicArn: string } }, options?: { abortSignal?: AbortSignal }) {
        if (command.input.TopicArn === EMAIL_TOPIC) return answerAfter(3_600_000, {}, options?.abortSignal);
        chat.push(command.input.TopicArn);
        return answerAfter(20, { MessageId: 'chat-1' }, options?.abortSignal);
      },
    };
    const secrets = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        answerAfter(20, { SecretString: 'https://hooks.example.com/T0/B0/x' }, options?.abortSignal),
    };
    const fetch = async (url: URL | string) => {
      posted.push(String(url));
      return new Response('ok', { status: 200 });
    };
    const task = notifyTask(
      { sns: sns as never, secrets: secrets as never, fetch: fetch as never, accountId: ACCOUNT },
      {
        topicArn: EMAIL_TOPIC,
        chatTopicArn: CHAT_TOPIC,
        webhookSecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:hook-AbCdEf`,
        findings: false,
      },
    );
    // 12 s left: the task keeps its margin back, so its deadline is 2 s away, which the e-mail takes whole.
    const context = { getRemainingTimeInMillis: () => 12_000 };

    await expect(task({ event: loadEvent('trusted-advisor-exposed') }, context)).rejects.toThrow();

    expect(chat).toEqual([CHAT_TOPIC]);
    expect(posted).toEqual(['https://hooks.example.com/T0/B0/x']);
  }, 20_000);
});
