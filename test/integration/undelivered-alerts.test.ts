import { readFileSync } from 'node:fs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { DeadLetterRecord } from '../../src/steps/undelivered.js';
import { artifactHandler } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { publishedEvent, withKey } from '../support/published.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * The dead-letter queue's function from the built artifact, against moto's SNS and Step
 * Functions: each event EventBridge could not deliver is given to the state machine again and
 * becomes one alert on the e-mail topic. That EventBridge and
 * Scheduler send to the queue at all is AWS's behaviour, which moto does not emulate: the template
 * tests check the wiring (every rule's target, the queue policy, the schedules' role).
 */

const moto = useMoto();
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const MESSAGE_ID = '059f36b4-87a3-44ab-83d2-661975830a7d';

/**
 * AWS's published SQS → Lambda event (SOURCES.md), its bodies replaced by AWS's published Trusted
 * Advisor event and its attributes by EventBridge's documented dead-letter attributes.
 */
function deadLetterEvent(): { Records: DeadLetterRecord[] } {
  const url = new URL('../fixtures/events/published/sqs-lambda-event-aws-docs.json', import.meta.url);
  const event = JSON.parse(readFileSync(url, 'utf8')) as { Records: DeadLetterRecord[] };
  const body = JSON.stringify(withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY));
  return {
    Records: event.Records.slice(0, 1).map((record) => ({
      ...record,
      body,
      messageAttributes: {
        RULE_ARN: { stringValue: 'arn:aws:events:us-east-1:123456789012:rule/exposed-keys-TrustedAdvisorRule-1' },
        TARGET_ARN: { stringValue: 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys' },
        ERROR_CODE: { stringValue: 'NO_PERMISSIONS' },
        ERROR_MESSAGE: { stringValue: 'Not authorized to perform states:StartExecution' },
        RETRY_ATTEMPTS: { stringValue: '0' },
      },
    })),
  };
}

/** A state machine in moto that takes any input, as the stack's. */
async function stateMachine(): Promise<{ sfn: SFNClient; arn: string }> {
  const sfn = new SFNClient({ region: 'us-east-1', endpoint: moto().endpoint });
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: 'exposed-keys',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      roleArn: 'arn:aws:iam::123456789012:role/exposed-keys-StateMachineRole',
    }),
  );
  return { sfn, arn: stateMachineArn as string };
}

// The queue of the fixture is in account 123456789012 and the event's key in 111222333444: a
// member's key, as the hub in organisation mode receives it.
describe('what a hub could not deliver to its state machine', () => {
  it('is given to the state machine again, and the e-mail topic told it started late', async () => {
    const inbox = await topicWithInbox(moto(), 'undelivered');
    const { sfn, arn } = await stateMachine();
    const handler = await artifactHandler<{ Records: DeadLetterRecord[] }>('undelivered', {
      AWS_ENDPOINT_URL: moto().endpoint,
      TOPIC_ARN: inbox.topicArn,
      STATE_MACHINE_ARN: arn,
    });
    const event = deadLetterEvent();

    const answer = await handler(event);

    expect(answer).toEqual({ batchItemFailures: [] });
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(executions?.map((execution) => execution.name)).toEqual([`undelivered-${MESSAGE_ID}`]);
    const started = await sfn.send(new DescribeExecutionCommand({ executionArn: executions?.[0]?.executionArn }));
    expect(JSON.parse(started.input ?? '{}')).toEqual(JSON.parse(event.Records[0]?.body ?? ''));
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toBe(`exposed-keys started late for ${KEY}: check its report`);
    expect(messages[0]?.Message).toContain(`exposed-keys respond --key ${KEY} --account 111222333444`);
    expect(messages[0]?.MessageAttributes?.outcome).toEqual({ Type: 'String', Value: 'started-late' });
  });

  it('is alerted as not started when the state machine is gone', async () => {
    const inbox = await topicWithInbox(moto(), 'undelivered');
    const handler = await artifactHandler<{ Records: DeadLetterRecord[] }>('undelivered', {
      AWS_ENDPOINT_URL: moto().endpoint,
      TOPIC_ARN: inbox.topicArn,
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:deleted-by-hand',
    });

    const answer = await handler(deadLetterEvent());

    expect(answer).toEqual({ batchItemFailures: [] });
    const [message] = await inbox.messages();
    expect(message?.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(message?.Message).toContain('could not start it again either');
  });

  it('stays on the queue when the topic refuses its alert', async () => {
    const { arn } = await stateMachine();
    const handler = await artifactHandler<{ Records: DeadLetterRecord[] }>('undelivered', {
      AWS_ENDPOINT_URL: moto().endpoint,
      TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:no-such-topic',
      STATE_MACHINE_ARN: arn,
    });

    const answer = await handler(deadLetterEvent());

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: MESSAGE_ID }] });
  });
});
