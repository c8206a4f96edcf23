import {
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'vitest';

/**
 * Asserts that the artifact bucket blocks every kind of public access, enforces the bucket owner's
 * ownership of objects, is encrypted (SSE-S3) and keeps object versions.
 */
export async function expectPrivateEncryptedBucket(s3: S3Client, bucket: string): Promise<void> {
  const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
  expect(
    encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
  ).toBe('AES256');
  const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
  expect(block.PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  });
  const ownership = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
  expect(ownership.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  expect(versioning.Status).toBe('Enabled');
}
