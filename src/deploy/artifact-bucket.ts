import { readFile } from 'node:fs/promises';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { awsErrorCode, isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { S3Api } from '../aws/narrow-clients.js';
import { AwsCallError } from '../errors.js';
import { blockPublicAccess, enableVersioning, enforceOwnership } from './bucket-settings.js';
import type { Artifact } from './package-artifact.js';
import type { DeployProgress } from './progress.js';

/** What the artifact bucket functions need. */
export interface ArtifactBucketDeps {
  s3: S3Api;
  progress?: DeployProgress;
}

/**
 * A bucket and the account that must own it. Every call on the bucket passes the owner as
 * `ExpectedBucketOwner`, so that S3 refuses it when a bucket of that name belongs to another account.
 */
export interface OwnedBucket {
  bucket: string;
  /** The account ID that owns the bucket: the caller's. */
  owner: string;
}

/** The default artifact bucket of an account and region: `exposed-keys-artifacts-<account>-<region>`. */
export function artifactBucketName(accountId: string, region: string): string {
  return `exposed-keys-artifacts-${accountId}-${region}`;
}

/** The object key of an artifact: `lambda/<sha256>.zip`, so that a new content gets a new key. */
export function artifactKey(sha256: string): string {
  return `lambda/${sha256}.zip`;
}

/**
 * The artifact bucket's policy: every request that does not use TLS is denied, whoever makes it.
 * The stack lives in us-east-1, in the `aws` partition.
 */
export function tlsOnlyBucketPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyRequestsWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
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
async function bucketExists(s3: S3Api, { bucket, owner }: OwnedBucket): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: owner }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    if (httpStatus(error) === 403)
      throw new AwsCallError(
        's3:HeadBucket',
        awsErrorCode(error),
        `Bucket ${bucket} exists, and is not yours, or you may not read it (s3:ListBucket).`,
        {
          cause: error,
          hint: 'If it is yours, allow s3:ListBucket on it; if not (bucket names are global), pass another name with --bucket.',
        },
      );
    throw toAwsCallError('s3:HeadBucket', error);
  }
}

/** How {@link ensureArtifactBucket} sets up a new bucket. */
export interface ArtifactBucketInput extends OwnedBucket {
  region: string;
  /**
   * Give the bucket the policy that denies requests without TLS (default true). Only a deploy that
   * reaches S3 over plain HTTP (an emulator on this machine) goes without: the policy would refuse
   * the deploy's own uploads.
   */
  tlsOnly?: boolean;
  /**
   * The bucket has exposed-keys' default name (no --bucket): one that exists is given what a new
   * one gets and it lacks (see mendOwnBucket). A bucket given by name is used as it is.
   */
  ownName?: boolean;
}

/**
 * Creates the artifact bucket, or reuses it when it is already there. A new bucket blocks every
 * kind of public access, enforces the bucket owner's ownership of every object (no ACLs), encrypts
 * with SSE-S3 by default, keeps object versions (a deployment names the version it verified) and
 * denies requests without TLS. An existing bucket of exposed-keys' own name gets what of these it
 * lacks; one given with --bucket is left as it is (it may be the caller's own). It must be the caller's.
 */
