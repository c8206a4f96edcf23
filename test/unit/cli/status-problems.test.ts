import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { deliveryStatus } from '../../../src/cli/run/delivery-status.js';
import { type StackStatus, statusProblems } from '../../../src/cli/run/status.js';

function status(overrides: Partial<StackStatus> = {}): StackStatus {
  return {
    stack: {
      stackName: 'exposed-keys',
      status: 'UPDATE_COMPLETE',
      state: 'succeeded',
      resources: [],
      parameters: {},
    } as unknown as StackStatus['stack'],
    subscriptions: [{ protocol: 'email', endpoint: 'security@example.com', pending: false }],
    executions: [],
    undelivered: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', waiting: 0, inFlight: 0 },
    ...overrides,
  };
}

/** The stack of {@link status} with these resources. */
function withResources(resources: { logicalId: string; type: string; physicalId: string }[]): StackStatus['stack'] {
  return { ...status().stack, resources } as unknown as StackStatus['stack'];
}

/** What carries events to the stack's state machine, read with the mocked EventBridge and Lambda. */
function deliveryOf(stack: StackStatus['stack']) {
  return deliveryStatus(
    { events: new EventBridgeClient({ region: 'us-east-1' }), lambda: new LambdaClient({ region: 'us-east-1' }) },
    stack,
  );
}

