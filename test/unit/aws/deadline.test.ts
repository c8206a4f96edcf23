import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationDeadline, withDeadline } from '../../../src/aws/deadline.js';

let server: Server;
let endpoint: string;

beforeAll(async () => {
  // Answers nothing, ever: a call to it hangs until someone gives up.
  server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('withDeadline', () => {
  it('gives up a call that hangs at the deadline, retries included', async () => {
    const sns = new SNSClient({
      region: 'us-east-1',
      endpoint,
      maxAttempts: 3,
      requestHandler: { requestTimeout: 60_000 },
    });
    const started = Date.now();

    const call = withDeadline(sns, Date.now() + 800).send(
      new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' }),
    );

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(10_000);
  });

  it('leaves a client alone without a deadline', () => {
    const sns = new SNSClient({ region: 'us-east-1' });
    expect(withDeadline(sns, undefined)).toBe(sns);
  });
});

describe('invocationDeadline', () => {
  it("is the invocation's remaining time less the margin, at least a second ahead", () => {
    expect(invocationDeadline({ getRemainingTimeInMillis: () => 60_000 }, 10_000, 1_000)).toBe(51_000);
    expect(invocationDeadline({ getRemainingTimeInMillis: () => 3_000 }, 10_000, 1_000)).toBe(2_000);
    expect(invocationDeadline(undefined, 10_000)).toBeUndefined();
  });
});
