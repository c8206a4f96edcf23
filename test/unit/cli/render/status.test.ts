import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { renderStatus } from '../../../../src/cli/render/status.js';
import type { StackStatus } from '../../../../src/cli/run/status.js';

const status: StackStatus = {
  stack: {
    stackName: 'exposed-keys',
    stackId: 'arn:stack',
    status: 'CREATE_COMPLETE',
    state: 'succeeded',
    statusReason: undefined,
    createdAt: new Date('2026-11-27T03:00:00Z'),
    updatedAt: undefined,
    resources: [],
    outputs: {},
    parameters: { ContainmentMode: 'delete' },
  },
  subscriptions: [],
  executions: [
    {
      name: 'simulate-1',
      status: 'FAILED',
      startedAt: '2026-11-27T04:00:00.000Z',
      stoppedAt: '2026-11-27T04:00:09.000Z',
      outcome: 'KeyNotContained: the key was not contained',
    },
  ],
  undelivered: {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1',
    waiting: 0,
    inFlight: 0,
  },
};

describe('renderStatus', () => {
  it('says when nobody receives the notifications, and lists each recent execution with its outcome', () => {
    const text = renderStatus(status, paletteOf(false));

    expect(text).toMatch(/^exposed-keys: CREATE_COMPLETE/);
    expect(text).toMatch(/none: nobody receives the notifications/);
    expect(text).toMatch(/2026-11-27T04:00:00.000Z\s+FAILED\s+KeyNotContained: the key was not contained\s+simulate-1/);
    expect(text).toMatch(/ContainmentMode\s+delete/);
  });

  it('shows a subscription waiting for confirmation as pending', () => {
    const text = renderStatus(
      { ...status, subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', pending: true }], executions: [] },
      paletteOf(false),
    );

    expect(text).toMatch(/email\s+sec@example.com\s+pending confirmation/);
    expect(text).toMatch(/none yet \(try `exposed-keys simulate`\)/);
  });

  it('says what the dead-letter queue holds: nothing, events whose alert did not go out, or why it could not be read', () => {
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1';
    const text = (undelivered: StackStatus['undelivered']) =>
      renderStatus({ ...status, undelivered }, paletteOf(false));

    expect(text(status.undelivered)).toMatch(/Events the state machine did not receive\n {2}none$/);
    // A message whose alert failed is hidden most of the time, between two attempts: it counts all the same.
    for (const [waiting, inFlight] of [
      [2, 1],
      [0, 1],
    ] as const)
      expect(text({ queueUrl, waiting, inFlight })).toMatch(
        new RegExp(
          `  ${waiting + inFlight} in the dead-letter queue \\(${waiting} waiting, ${inFlight} being handled\\): events whose alert has not gone out yet\\. The function's log names each, with the event: /aws/lambda/exposed-keys-undelivered`,
        ),
      );
    expect(text({ error: 'AwsCallError: sqs:GetQueueAttributes failed: AccessDenied\u001b[2J' })).toMatch(
      /could not be read: AwsCallError: sqs:GetQueueAttributes failed: AccessDenied\\x1B\[2J/,
    );
    expect(text(null)).toMatch(/no dead-letter queue \(a stack deployed before it: deploy again\)/);
  });

  it('says where the alerts go when no e-mail subscription is confirmed but a chat channel or a webhook is there', () => {
    const slack = {
      logicalId: 'SlackChannel',
      physicalId: 'arn:aws:chatbot::123456789012:chat-configuration/slack-channel/exposed-keys',
      type: 'AWS::Chatbot::SlackChannelConfiguration',
      status: 'CREATE_COMPLETE',
      reason: undefined,
    };
    const stack = {
      ...status.stack,
      resources: [slack],
      parameters: {
        ...status.stack.parameters,
        WebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook',
      },
    };

    const none = renderStatus({ ...status, stack }, paletteOf(false));
    const pending = renderStatus(
      { ...status, stack, subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', pending: true }] },
      paletteOf(false),
    );

    expect(none).not.toMatch(/nobody receives/);
    expect(none).toMatch(
      /none: no e-mail subscription is confirmed; the alerts go to the Slack channel and the webhook only/,
    );
    expect(pending).toMatch(/none confirmed yet: the alerts go to the Slack channel and the webhook only until one is/);
  });

  it('draws a dead-letter reader being enabled or updated as in progress, not in red as one that does not read', () => {
    const palette = paletteOf(true);
    const reader = (state: string) =>
      renderStatus({ ...status, delivery: { rules: [], queueReader: { state, uuid: 'uuid-1' } } }, palette)
        .split('\n')
        .find((line) => line.includes('reader:')) ?? '';

    for (const state of ['Enabling', 'Updating', 'Creating']) {
      expect(reader(state)).not.toContain(palette.red(state));
      expect(reader(state)).toContain(palette.yellow(state));
    }
    expect(reader('Disabled')).toBe(palette.red('  reader: Disabled'));
  });
});