describe('what status reports as keeping alerts from anyone (exit 3)', () => {
  it('is nothing for a stack whose alerts reach a confirmed subscriber, its queue empty', () => {
    expect(statusProblems(status())).toEqual([]);
    expect(statusProblems(status({ undelivered: null }))).toEqual([]);
  });

  it('counts a chat channel or a webhook as someone who receives the alerts', () => {
    const chat = {
      ...status().stack,
      resources: [{ type: 'AWS::Chatbot::SlackChannelConfiguration' }],
    };
    const webhook = {
      ...status().stack,
      parameters: { WebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:w' },
    };

    for (const stack of [chat, webhook])
      expect(statusProblems(status({ subscriptions: [], stack: stack as unknown as StackStatus['stack'] }))).toEqual(
        [],
      );
  });

  it('names no confirmed subscriber, events on the dead-letter queue, and a queue it cannot read', () => {
    expect(statusProblems(status({ subscriptions: [] }))).toEqual([
      'Nobody receives the notifications: no confirmed subscription of the topic, and no chat channel or webhook. Subscribe an address: aws sns subscribe --region us-east-1 --topic-arn <topic ARN> --protocol email --notification-endpoint <address>, then confirm it from the e-mail AWS sends.',
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

describe('what status says to do when nobody receives the notifications', () => {
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:exposed-keys-NotificationTopic-1';
  const stack = {
    ...withResources([{ logicalId: 'NotificationTopic', type: 'AWS::SNS::Topic', physicalId: topicArn }]),
    parameters: { NotificationEmail: 'security@example.com' },
  } as unknown as StackStatus['stack'];

  it('gives the command that subscribes the address again when the topic has no subscription', () => {
    const [problem] = statusProblems(status({ stack, subscriptions: [] }));

    expect(problem).toMatch(/^Nobody receives the notifications: /);
    expect(problem).toContain(
      `aws sns subscribe --region us-east-1 --topic-arn ${topicArn} --protocol email --notification-endpoint security@example.com`,
    );
  });

  it('gives the address the stack names as one shell word, whatever it holds', () => {
    const odd = { ...stack, parameters: { NotificationEmail: 'a@b.c; rm -rf ~' } } as StackStatus['stack'];

    const [problem] = statusProblems(status({ stack: odd, subscriptions: [] }));

    expect(problem).toContain("--notification-endpoint 'a@b.c; rm -rf ~', then confirm it");
  });

  it('says to confirm the subscription when one waits for its confirmation', () => {
    const pending = [{ protocol: 'email', endpoint: 'security@example.com', pending: true }];

    const [problem] = statusProblems(status({ stack, subscriptions: pending }));

    expect(problem).toMatch(/Pending confirmation: security@example\.com: /);
    expect(problem).toMatch(/Confirm subscription/);
  });
});

describe('what status reports of the stack itself and what carries events to it (exit 3)', () => {
  it('names a stack that failed or is changing, with what to do', () => {
    const stack = (name: string, state: string) =>
      ({ ...status().stack, status: name, state }) as unknown as StackStatus['stack'];

    expect(statusProblems(status({ stack: stack('DELETE_FAILED', 'failed') }))).toEqual([
      expect.stringMatching(
        /^The stack is in DELETE_FAILED: .*run exposed-keys destroy --stack-name exposed-keys again/,
      ),
    ]);
    expect(statusProblems(status({ stack: stack('UPDATE_ROLLBACK_FAILED', 'failed') }))).toHaveLength(1);
    expect(statusProblems(status({ stack: stack('UPDATE_IN_PROGRESS', 'in-progress') }))).toEqual([
      expect.stringMatching(/it is changing now/),
    ]);
    // Rolled back to the version before: it runs.
    expect(statusProblems(status({ stack: stack('UPDATE_ROLLBACK_COMPLETE', 'rolled-back') }))).toEqual([]);
    // Its first deploy rolled back: nothing runs.
    expect(statusProblems(status({ stack: stack('ROLLBACK_COMPLETE', 'rolled-back') }))).toEqual([
      expect.stringMatching(
        /^The stack is in ROLLBACK_COMPLETE: its first deploy failed, and nothing of it is deployed/,
      ),
    ]);
  });

  it('reads each rule on its bus and the dead-letter queue’s reader, and names a rule disabled or a reader stopped', async () => {
    const events = mockClient(EventBridgeClient);
    const lambda = mockClient(LambdaClient);
    events
      .on(DescribeRuleCommand, { Name: 'exposed-keys-HealthRiskRule-1' })
      .resolves({ State: 'DISABLED' })
      .on(DescribeRuleCommand, { Name: 'exposed-keys-HubRule-1', EventBusName: 'exposed-keys-hub' })
      .resolves({ State: 'ENABLED' });
    lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-1' }).resolves({ State: 'Disabled' });
    const stack = withResources([
      { logicalId: 'HealthRiskRule', type: 'AWS::Events::Rule', physicalId: 'exposed-keys-HealthRiskRule-1' },
      { logicalId: 'HubRule', type: 'AWS::Events::Rule', physicalId: 'exposed-keys-hub|exposed-keys-HubRule-1' },
      { logicalId: 'UndeliveredEventSource', type: 'AWS::Lambda::EventSourceMapping', physicalId: 'uuid-1' },
    ]);
    try {
      const delivery = await deliveryOf(stack);

      expect(delivery).toEqual({
        rules: [
          { name: 'exposed-keys-HealthRiskRule-1', state: 'DISABLED', logicalId: 'HealthRiskRule' },
          { name: 'exposed-keys-HubRule-1', state: 'ENABLED', eventBusName: 'exposed-keys-hub', logicalId: 'HubRule' },
        ],
        queueReader: { state: 'Disabled', uuid: 'uuid-1' },
      });
      // Each with the command that enables it: a deploy would find nothing changed, and leave it so.
      expect(statusProblems(status({ stack, delivery }))).toEqual([
        expect.stringMatching(
          /^The rule exposed-keys-HealthRiskRule-1 is DISABLED: the events it matches never reach the state machine\. Enable it: aws events enable-rule --name exposed-keys-HealthRiskRule-1 --region us-east-1\.$/,
        ),
        expect.stringMatching(
          /^The function that alerts on the dead-letter queue does not read it \(its mapping is Disabled\): .* Enable it: aws lambda update-event-source-mapping --uuid uuid-1 --enabled --region us-east-1\.$/,
        ),
      ]);
      // What the caller may not read is shown, not counted; a rule sending management events too is sending.
      const unread = {
        rules: [
          { name: 'r1', error: 'AccessDenied' },
          { name: 'r2', state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' },
        ],
        queueReader: { error: 'AccessDenied' },
      };
      expect(statusProblems(status({ stack, delivery: unread }))).toEqual([]);
      // The rule on the state machine's executions feeds the queue, not the state machine: it says what is lost.
      // Known by its logical id: CloudFormation cuts a long stack's rule names.
      const ended = {
        rules: [{ name: 'a-long-stack-name-Respon-1A2B3C', state: 'DISABLED', logicalId: 'ResponseEndedRule' }],
        queueReader: null,
      };
      expect(statusProblems(status({ stack, delivery: ended }))).toEqual([
        'The rule a-long-stack-name-Respon-1A2B3C is DISABLED: an execution that ends with no report is not alerted. Enable it: aws events enable-rule --name a-long-stack-name-Respon-1A2B3C --region us-east-1.',
      ]);
    } finally {
      events.restore();
      lambda.restore();
    }
  });

  it("names the hub's bus in the command that enables a disabled rule of it, where the rule alone is not found", async () => {
    const events = mockClient(EventBridgeClient);
    events
      .on(DescribeRuleCommand, { Name: 'exposed-keys-HubTrustedAdvisorRule-1', EventBusName: 'exposed-keys-hub' })
      .resolves({ State: 'DISABLED' })
      .on(DescribeRuleCommand, { Name: 'exposed-keys-HealthRiskRule-1' })
      .resolves({ State: 'DISABLED' });
    const stack = withResources([
      { logicalId: 'HealthRiskRule', type: 'AWS::Events::Rule', physicalId: 'exposed-keys-HealthRiskRule-1' },
      {
        logicalId: 'HubTrustedAdvisorRule',
        type: 'AWS::Events::Rule',
        physicalId: 'exposed-keys-hub|exposed-keys-HubTrustedAdvisorRule-1',
      },
    ]);
    try {
      const delivery = await deliveryOf(stack);

      expect(statusProblems(status({ stack, delivery }))).toEqual([
        expect.stringContaining(
          'Enable it: aws events enable-rule --name exposed-keys-HealthRiskRule-1 --region us-east-1.',
        ),
        expect.stringContaining(
          'Enable it: aws events enable-rule --name exposed-keys-HubTrustedAdvisorRule-1 --event-bus-name exposed-keys-hub --region us-east-1.',
        ),
      ]);
    } finally {
      events.restore();
    }
  });

  it('names a rule, or the dead-letter queue’s reader, deleted by hand', async () => {
    const events = mockClient(EventBridgeClient);
    const lambda = mockClient(LambdaClient);
    const notFound = (message: string) => Object.assign(new Error(message), { name: 'ResourceNotFoundException' });
    events.on(DescribeRuleCommand).rejects(notFound('Rule exposed-keys-HealthRiskRule-1 does not exist.'));
    lambda.on(GetEventSourceMappingCommand).rejects(notFound('The resource you requested does not exist.'));
    const stack = withResources([
      { logicalId: 'HealthRiskRule', type: 'AWS::Events::Rule', physicalId: 'exposed-keys-HealthRiskRule-1' },
      { logicalId: 'UndeliveredEventSource', type: 'AWS::Lambda::EventSourceMapping', physicalId: 'uuid-1' },
    ]);
    try {
      const delivery = await deliveryOf(stack);

      expect(delivery).toEqual({
        rules: [{ name: 'exposed-keys-HealthRiskRule-1', state: 'DELETED', logicalId: 'HealthRiskRule' }],
        queueReader: { state: 'Deleted', uuid: 'uuid-1' },
      });
      // An update with the same template does not re-create what was deleted by hand: a new stack does.
      const anew =
        'remove the stack and deploy it anew, giving its settings again (exposed-keys destroy --stack-name exposed-keys, which names the follow-ups it would cancel before it asks; then exposed-keys deploy --stack-name exposed-keys).';
      const problems = statusProblems(status({ stack, delivery }));
      expect(problems).toEqual([
        expect.stringMatching(
          /^The rule exposed-keys-HealthRiskRule-1 no longer exists: .*A deploy does not make it again/,
        ),
        expect.stringMatching(/its mapping is Deleted.*A deploy does not make it again/),
      ]);
      for (const problem of problems) expect(problem.endsWith(anew), problem).toBe(true);
      // The hub of an organisation is deployed anew with --org.
      const hub = { ...stack, parameters: { OrganizationId: 'o-abc123' } } as unknown as StackStatus['stack'];
      expect(statusProblems(status({ stack: hub, delivery }))[0]).toContain(
        'then exposed-keys deploy --org --stack-name exposed-keys).',
      );
    } finally {
      events.restore();
      lambda.restore();
    }
  });
});
