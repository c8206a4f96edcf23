import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { planResponse } from '../../../../src/cli/run/respond-plan.js';

const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const MEMBER = '210987654321';

beforeEach(() => {
  iamMock.reset();
  stsMock.reset();
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Active' }] });
  stsMock
    .on(GetCallerIdentityCommand)
    .rejects(Object.assign(new Error('Service unavailable'), { name: 'InternalFailure' }));
});

describe('planResponse', () => {
  const deps = () => ({
    iam: new IAMClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1', maxAttempts: 1 }),
  });
  const options = { accessKeyId: KEY, mode: 'deactivate' as const, revokeSessions: true };

  it('names the account --account gave, whatever STS answers: follow-ups and messages need it', async () => {
    const planned = await planResponse(deps(), { ...options, account: { accountId: MEMBER } });

    expect(planned.incident.accountId).toBe(MEMBER);
    expect(planned.plan.status).toBe('done');
  });

  it('goes on with the account unknown, saying why, when STS fails and no account was given', async () => {
    const planned = await planResponse(deps(), options);

    expect(planned.incident.accountId).toBe('unknown');
    expect(planned.warnings.join(' ')).toMatch(/GetCallerIdentity/);
    expect(planned.plan.status).toBe('done');
  });
});
