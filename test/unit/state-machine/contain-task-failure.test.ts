import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { DynamoDbApi, IamClient } from '../../../src/aws/narrow-clients.js';
import { containTask } from '../../../src/state-machine/tasks/contain-task.js';
import { containConfig } from '../../support/contain-config.js';
import { reportIn } from '../../support/contained-key.js';

/*
 * A containment that fails leaves its failure on the incident record, so that a later report of
 * the key does not take the response for one still under way: also when it failed by running out
 * of time, which is when the record's write needs time of its own. The clients are fakes that
 * honour the abort signal of each call, as the SDK's do.
 */

const CONFIG = containConfig({ incidentTable: 'incidents' });

type Options = { abortSignal?: AbortSignal };

/** A call that answers after `ms`, or fails as the SDK does when its signal aborts first. */
function answerAfter<T>(ms: number, value: T, options?: Options): Promise<T> {
  return new Promise((resolve, reject) => {
    const signal = options?.abortSignal;
    const abort = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    if (signal?.aborted) return abort();
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      abort();
    });
  });
}

describe('the containment task, when containment fails', () => {
  it('records the failure on the incident record after IAM used up the time given to containment', async () => {
    const iam = {
      send: (command: object, options?: Options) => {
        if (command instanceof GetAccessKeyLastUsedCommand) return answerAfter(1, { UserName: 'alice' }, options);
        if (command instanceof ListAttachedUserPoliciesCommand)
          return answerAfter(1, { AttachedPolicies: [] }, options);
        // IAM hangs: the delete is abandoned at the containment's deadline.
        if (command instanceof DeleteAccessKeyCommand) return answerAfter(60_000, {}, options);
        return answerAfter(1, {}, options);
      },
    } as unknown as IamClient;
    const written: unknown[] = [];
    const db = {
      send: async (command: object, options?: Options) => {
        const answer = await answerAfter(20, {}, options);
        if (command instanceof UpdateItemCommand) written.push(command.input);
        return answer;
      },
    } as unknown as DynamoDbApi;
    const startedAt = Date.now();
    // 11 s left, less the 10 s kept for reporting: containment has one second.
    const context = { getRemainingTimeInMillis: () => 11_000 - (Date.now() - startedAt) };

    await expect(containTask({ iam, db }, CONFIG)(reportIn('123456789012'), context)).rejects.toThrow(
      /the key may still be active/,
    );

    expect(written).toEqual([
      expect.objectContaining({
        ExpressionAttributeValues: expect.objectContaining({
          ':outcome': { S: 'containment-failed' },
          ':contained': { BOOL: false },
        }),
      }),
    ]);
  }, 10_000);
});
