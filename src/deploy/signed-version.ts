import { ListObjectVersionsCommand, type ListObjectVersionsCommandOutput } from '@aws-sdk/client-s3';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { S3Api } from '../aws/narrow-clients.js';
import type { OwnedBucket } from './artifact-bucket.js';

/** S3 keeps LastModified to the second; a signing job's end may be read to the millisecond. */
const CLOCK_SLACK_MS = 1_000;

/** The version AWS Signer wrote, or why the key cannot vouch for one. */
export type SignersVersion = { versionId: string } | { why: string };

/**
 * The version AWS Signer wrote at `key`, when nothing else has been written there: the key holds
 * that one version only, no delete marker, written no later than the job ended. Lambda takes any
 * code the profile ever signed, so a version written after the job (an older signed release copied
 * over it) must not be deployed, nor a key whose first version was deleted. Otherwise, why the key
 * cannot vouch for it.
 *
 * @throws AwsCallError when S3 refuses to list the versions.
 */
export async function signersVersion(
  s3: S3Api,
  { bucket, owner }: OwnedBucket,
  key: string,
  jobEndedAt: Date | undefined,
): Promise<SignersVersion> {
  let listed: ListObjectVersionsCommandOutput;
  try {
    listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ExpectedBucketOwner: owner }));
  } catch (error) {
    throw toAwsCallError('s3:ListObjectVersions', error);
  }
  const versions = (listed.Versions ?? []).filter((version) => version.Key === key);
  const markers = (listed.DeleteMarkers ?? []).filter((marker) => marker.Key === key);
  const [only] = versions;
  if (markers.length > 0) return { why: 'a version of it was deleted' };
  if (!only) return { why: 'it holds no version' };
  if (versions.length > 1) return { why: `it holds ${versions.length} versions: it was written over` };
  // "null": written while versioning was off or suspended, and any later write replaces that very version.
  if (!only.VersionId || only.VersionId === 'null') return { why: 'its one version has no id that pins it' };
  const written = only.LastModified?.getTime();
  if (jobEndedAt && (written === undefined || written > jobEndedAt.getTime() + CLOCK_SLACK_MS))
    return { why: 'its one version was written after the signing job ended' };
  return { versionId: only.VersionId };
}
