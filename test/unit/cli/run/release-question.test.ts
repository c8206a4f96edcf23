import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { releaseFlow } from '../../../../src/cli/run/release.js';
import { recordingHost } from '../../../support/io-host.js';
import { activeCharacters } from '../../../support/well-formed.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

describe('the question release asks', () => {
  it('shows the tag it names as evidence inert: anyone with iam:TagUser writes it', async () => {
    const iamMock = mockClient(IAMClient);
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
    iamMock.on(ListUserTagsCommand).resolves({
      Tags: [{ Key: `exposed-keys/contained/${KEY}`, Value: 'deactivated\u2028\u202eyes 2026-11-20T03:00:00.000Z' }],
    });
    const host = recordingHost(false);

    const outcome = await releaseFlow(
      {
        iam: new IAMClient({ region: 'us-east-1' }),
        groupName: null,
        topic: async () => ({}),
        accountId: async () => '123456789012',
      },
      { accessKeyId: KEY, reactivate: false },
      host,
    );

    expect(outcome.aborted).toBe(true);
    const question = host.questions[0]?.question ?? '';
    expect(question).toMatch(/^Evidence that exposed-keys contained it: tag .*deactivated/);
    const [evidence] = question.split('\n');
    expect(activeCharacters(evidence ?? '')).toEqual([]);
    iamMock.restore();
  });
});
