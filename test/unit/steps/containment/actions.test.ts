import { DeleteAccessKeyCommand, ListAccessKeysCommand, type UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../../../src/aws/deadline.js';
import type { IamClient } from '../../../../src/aws/narrow-clients.js';
import { ContainmentError } from '../../../../src/errors.js';
import { disableKey } from '../../../../src/steps/containment/actions.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

/** An error as the SDK throws it after its tries: with what AWS answered, if it answered. */
function sdkError(name: string, metadata: { httpStatusCode?: number; attempts?: number }, fault?: 'client' | 'server') {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: metadata,
    ...(fault ? { $fault: fault } : {}),
  });
}

/** IAM that lists alice's key active, and fails `failing` with `error`. */
function iamFailing(failing: typeof DeleteAccessKeyCommand | typeof UpdateAccessKeyCommand, error: unknown): IamClient {
  return {
    send: async (command: object) => {
      if (command instanceof failing) throw error;
      if (command instanceof ListAccessKeysCommand)
        return { AccessKeyMetadata: [{ UserName: 'alice', AccessKeyId: KEY, Status: 'Active' }] };
      return {};
    },
  } as unknown as IamClient;
}

async function failureOf(promise: Promise<unknown>): Promise<ContainmentError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ContainmentError);
  return error as ContainmentError;
}

const CHECK = 'check its status: aws iam list-access-keys --user-name alice';

describe('a failed call to make the key unusable', () => {
  it('says the key is still active when IAM answered with a refusal', async () => {
    const refused = sdkError('AccessDenied', { httpStatusCode: 403, attempts: 1 }, 'client');

    const failure = await failureOf(disableKey(iamFailing(DeleteAccessKeyCommand, refused), KEY, 'alice', 'delete'));

    expect(failure.message).toMatch(
      /; the key is still active: AwsCallError: iam:DeleteAccessKey failed: AccessDenied/,
    );
    expect(failure.message).not.toMatch(/may still be active/);
  });

  it.each([
    ['timed out, no answer read', sdkError('TimeoutError', { attempts: 4 })],
    ['dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['answered with a fault of IAM (5xx)', sdkError('ServiceFailure', { httpStatusCode: 500, attempts: 1 }, 'server')],
    // Throttled on the last try: an earlier one, whose answer was lost, may have been carried out.
    ['throttled after retries', sdkError('Throttling', { httpStatusCode: 400, attempts: 4 }, 'client')],
  ])('says the key may still be active, and how to check, when the delete %s', async (_, error) => {
    const failure = await failureOf(disableKey(iamFailing(DeleteAccessKeyCommand, error), KEY, 'alice', 'delete'));

    expect(failure.message).toContain(`; the key may still be active (IAM did not answer that it refused; ${CHECK}):`);
    expect(failure.message).not.toMatch(/the key is still active/);
  });

  it('says the key may still be active when the deactivation is cut off at the deadline', async () => {
    const hanging = {
      send: (command: object, options?: { abortSignal?: AbortSignal }) => {
        if (command instanceof ListAccessKeysCommand)
          return Promise.resolve({ AccessKeyMetadata: [{ UserName: 'alice', AccessKeyId: KEY, Status: 'Active' }] });
        return new Promise((_, reject) =>
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
          ),
        );
      },
    } as unknown as IamClient;

    const failure = await failureOf(disableKey(withDeadline(hanging, Date.now() + 20), KEY, 'alice', 'deactivate'));

    expect(failure.message).toMatch(/may still be active .*iam:UpdateAccessKey failed: AbortError/);
  });
});