export async function ensureArtifactBucket(
  deps: ArtifactBucketDeps,
  input: ArtifactBucketInput,
): Promise<{ bucket: string; created: boolean }> {
  const { s3 } = deps;
  const { bucket, region, owner } = input;
  if (await bucketExists(s3, input)) {
    if (input.ownName) {
      const { mendOwnBucket } = await import('./mend-bucket.js');
      // A caller who may not read the bucket's settings deploys as before: the bucket is used as it is, and said so.
      const mended = await mendOwnBucket(
        s3,
        { Bucket: bucket, ExpectedBucketOwner: owner },
        (input.tlsOnly ?? true) ? tlsOnlyBucketPolicy(bucket) : undefined,
      ).catch((error: unknown) => {
        deps.progress?.onStep?.(
          `Could not check the settings of the artifact bucket ${bucket} (${error instanceof Error ? error.message : String(error)}): it is used as it is`,
        );
        return { mended: [], kept: [] };
      });
      if (mended.mended.length > 0)
        deps.progress?.onStep?.(`Artifact bucket ${bucket} lacked, and now has: ${mended.mended.join(', ')}`);
      if (mended.kept.length > 0)
        deps.progress?.onStep?.(
          `Artifact bucket ${bucket} keeps what someone set, which a bucket deploy makes would not have: ${mended.kept.join('; ')}. Review it (aws s3api get-bucket-policy --bucket ${bucket}), or deploy with --bucket to a bucket of your own`,
        );
    }
    return { bucket, created: false };
  }

  deps.progress?.onStep?.(`Creating artifact bucket ${bucket}`);
  try {
    // CreateBucket alone takes no expected owner: a bucket of this name elsewhere makes it fail.
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
  const target = { Bucket: bucket, ExpectedBucketOwner: owner };
  await send('PutPublicAccessBlock', () => s3.send(blockPublicAccess(target)));
  await send('PutBucketOwnershipControls', () => s3.send(enforceOwnership(target)));
  await send('PutBucketEncryption', () =>
    s3.send(
      new PutBucketEncryptionCommand({
        ...target,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    ),
  );
  await send('PutBucketVersioning', () => s3.send(enableVersioning(target)));
  if (input.tlsOnly ?? true)
    await send('PutBucketPolicy', () =>
      s3.send(new PutBucketPolicyCommand({ ...target, Policy: tlsOnlyBucketPolicy(bucket) })),
    );
  else deps.progress?.onStep?.(`S3 is reached over plain HTTP: ${bucket} gets no TLS-only bucket policy`);
  return { bucket, created: true };
}

/** Where the artifact is, and whether this call uploaded it. */
export interface UploadedArtifact {
  bucket: string;
  key: string;
  /** The object version verified or uploaded; absent in a bucket without versioning. */
  versionId: string | undefined;
  /**
   * `unchanged` when the object at the key already held these bytes (S3's SHA-256 says so),
   * `replaced` when it held other bytes, or none S3 could vouch for, and was uploaded again.
   */
  status: 'uploaded' | 'unchanged' | 'replaced';
}

/** The artifact's SHA-256 as S3 reports checksums: base64 of the digest. */
function s3Checksum(sha256: string): string {
  return Buffer.from(sha256, 'hex').toString('base64');
}

/** The object at `target` as S3 describes it, with its checksum; undefined when there is none. */
export async function existingObject(
  s3: S3Api,
  target: { Bucket: string; Key: string; ExpectedBucketOwner: string },
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ ...target, ChecksumMode: 'ENABLED' }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toAwsCallError('s3:HeadObject', error);
  }
}

/** What {@link writeUnlessHeld} did: the version now at the key, and whether it wrote there. */
export type HeldObject = Pick<UploadedArtifact, 'versionId' | 'status'>;

/**
 * Writes an object at `target` unless the object there already holds the same bytes: its SHA-256
 * checksum, which S3 computed or verified when the object was written, must be `sha256`'s. An
 * object with another checksum, or with none (S3 cannot vouch for its bytes), is replaced: the key
 * is only a name, and anyone who may write to the bucket could have put something else there. The
 * write sends the SHA-256, so S3 refuses bytes altered on the way, and is encrypted (SSE-S3).
 * `announce` is told before a write, with the object found there if any, and whether that object
 * holds these very bytes (written again for a version only); `bytes` is read only then.
 *
 * @throws AwsCallError when S3 refuses.
 */
export async function writeUnlessHeld(
  deps: ArtifactBucketDeps,
  target: { Bucket: string; Key: string; ExpectedBucketOwner: string },
  object: { sha256: string; contentType: string; bytes: () => Promise<Uint8Array> },
  announce: (existing: HeadObjectCommandOutput | undefined, sameBytes: boolean) => void,
): Promise<HeldObject> {
  const expected = s3Checksum(object.sha256);
  const existing = await existingObject(deps.s3, target);
  // A multipart object's checksum is of its parts ("…-3", COMPOSITE): it cannot vouch for the whole.
  const sameBytes = existing?.ChecksumSHA256 === expected && existing.ChecksumType !== 'COMPOSITE';
  // One written while versioning was off ("null") is written again, to get a version if it is on now.
  if (sameBytes && existing?.VersionId !== 'null') return { versionId: existing?.VersionId, status: 'unchanged' };
  announce(existing, sameBytes);
  const body = await object.bytes();
  const put = await send('PutObject', () =>
    deps.s3.send(
      new PutObjectCommand({
        ...target,
        Body: body,
        ContentType: object.contentType,
        ServerSideEncryption: 'AES256',
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: expected,
      }),
    ),
  );
  return { versionId: pinnable(put?.VersionId), status: existing ? 'replaced' : 'uploaded' };
}

/**
 * A version id that pins an object: S3 answers "null" for an object written while versioning was
 * off or suspended, and the next write at the key replaces that very version.
 */
function pinnable(versionId: string | undefined): string | undefined {
  return versionId === 'null' ? undefined : versionId;
}

/**
 * Uploads the artifact to `lambda/<sha256>.zip` in the bucket, unless the object there already holds
 * the same bytes (see {@link writeUnlessHeld}).
 */
export async function uploadArtifact(
  deps: ArtifactBucketDeps,
  input: OwnedBucket & { artifact: Pick<Artifact, 'zipPath' | 'sha256'> },
): Promise<UploadedArtifact> {
  const { bucket, owner, artifact } = input;
  const key = artifactKey(artifact.sha256);
  const written = await writeUnlessHeld(
    deps,
    { Bucket: bucket, Key: key, ExpectedBucketOwner: owner },
    { sha256: artifact.sha256, contentType: 'application/zip', bytes: () => readFile(artifact.zipPath) },
    (existing, sameBytes) =>
      deps.progress?.onStep?.(
        !existing
          ? `Uploading s3://${bucket}/${key}`
          : sameBytes
            ? `s3://${bucket}/${key} holds this artifact at no version (written while versioning was off): uploading it again, to pin it`
            : `s3://${bucket}/${key} does not hold this artifact (${existing.ChecksumSHA256 ? `SHA-256 ${existing.ChecksumSHA256}` : 'S3 has no SHA-256 of it'}): uploading it again`,
      ),
  );
  return { bucket, key, ...written };
}
