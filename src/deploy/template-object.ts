import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { ArtifactBucketDeps, OwnedBucket } from './artifact-bucket.js';
import { MAX_TEMPLATE_BODY_BYTES } from './template.js';

/** The key of a template body in the artifact bucket, named after its SHA-256: `templates/<sha256>.json`. */
export function templateKey(sha256: string): string {
  return `templates/${sha256}.json`;
}

/**
 * The URL CloudFormation reads an object of the bucket at, path-style (a bucket name with dots
 * stays valid under TLS): `https://s3.<region>.amazonaws.com/<bucket>/<key>`.
 */
export function templateUrl(bucket: string, region: string, key: string): string {
  return `https://s3.${region}.amazonaws.com/${bucket}/${key}`;
}

/**
 * The URL of the compact template body for CloudFormation, once it is over what it takes inline
 * (51,200 bytes): the body is written to the artifact bucket (as the Lambda artifact is, with its
 * SHA-256 for S3 to check, encrypted, refused by S3 if the bucket is another account's). Null when
 * the body fits inline and nothing was written.
 *
 * @throws AwsCallError when S3 refuses the upload.
 */
export async function templateUrlIfTooLarge(
  deps: ArtifactBucketDeps,
  input: OwnedBucket & { region: string; body: string },
): Promise<string | null> {
  const bytes = Buffer.from(input.body, 'utf8');
  if (bytes.length <= MAX_TEMPLATE_BODY_BYTES) return null;
  const digest = createHash('sha256').update(bytes).digest();
  const key = templateKey(digest.toString('hex'));
  deps.progress?.onStep?.(
    `Uploading the stack template (${bytes.length.toLocaleString('en')} bytes) to s3://${input.bucket}/${key}`,
  );
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: key,
        ExpectedBucketOwner: input.owner,
        Body: bytes,
        ContentType: 'application/json',
        ServerSideEncryption: 'AES256',
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: digest.toString('base64'),
      }),
    );
  } catch (error) {
    throw toAwsCallError('s3:PutObject', error);
  }
  return templateUrl(input.bucket, input.region, key);
}
