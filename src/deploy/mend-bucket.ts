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

async function missing(operation: string, call: () => Promise<unknown>, ...absent: string[]): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (error) {
    if (isAwsError(error, ...absent)) return true;
    throw toAwsCallError(`s3:${operation}`, error);
  }
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
 * and the policy that denies requests without TLS (`tlsPolicy`, when given). Returns what was put.
 */
export async function mendOwnBucket(s3: S3Api, target: BucketTarget, tlsPolicy: string | undefined): Promise<string[]> {
  const mended: string[] = [];
  const versioning = await send('GetBucketVersioning', () => s3.send(new GetBucketVersioningCommand(target)));
  // Never enabled (no status); one a person suspended stays as it is.
  if (versioning.Status === undefined) {
    await send('PutBucketVersioning', () => s3.send(enableVersioning(target)));
    mended.push('versioning');
  }
  if (
    await missing(
      'GetPublicAccessBlock',
      () => s3.send(new GetPublicAccessBlockCommand(target)),
      'NoSuchPublicAccessBlockConfiguration',
    )
  ) {
    await send('PutPublicAccessBlock', () => s3.send(blockPublicAccess(target)));
    mended.push('public access block');
  }
  if (
    await missing(
      'GetBucketOwnershipControls',
      () => s3.send(new GetBucketOwnershipControlsCommand(target)),
      'OwnershipControlsNotFoundError',
    )
  ) {
    await send('PutBucketOwnershipControls', () => s3.send(enforceOwnership(target)));
    mended.push('object ownership');
  }
  if (
    tlsPolicy &&
    (await missing('GetBucketPolicy', () => s3.send(new GetBucketPolicyCommand(target)), 'NoSuchBucketPolicy'))
  ) {
    await send('PutBucketPolicy', () => s3.send(new PutBucketPolicyCommand({ ...target, Policy: tlsPolicy })));
    mended.push('TLS-only policy');
  }
  return mended;
}
