import {
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { S3Api } from '../aws/narrow-clients.js';
import { type BucketTarget, blockPublicAccess, enableVersioning, enforceOwnership } from './bucket-settings.js';

/** What `call` answered, or undefined when S3 says the setting is absent (`absent`). */
async function current<T>(operation: string, call: () => Promise<T>, ...absent: string[]): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isAwsError(error, ...absent)) return undefined;
    throw toAwsCallError(`s3:${operation}`, error);
  }
}

/** A policy's JSON with its objects' keys sorted, so that two spellings of one policy compare equal. */
function canonical(policy: string): string {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([key, inner]) => [key, sorted(inner)]),
          )
        : value;
  try {
    return JSON.stringify(sorted(JSON.parse(policy)));
  } catch {
    return policy;
  }
}

/** What {@link mendOwnBucket} did, and what it found that it leaves for a person to review. */
export interface MendedBucket {
  /** The settings it put, which the bucket lacked. */
  mended: string[];
  /** Settings a person (or anyone in the account) chose, which the deploy keeps: review them. */
  kept: string[];
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(`s3:${operation}`, error);
  }
}

/**
 * Gives exposed-keys' own artifact bucket (the default name, which only exposed-keys gives) what a
 * new one gets and it lacks: a first deploy stopped after CreateBucket (Ctrl-C, a refused call)
 * leaves a bucket without them, and a later deploy would find it "there" and use it as it is.
 * Only what is missing is put, so that nothing a person set is replaced: versioning never enabled (a deploy
 * names the version it verified), the public access block, the owner's ownership of every object,
 * and the policy that denies requests without TLS (`tlsPolicy`, when given). Returns what was put,
 * and what was kept that a new bucket would not have: the default name is predictable, and anyone
 * in the account may have made the bucket first, with a policy that lets another account write the
 * functions' code (the deploy pins the version it verified, but a person should know).
 */
export async function mendOwnBucket(
  s3: S3Api,
  target: BucketTarget,
  tlsPolicy: string | undefined,
): Promise<MendedBucket> {
  const mended: string[] = [];
  const kept: string[] = [];
  const versioning = await send('GetBucketVersioning', () => s3.send(new GetBucketVersioningCommand(target)));
  // Never enabled (no status); one a person suspended stays as it is.
  if (versioning.Status === undefined) {
    await send('PutBucketVersioning', () => s3.send(enableVersioning(target)));
    mended.push('versioning');
  } else if (versioning.Status !== 'Enabled') kept.push(`versioning ${versioning.Status}`);
  const block = await current(
    'GetPublicAccessBlock',
    () => s3.send(new GetPublicAccessBlockCommand(target)),
    'NoSuchPublicAccessBlockConfiguration',
  );
  if (!block) {
    await send('PutPublicAccessBlock', () => s3.send(blockPublicAccess(target)));
    mended.push('public access block');
  } else {
    const settings = block.PublicAccessBlockConfiguration ?? {};
    const off = (['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const).filter(
      (name) => settings[name] !== true,
    );
    if (off.length > 0) kept.push(`public access not blocked (${off.join(', ')} off)`);
  }
  const ownership = await current(
    'GetBucketOwnershipControls',
    () => s3.send(new GetBucketOwnershipControlsCommand(target)),
    'OwnershipControlsNotFoundError',
  );
  if (!ownership) {
    await send('PutBucketOwnershipControls', () => s3.send(enforceOwnership(target)));
    mended.push('object ownership');
  } else {
    const rule = ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
    if (rule !== 'BucketOwnerEnforced') kept.push(`object ownership ${rule ?? 'unset'} (ACLs apply)`);
  }
  const policy = await current(
    'GetBucketPolicy',
    () => s3.send(new GetBucketPolicyCommand(target)),
    'NoSuchBucketPolicy',
  );
  if (!policy?.Policy) {
    if (tlsPolicy) {
      await send('PutBucketPolicy', () => s3.send(new PutBucketPolicyCommand({ ...target, Policy: tlsPolicy })));
      mended.push('TLS-only policy');
    }
  } else if (!tlsPolicy || canonical(policy.Policy) !== canonical(tlsPolicy)) {
    kept.push('a bucket policy exposed-keys did not write (it may let others write the functions’ code)');
  }
  return { mended, kept };
}
