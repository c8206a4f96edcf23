import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeadLetterRecord } from '../../src/steps/undelivered.js';
import { artifactHandler } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { publishedEvent, withKey } from '../support/published.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * The dead-letter queue's function from the built artifact, against moto's SNS: each event
 * EventBridge could not deliver becomes one alert on the e-mail topic. That EventBridge and
 * Scheduler send to the queue at all is AWS's behaviour, which moto does not emulate: the template
 * tests check the wiring (every rule's target, the queue policy, the schedules' role).
 */

const moto = useMoto();
const KEY = 'AKIAIOSFODNN7EXAMPLE';

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

describe('the alert for an event that never started a response', () => {
  it('reaches the e-mail topic, naming the key and how to contain it', async () => {
    const inbox = await topicWithInbox(moto(), 'undelivered');
    const handler = await artifactHandler<{ Records: DeadLetterRecord[] }>('undelivered', {
      AWS_ENDPOINT_URL: moto().endpoint,
      TOPIC_ARN: inbox.topicArn,
    });

    const answer = await handler(deadLetterEvent());

    expect(answer).toEqual({ batchItemFailures: [] });
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toBe(`ACTION REQUIRED: exposed-keys did not start for ${KEY}`);
    expect(messages[0]?.Message).toContain(`exposed-keys respond --key ${KEY} --account 111222333444`);
    expect(messages[0]?.MessageAttributes?.outcome).toEqual({ Type: 'String', Value: 'not-started' });
  });

  it('leaves the message on the queue when the topic refuses it', async () => {
    const handler = await artifactHandler<{ Records: DeadLetterRecord[] }>('undelivered', {
      AWS_ENDPOINT_URL: moto().endpoint,
      TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:no-such-topic',
    });

    const answer = await handler(deadLetterEvent());

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '059f36b4-87a3-44ab-83d2-661975830a7d' }] });
  });
});
