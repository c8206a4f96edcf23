import { GetAccessKeyLastUsedCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { refuseSigningWithTheKey } from '../../../../src/cli/run/own-credentials.js';
import { InvalidInputError } from '../../../../src/errors.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SESSION = 'ASIAIOSFODNN7EXAMPLE';
const stsMock = mockClient(STSClient);
const iamMock = mockClient(IAMClient);

function signedWith(accessKeyId: string): AwsClients {
  return new AwsClients({
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId, secretAccessKey: 'secret', sessionToken: 'token' }),
  });
}

const RESPONSE = { accessKeyId: KEY, mode: 'delete', dryRun: false, revokeSessions: true } as const;

afterEach(() => {
  stsMock.reset();
  iamMock.reset();
});

describe('a response that would cut off its own credentials', () => {
  it("is refused when signed with a session of the key's owner, whose sessions it revokes", async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/ops/Alice' });
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });

    const refused = refuseSigningWithTheKey(signedWith(SESSION), RESPONSE, () => undefined);

    await expect(refused).rejects.toThrow(InvalidInputError);
    await expect(refused).rejects.toThrow(/a session of alice, the owner of AKIAIOSFODNN7EXAMPLE/);
  });

  it("goes ahead with --no-revoke-sessions, with a role's session, or when STS does not answer", async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    const warnings: string[] = [];
    const warn = (text: string) => warnings.push(text);

    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/alice' });
    await refuseSigningWithTheKey(signedWith(SESSION), { ...RESPONSE, revokeSessions: false }, warn);
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/ir/alice' });
    await refuseSigningWithTheKey(signedWith(SESSION), RESPONSE, warn);
    stsMock.on(GetCallerIdentityCommand).rejects(new Error('timed out'));
    await refuseSigningWithTheKey(signedWith(SESSION), RESPONSE, warn);

    expect(warnings).toEqual([]);
  });

  it('only warns on a dry run, saying what the response would do', async () => {
    const warnings: string[] = [];

    await refuseSigningWithTheKey(signedWith(KEY), { ...RESPONSE, dryRun: true }, (text) => warnings.push(text));

    expect(warnings).toEqual([
      expect.stringMatching(/the very key to contain.*Without --dry-run, respond would refuse/),
    ]);
  });
});
