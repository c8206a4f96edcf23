import { randomBytes } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';

/** A throw-away IAM user with no permissions and one access key, for a simulation. */
export interface TestUser {
  userName: string;
  accessKeyId: string;
}

/**
 * Creates a user with no permissions and a key for it. When the key cannot be made, the user made
 * for it is removed again, so that a failed simulation leaves nothing; if that fails too, the
 * error names the user left.
 */
export async function createTestUser(iam: IamClient): Promise<TestUser> {
  const userName = `exposed-keys-test-${randomBytes(4).toString('hex')}`;
  try {
    await iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'exposed-keys', Value: 'simulation' }] }));
  } catch (error) {
    throw toAwsCallError('iam:CreateUser', error);
  }
  try {
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    const accessKeyId = key.AccessKey?.AccessKeyId;
    if (!accessKeyId) throw new Error('IAM gave no access key id');
    return { userName, accessKeyId };
  } catch (error) {
    const failure = toAwsCallError('iam:CreateAccessKey', error);
    await iam.send(new DeleteUserCommand({ UserName: userName })).catch(() => {
      failure.message = `${failure.message} The test user ${userName} was left: delete it (aws iam delete-user --user-name ${userName}).`;
    });
    throw failure;
  }
}

/** The status of the test user's key: `Active`, `Inactive`, or null when it is gone. */
export async function testKeyStatus(iam: IamClient, user: TestUser): Promise<string | null> {
  const keys = await iam.send(new ListAccessKeysCommand({ UserName: user.userName }));
  return keys.AccessKeyMetadata?.find((key) => key.AccessKeyId === user.accessKeyId)?.Status ?? null;
}

/** Deletes the test user and everything attached to it (keys, inline and managed policies). */
export async function removeTestUser(iam: IamClient, user: TestUser): Promise<void> {
  try {
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: user.userName }));
    for (const key of keys.AccessKeyMetadata ?? [])
      await iam.send(new DeleteAccessKeyCommand({ UserName: user.userName, AccessKeyId: key.AccessKeyId }));
    const inline = await iam.send(new ListUserPoliciesCommand({ UserName: user.userName }));
    for (const policyName of inline.PolicyNames ?? [])
      await iam.send(new DeleteUserPolicyCommand({ UserName: user.userName, PolicyName: policyName }));
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user.userName }));
    for (const policy of attached.AttachedPolicies ?? [])
      await iam.send(new DetachUserPolicyCommand({ UserName: user.userName, PolicyArn: policy.PolicyArn }));
    await iam.send(new DeleteUserCommand({ UserName: user.userName }));
  } catch (error) {
    throw toAwsCallError('iam:DeleteUser', error);
  }
}
