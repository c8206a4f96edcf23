import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestUser, removeTestUser } from '../../../../src/cli/run/test-user.js';

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: 'us-east-1' });
const failure = (name: string) => new IAMServiceException({ name, $fault: 'client', message: name, $metadata: {} });
const denied = () => failure('AccessDenied');

beforeEach(() => {
  iamMock.reset();
  iamMock.on(CreateUserCommand).resolves({});
});

describe('the test user of a simulation', () => {
  it('is removed again when its key cannot be made, and the error names the call that failed', async () => {
    iamMock.on(CreateAccessKeyCommand).rejects(denied());
    iamMock.on(DeleteUserCommand).resolves({});

    const made = createTestUser(iam);

    await expect(made).rejects.toMatchObject({ operation: 'iam:CreateAccessKey' });
    const created = iamMock.commandCalls(CreateUserCommand)[0]?.args[0].input.UserName;
    expect(iamMock.commandCalls(DeleteUserCommand).map((call) => call.args[0].input.UserName)).toEqual([created]);
  });

  it('is named as left, with the command that deletes it, when it cannot be removed either', async () => {
    iamMock.on(CreateAccessKeyCommand).rejects(denied());
    iamMock.on(DeleteUserCommand).rejects(denied());

    const error = (await createTestUser(iam).catch((caught: Error) => caught)) as Error;

    const created = iamMock.commandCalls(CreateUserCommand)[0]?.args[0].input.UserName;
    expect(error.message).toContain(
      `The test user ${created} was left: delete it (aws iam delete-user --user-name ${created}).`,
    );
  });
});

describe('removing the test user', () => {
  const user = { userName: 'exposed-keys-test-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' };

  it('takes a key already deleted for gone, and removes a policy added meanwhile on a second pass', async () => {
    // A containment abandoned by Ctrl-C deleted the key first, then put its policy after the first listing.
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: user.accessKeyId }] });
    iamMock.on(DeleteAccessKeyCommand).rejects(failure('NoSuchEntity'));
    iamMock
      .on(ListUserPoliciesCommand)
      .resolvesOnce({ PolicyNames: [] })
      .resolves({ PolicyNames: ['exposed-keys-revoke-sessions'] });
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iamMock.on(DeleteUserCommand).rejectsOnce(failure('DeleteConflict')).resolves({});

    await removeTestUser(iam, user);

    expect(iamMock.commandCalls(DeleteUserPolicyCommand).map((call) => call.args[0].input.PolicyName)).toEqual([
      'exposed-keys-revoke-sessions',
    ]);
    expect(iamMock.commandCalls(DeleteUserCommand)).toHaveLength(2);
  });

  it('gives up after three passes, naming the call', async () => {
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    iamMock.on(ListUserPoliciesCommand).resolves({ PolicyNames: [] });
    iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iamMock.on(DeleteUserCommand).rejects(failure('DeleteConflict'));

    await expect(removeTestUser(iam, user)).rejects.toMatchObject({ operation: 'iam:DeleteUser' });
    expect(iamMock.commandCalls(DeleteUserCommand)).toHaveLength(3);
  });
});
