import { readFile } from 'node:fs/promises';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { awsErrorCode, isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { S3Api } from '../aws/narrow-clients.js';
import { AwsCallError } from '../errors.js';
import type { Artifact } from './package-artifact.js';
import type { DeployProgress } from './progress.js';

/** What the artifact bucket functions need. */
export interface ArtifactBucketDeps {
  s3: S3Api;
  progress?: DeployProgress;
}

/** The default artifact bucket of an account and region: `exposed-keys-artifacts-<account>-<region>`. */
export function artifactBucketName(accountId: string, region: string): string {
  return `exposed-keys-artifacts-${accountId}-${region}`;
}

/** The object key of an artifact: `lambda/<sha256>.zip`, so that a new content gets a new key. */
export function artifactKey(sha256: string): string {
  return `lambda/${sha256}.zip`;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** True when S3 says the bucket or object is not there. */
export function isNotFound(error: unknown): boolean {
  return isAwsError(error, 'NotFound', 'NoSuchBucket', 'NoSuchKey') || httpStatus(error) === 404;
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(`s3:${operation}`, error);
  }
}

/** True when the bucket exists and is the caller's. */
async function bucketExists(s3: S3Api, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    if (httpStatus(error) === 403)
      throw new AwsCallError('s3:HeadBucket', awsErrorCode(error), `Bucket ${bucket} exists but is not yours.`, {
        cause: error,
        hint: 'Bucket names are global: pass another name with --bucket.',
      });
    throw toAwsCallError('s3:HeadBucket', error);
  }
}

/**
 * Creates the artifact bucket, or reuses it when it is already there. A new bucket gets SSE-S3
 * default encryption and a full public access block; an existing bucket is left as it is (it may be
 * the caller's own, given with --bucket).
 */
export async function ensureArtifactBucket(
  deps: ArtifactBucketDeps,
  input: { bucket: string; region: string },
): Promise<{ bucket: string; created: boolean }> {
  const { s3 } = deps;
  const { bucket, region } = input;
  if (await bucketExists(s3, bucket)) return { bucket, created: false };

  deps.progress?.onStep?.(`Creating artifact bucket ${bucket}`);
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the default location and refuses to be named.
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (error) {
    if (!isAwsError(error, 'BucketAlreadyOwnedByYou')) throw toAwsCallError('s3:CreateBucket', error);
  }
  await send('PutPublicAccessBlock', () =>
    s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    ),
  );
  await send('PutBucketEncryption', () =>
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    ),
  );
  return { bucket, created: true };
}

/** Where the artifact is, and whether this call uploaded it. */
export interface UploadedArtifact {
  bucket: string;
  key: string;
  /** `unchanged` when an object with the same content hash was already there. */
  status: 'uploaded' | 'unchanged';
}

/**
 * Uploads the artifact to `lambda/<sha256>.zip` in the bucket, unless that object is already there:
 * the key is the content hash, so an existing object holds the same bytes.
 */
export async function uploadArtifact(
  deps: ArtifactBucketDeps,
  input: { bucket: string; artifact: Pick<Artifact, 'zipPath' | 'sha256'> },
): Promise<UploadedArtifact> {
  const { bucket, artifact } = input;
  const key = artifactKey(artifact.sha256);
  try {
    await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { bucket, key, status: 'unchanged' };
  } catch (error) {
    if (!isNotFound(error)) throw toAwsCallError('s3:HeadObject', error);
  }
  deps.progress?.onStep?.(`Uploading s3://${bucket}/${key}`);
  const body = await readFile(artifact.zipPath);
  await send('PutObject', () =>
    deps.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/zip',
        ServerSideEncryption: 'AES256',
        ChecksumSHA256: Buffer.from(artifact.sha256, 'hex').toString('base64'),
      }),
    ),
  );
  return { bucket, key, status: 'uploaded' };
}
