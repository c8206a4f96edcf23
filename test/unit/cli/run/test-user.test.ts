import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserCommand,
  IAMClient,
  IAMServiceException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestUser } from '../../../../src/cli/run/test-user.js';

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: 'us-east-1' });
const denied = () =>
  new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not allowed', $metadata: {} });

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
