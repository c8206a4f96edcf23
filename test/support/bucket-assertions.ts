import { GetBucketEncryptionCommand, GetPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';

/** Asserts that the artifact bucket is encrypted (SSE-S3) and blocks every kind of public access. */
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
}
