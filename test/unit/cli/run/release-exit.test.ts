import { describe, expect, it } from 'vitest';
import { type ReleaseCommandResult, releaseExitCode } from '../../../../src/cli/run/release.js';
import { ExitCode } from '../../../../src/errors.js';

function result(status: 'Active' | 'Inactive', reactivated: boolean, sent = true): ReleaseCommandResult {
  return {
    plan: {} as ReleaseCommandResult['plan'],
    release: {
      status: 'done',
      result: {
        kind: 'release',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'alice',
        evidence: [],
        cancelled: [],
        reactivated,
        status,
        warnings: [],
      },
    },
    notification: sent
      ? { status: 'sent', topicArn: 'arn:aws:sns:us-east-1:123456789012:t', messageId: 'm', subject: 's' }
      : { status: 'failed', topicArn: 'arn:aws:sns:us-east-1:123456789012:t', error: 'e', subject: 's', message: 'm' },
    accountId: '123456789012',
    warnings: [],
  };
}

describe('releaseExitCode', () => {
  it('is 0 for a release done as asked, 4 for a key someone made active again, 3 for a notification lost', () => {
    expect(releaseExitCode(result('Inactive', false))).toBe(ExitCode.ok);
    expect(releaseExitCode(result('Active', true))).toBe(ExitCode.ok);
    expect(releaseExitCode(result('Active', false))).toBe(ExitCode.needsHuman);
    expect(releaseExitCode(result('Inactive', false, false))).toBe(ExitCode.awsFailed);
    // A human must look comes first, as for respond, even when nobody could be told.
    expect(releaseExitCode(result('Active', false, false))).toBe(ExitCode.needsHuman);
  });

  it("is 3 when the message was printed because the stack's topic could not be looked up: nobody was told", () => {
    const printed = {
      ...result('Inactive', false),
      notification: { status: 'printed' as const, reason: 'no topic', subject: 's', message: 'm' },
    };

    expect(releaseExitCode(printed)).toBe(ExitCode.ok);
    expect(
      releaseExitCode({ ...printed, warnings: ['Could not look up the topic of stack exposed-keys: Throttling'] }),
    ).toBe(ExitCode.awsFailed);
  });
});
