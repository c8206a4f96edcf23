import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
} from '@aws-sdk/client-s3';
import { toAwsCallError } from '../aws/aws-errors.js';
import { AwsCallError } from '../errors.js';
import { type ArtifactBucketDeps, isNotFound, type OwnedBucket } from './artifact-bucket.js';

/** What became of a bucket asked to be deleted. */
export interface DeletedBucket {
  bucket: string;
  /** `absent` when there was no such bucket. */
  status: 'deleted' | 'absent';
  /** Object versions and delete markers removed to empty it. */
  objectsDeleted: number;
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(`s3:${operation}`, error);
  }
}

/**
 * Empties the bucket (every object version and delete marker, as S3 refuses to delete a bucket that
 * holds any) and deletes it. Meant for the artifact bucket; it deletes whatever the bucket holds,
 * and only when the bucket is the owner's: every call names the owner.
 */
export async function deleteArtifactBucket(
  deps: ArtifactBucketDeps,
  { bucket, owner }: OwnedBucket,
): Promise<DeletedBucket> {
  const target = { Bucket: bucket, ExpectedBucketOwner: owner };
  try {
    await deps.s3.send(new HeadBucketCommand(target));
  } catch (error) {
    if (isNotFound(error)) return { bucket, status: 'absent', objectsDeleted: 0 };
    throw toAwsCallError('s3:HeadBucket', error);
  }
  deps.progress?.onStep?.(`Emptying bucket ${bucket}`);
  let objectsDeleted = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await send('ListObjectVersions', () =>
      deps.s3.send(
        new ListObjectVersionsCommand({ ...target, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
      ),
    );
    const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((entry) => entry.Key !== undefined)
      .map((entry) => ({ Key: entry.Key as string, ...(entry.VersionId ? { VersionId: entry.VersionId } : {}) }));
    // A page holds at most 1,000 entries, the most DeleteObjects takes at once.
    if (objects.length > 0) {
      const answer = await send('DeleteObjects', () =>
        deps.s3.send(new DeleteObjectsCommand({ ...target, Delete: { Objects: objects, Quiet: true } })),
      );
      const failed = answer.Errors?.[0];
      if (failed)
        throw new AwsCallError(
          's3:DeleteObjects',
          failed.Code ?? 'UnknownError',
          `${failed.Key}: ${failed.Message ?? ''}`,
        );
      objectsDeleted += objects.length;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  deps.progress?.onStep?.(`Deleting bucket ${bucket}`);
  await send('DeleteBucket', () => deps.s3.send(new DeleteBucketCommand(target)));
  return { bucket, status: 'deleted', objectsDeleted };
}
