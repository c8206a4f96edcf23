import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ReleaseMessage, releaseExitCode, releaseFlow } from '../../../../src/cli/run/release.js';
import type { IoHost } from '../../../../src/common/io-host.js';
import { ExitCode } from '../../../../src/errors.js';

/*
 * `release` asks before it changes anything; the key's scheduled deletion may come due while the
 * question is open. The release must then say the key is gone, not that it stays inactive.
 */

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const iamMock = mockClient(IAMClient);
const schedulerMock = mockClient(SchedulerClient);

beforeEach(() => {
  iamMock.reset();
  schedulerMock.reset();
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
  iamMock.on(ListUserTagsCommand).resolves({
    Tags: [
      {
        Key: `exposed-keys/contained/${KEY}`,
        Value: 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T03:00:00.000Z',
      },
    ],
  });
  iamMock.on(TagUserCommand).resolves({});
  schedulerMock.on(GetScheduleCommand).resolves({ ScheduleExpression: 'at(2026-11-27T03:00:00)' });
  schedulerMock.on(DeleteScheduleCommand).resolves({});
});

afterEach(() => {
  iamMock.reset();
  schedulerMock.reset();
});

/** A responder who says yes once the key's deletion has run, its schedule gone with it. */
function yesOnceDeleted(): IoHost<ReleaseMessage> {
  return {
    notify: () => undefined,
    async confirm() {
      schedulerMock
        .on(DeleteScheduleCommand)
        .rejects(new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} }));
      iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
      return true;
    },
  };
}

describe('a release whose scheduled deletion ran while it asked', () => {
  it('fails, exit 4, with a message that the key was deleted and what to do, rather than "it stays inactive"', async () => {
    let printed = '';
    const outcome = await releaseFlow(
      {
        iam: new IAMClient({ region: 'us-east-1' }),
        scheduler: new SchedulerClient({ region: 'us-east-1' }),
        groupName: 'exposed-keys',
        topic: async () => ({}),
        accountId: async () => '123456789012',
      },
      { accessKeyId: KEY, reactivate: false },
      yesOnceDeleted(),
    );

    if (outcome.aborted) throw new Error('the release was not confirmed');
    const { result } = outcome;
    if (result.notification.status === 'printed') printed = result.notification.message;
    expect(result.release.status).toBe('failed');
    expect(result.keyGone).toBe(true);
    expect(releaseExitCode(result)).toBe(ExitCode.needsHuman);
    expect(printed).toMatch(/ACTION REQUIRED: RELEASE FAILED/);
    expect(printed).toContain('but its scheduled deletion came first');
    expect(printed).toContain('DELETED before it could be released');
    expect(printed).toContain('its scheduled deletion ran before the release could cancel it');
    expect(printed).toContain('aws iam create-access-key --user-name alice');
    expect(printed).not.toMatch(/stays inactive|Release it again|was released by/);
  });
});
