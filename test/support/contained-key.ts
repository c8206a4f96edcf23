import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { revokeSessionsPolicy } from '../../src/steps/containment/revoke-sessions-policy.js';
import type { FollowUpRequest } from '../../src/steps/lifecycle/follow-up.js';
import { loadEvent } from './fixtures.js';

/** The key that the containment and lifecycle tests contain: alice's, in account 123456789012. */
export const CONTAINED_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** The tag on alice in which exposed-keys records what it did to {@link CONTAINED_KEY}. */
export const CONTAINED_TAG = `exposed-keys/contained/${CONTAINED_KEY}`;

/** The deletion of {@link CONTAINED_KEY} that its containment on 2026-11-20 scheduled a week later. */
export const DELETION_REQUEST: FollowUpRequest = {
  kind: 'scheduled-deletion',
  accessKeyId: CONTAINED_KEY,
  userName: 'alice',
  accountId: '123456789012',
  containedAt: '2026-11-20T03:00:00.000Z',
  deleteAt: '2026-11-27T03:00:00.000Z',
};

/**
 * Has `iamMock` answer as an IAM in which alice holds the key and has no policy attached, and
 * that takes every tag, inline policy, deactivation and deletion. Her tags, her keys and her
 * inline policies are left for each test file to answer.
 */
export function aliceHoldsTheKey(iamMock: AwsClientStub<IAMClient>): void {
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
  iamMock.on(TagUserCommand).resolves({});
  iamMock.on(PutUserPolicyCommand).resolves({});
  iamMock.on(UpdateAccessKeyCommand).resolves({});
  iamMock.on(DeleteAccessKeyCommand).resolves({});
}

/** Has IAM list {@link CONTAINED_KEY} as alice's only key, with `status`. */
export function keyListed(iamMock: AwsClientStub<IAMClient>, status: 'Active' | 'Inactive'): void {
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: CONTAINED_KEY, Status: status }] });
}

/**
 * Has alice carry, as her only tag, exposed-keys' record `value` of {@link CONTAINED_KEY}: by
 * default the one its containment left with {@link DELETION_REQUEST}.
 */
export function tagged(
  iamMock: AwsClientStub<IAMClient>,
  value = 'deactivated 2026-11-20T03:00:00.000Z delete at 2026-11-27T03:00:00.000Z',
): void {
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [{ Key: CONTAINED_TAG, Value: value }] });
}

/** Has exposed-keys' session revocation on alice deny the sessions issued before `cutoff` (ISO 8601). */
export function sessionsDeniedBefore(iamMock: AwsClientStub<IAMClient>, cutoff: string): void {
  iamMock.on(GetUserPolicyCommand).resolves({
    UserName: 'alice',
    PolicyName: 'exposed-keys-revoke-sessions',
    PolicyDocument: encodeURIComponent(revokeSessionsPolicy(new Date(cutoff))),
  });
}

/** A task's input for Trusted Advisor's report of {@link CONTAINED_KEY}, alice's, exposed in `accountId`. */
export function reportIn(accountId: string): { event: Record<string, any> } {
  const event = loadEvent('trusted-advisor-exposed');
  event.account = accountId;
  event.detail['check-item-detail']['Access Key ID'] = CONTAINED_KEY;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = 'alice';
  return { event };
}
