import { describe, expect, it } from 'vitest';
import { type StackStatus, statusProblems } from '../../../src/cli/run/status.js';

function status(overrides: Partial<StackStatus> = {}): StackStatus {
  return {
    stack: { resources: [], parameters: {} } as unknown as StackStatus['stack'],
    subscriptions: [{ protocol: 'email', endpoint: 'security@example.com', pending: false }],
    executions: [],
    undelivered: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', waiting: 0, inFlight: 0 },
    ...overrides,
  };
}

describe('what status reports as keeping alerts from anyone (exit 3)', () => {
  it('is nothing for a stack whose alerts reach a confirmed subscriber, its queue empty', () => {
    expect(statusProblems(status())).toEqual([]);
    expect(statusProblems(status({ undelivered: null }))).toEqual([]);
  });

  it('counts a chat channel or a webhook as someone who receives the alerts', () => {
    const chat = { resources: [{ type: 'AWS::Chatbot::SlackChannelConfiguration' }], parameters: {} };
    const webhook = { resources: [], parameters: { WebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:w' } };

    for (const stack of [chat, webhook])
      expect(statusProblems(status({ subscriptions: [], stack: stack as unknown as StackStatus['stack'] }))).toEqual(
        [],
      );
  });

  it('names no confirmed subscriber, events on the dead-letter queue, and a queue it cannot read', () => {
    expect(statusProblems(status({ subscriptions: [] }))).toEqual([
      'Nobody receives the notifications: no confirmed subscription of the topic, and no chat channel or webhook.',
    ]);
    expect(
      statusProblems(status({ subscriptions: [{ protocol: 'email', endpoint: 'a@example.com', pending: true }] })),
    ).toHaveLength(1);
    expect(statusProblems(status({ undelivered: { queueUrl: 'q', waiting: 1, inFlight: 2 } }))).toEqual([
      '3 event(s) the state machine did not receive have an alert not yet sent: see the dead-letter queue.',
    ]);
    expect(statusProblems(status({ undelivered: { error: 'AccessDenied' } }))).toEqual([
      'The dead-letter queue could not be read: AccessDenied',
    ]);
  });
});
