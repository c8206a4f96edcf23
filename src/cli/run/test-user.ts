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
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
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

/** Runs an IAM call whose target may already be gone: that is no failure. */
async function unlessGone(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntity')) throw error;
  }
}

/** Deletes what is attached to the test user, then the user; what is already gone is no failure. */
async function removeOnce(iam: IamClient, UserName: string): Promise<void> {
  const keys = await iam.send(new ListAccessKeysCommand({ UserName }));
  for (const { AccessKeyId } of keys.AccessKeyMetadata ?? [])
    await unlessGone(() => iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId })));
  const inline = await iam.send(new ListUserPoliciesCommand({ UserName }));
  for (const PolicyName of inline.PolicyNames ?? [])
    await unlessGone(() => iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName })));
  const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName }));
  for (const { PolicyArn } of attached.AttachedPolicies ?? [])
    await unlessGone(() => iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn })));
  await iam.send(new DeleteUserCommand({ UserName }));
}

/** Attempts at removing the test user: a containment abandoned mid-way (Ctrl-C) may still add a policy. */
const REMOVAL_ATTEMPTS = 3;

/**
 * Deletes the test user and everything attached to it (keys, inline and managed policies). A
 * policy or key added while it was being removed (`DeleteConflict`) is removed on another pass.
 */
export async function removeTestUser(iam: IamClient, user: TestUser): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await removeOnce(iam, user.userName);
    } catch (error) {
      if (attempt < REMOVAL_ATTEMPTS && isAwsError(error, 'DeleteConflict')) continue;
      throw toAwsCallError('iam:DeleteUser', error);
    }
  }
}
