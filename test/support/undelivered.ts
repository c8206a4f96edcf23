import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { UndeliveredDeps } from '../../src/steps/undelivered.js';
import { publishedEvent, withKey } from './published.js';

/** The key that the event of the undelivered function's tests names. */
export const EVENT_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** The stack's e-mail topic, in the undelivered function's tests. */
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-keys';

/** The stack's state machine, in the undelivered function's tests. */
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys';

/** A fresh copy of AWS's published Trusted Advisor event (test/fixtures/events/published), naming {@link EVENT_KEY}. */
export function trustedAdvisorEvent(): unknown {
  return withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', EVENT_KEY);
}

/** A dead-letter queue: its ARN, as the records it gives name it, and its URL, as SQS calls take it. */
export interface DeadLetterQueue {
  arn: string;
  url: string;
}

/**
 * The undelivered function's dependencies, reading `queue`: SDK clients the tests mock, the topic
 * and the state machine above, with `overrides` on top.
 */
export function undeliveredDeps(queue: DeadLetterQueue, overrides: Partial<UndeliveredDeps> = {}): UndeliveredDeps {
  return {
    sns: new SNSClient({}),
    topicArn: TOPIC_ARN,
    sfn: new SFNClient({}),
    stateMachineArn: STATE_MACHINE_ARN,
    sqs: new SQSClient({}),
    queueUrl: queue.url,
    queueArn: queue.arn,
    ...overrides,
  };
}
