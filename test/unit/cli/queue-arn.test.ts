import { describe, expect, it } from 'vitest';
import { queueArnOf } from '../../../src/cli/run/schedule-target.js';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys-abc';

describe("the stack's dead-letter queue, from its physical id", () => {
  it("takes the queue's name from its URL, and the partition, region and account of the stack", () => {
    expect(
      queueArnOf('https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1A', MACHINE),
    ).toBe('arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1A');
    // An emulator's URL names no region.
    expect(
      queueArnOf('http://127.0.0.1:5000/123456789012/q', 'arn:aws-us-gov:states:us-gov-west-1:123456789012:x'),
    ).toBe('arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q');
  });

  it('gives none for a URL or an ARN not of their shape, so that schedules go without', () => {
    expect(queueArnOf('exposed-keys-UndeliveredQueue-1A', MACHINE)).toBeNull();
    expect(queueArnOf('https://sqs.us-east-1.amazonaws.com/123456789012/a b', MACHINE)).toBeNull();
    expect(queueArnOf('https://sqs.us-east-1.amazonaws.com/123456789012/q', 'not-an-arn')).toBeNull();
  });
});
