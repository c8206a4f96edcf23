import { createHash } from 'node:crypto';
import { type ArtifactBucketDeps, existingObject, type OwnedBucket, writeUnlessHeld } from './artifact-bucket.js';
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

/** The template as written to the bucket: where CloudFormation reads it, and what it must still be. */
export interface TemplateObject {
  url: string;
  bucket: string;
  key: string;
  /** Base64 of its SHA-256, as S3 reports checksums. */
  checksum: string;
  /** Its version, when the bucket keeps versions (as the artifact bucket exposed-keys makes does). */
  versionId?: string;
}

/**
 * The compact template body in the artifact bucket for CloudFormation, once it is over what
 * CloudFormation takes inline (51,200 bytes): written as the Lambda artifact is, with its SHA-256
 * for S3 to check, encrypted, refused by S3 if the bucket is another account's, unless the object
 * there holds it already (by S3's checksum). Null when the body fits inline.
 *
 * @throws AwsCallError when S3 refuses the upload.
 */
export async function templateObjectIfTooLarge(
  deps: ArtifactBucketDeps,
  input: OwnedBucket & { region: string; body: string },
): Promise<TemplateObject | null> {
  const bytes = Buffer.from(input.body, 'utf8');
  if (bytes.length <= MAX_TEMPLATE_BODY_BYTES) return null;
  const digest = createHash('sha256').update(bytes).digest();
  const key = templateKey(digest.toString('hex'));
  const checksum = digest.toString('base64');
  const { versionId } = await writeUnlessHeld(
    deps,
    { Bucket: input.bucket, Key: key, ExpectedBucketOwner: input.owner },
    { sha256: digest.toString('hex'), contentType: 'application/json', bytes: async () => bytes },
    () =>
      deps.progress?.onStep?.(
        `Uploading the stack template (${bytes.length.toLocaleString('en')} bytes) to s3://${input.bucket}/${key}`,
      ),
  );
  return {
    url: templateUrl(input.bucket, input.region, key),
    bucket: input.bucket,
    key,
    checksum,
    ...(versionId ? { versionId } : {}),
  };
}

/**
 * Why the template object is no longer the one written (another object written at its key since,
 * which CloudFormation may have read instead), or null when it still is: the same checksum, and
 * the same version where the bucket keeps versions.
 *
 * @throws AwsCallError when S3 cannot say.
 */
export async function templateObjectChanged(
  deps: ArtifactBucketDeps,
  object: TemplateObject,
  owner: string,
): Promise<string | null> {
  const head = await existingObject(deps.s3, { Bucket: object.bucket, Key: object.key, ExpectedBucketOwner: owner });
  if (!head) return `s3://${object.bucket}/${object.key} is gone`;
  if (head.ChecksumSHA256 !== object.checksum)
    return `s3://${object.bucket}/${object.key} no longer holds the template written (SHA-256 ${head.ChecksumSHA256 ?? 'unknown'})`;
  if (object.versionId && head.VersionId !== object.versionId)
    return `s3://${object.bucket}/${object.key} was written again while CloudFormation read it (version ${head.VersionId ?? 'unknown'}, not ${object.versionId})`;
  return null;
}
