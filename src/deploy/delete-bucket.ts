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
  /**
   * `absent` when there was no such bucket; `kept` when it holds what is not exposed-keys' to delete
   * (see `reason`); `failed` when a call failed part way (see `reason`: some objects may be gone).
   */
  status: 'deleted' | 'absent' | 'kept' | 'failed';
  /** Object versions and delete markers removed (none counted once it `failed`). */
  objectsDeleted: number;
  /** Why the bucket was kept, or what failed. */
  reason?: string;
}

/**
 * The keys exposed-keys writes in its artifact bucket, the only objects it deletes there: the
 * artifacts (`lambda/<sha256>.zip`), their signed copies (`signed/<profile>/<sha256>/…`), the stack
 * templates sent by URL (`templates/<sha256>.json`) and, when the stack had the Athena option, the
 * results of its workgroup (`athena-results/`).
 */
const OWN_KEYS = [/^lambda\/[0-9a-f]{64}\.zip$/, /^signed\/[\w.-]+\/[0-9a-f]{64}\//, /^templates\/[0-9a-f]{64}\.json$/];
const ATHENA_RESULTS = /^athena-results\//;
const OWN_PLACES = 'lambda/<sha256>.zip, signed/<profile>/<sha256>/, templates/<sha256>.json';

function isOwnObject(key: string, athenaResults: boolean): boolean {
  return OWN_KEYS.some((pattern) => pattern.test(key)) || (athenaResults && ATHENA_RESULTS.test(key));
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(`s3:${operation}`, error);
  }
}

/** Every object version and delete marker of a bucket, a page (at most 1,000) at a time. */
async function* versionPages(deps: ArtifactBucketDeps, target: { Bucket: string; ExpectedBucketOwner: string }) {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await send('ListObjectVersions', () =>
      deps.s3.send(
        new ListObjectVersionsCommand({ ...target, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
      ),
    );
    yield [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((entry) => entry.Key !== undefined)
      .map((entry) => ({ Key: entry.Key as string, ...(entry.VersionId ? { VersionId: entry.VersionId } : {}) }));
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
}

/**
 * Deletes the artifact bucket when it holds nothing but what exposed-keys wrote there (every
 * version and delete marker under its prefixes: the artifacts, their signed copies, the
 * templates, and Athena's results when the stack had the Athena option), those first. A bucket
 * that holds anything else is shared: it is kept whole, nothing in it deleted, and the result says
 * why; names that look like exposed-keys' in a bucket others write to may be theirs. Every call
 * names the owner, so that only the owner's bucket is touched.
 */
export async function deleteArtifactBucket(
  deps: ArtifactBucketDeps,
  { bucket, owner }: OwnedBucket,
  options: { athenaResults?: boolean } = {},
): Promise<DeletedBucket> {
  const target = { Bucket: bucket, ExpectedBucketOwner: owner };
  const athenaResults = options.athenaResults === true;
  try {
    await deps.s3.send(new HeadBucketCommand(target));
  } catch (error) {
    if (isNotFound(error)) return { bucket, status: 'absent', objectsDeleted: 0 };
    throw toAwsCallError('s3:HeadBucket', error);
  }
  // Decided before anything is deleted: a shared bucket loses nothing.
  let others = 0;
  for await (const entries of versionPages(deps, target))
    others += entries.filter((entry) => !isOwnObject(entry.Key, athenaResults)).length;
  if (others > 0)
    return {
      bucket,
      status: 'kept',
      objectsDeleted: 0,
      reason: `it holds ${others} object version(s) exposed-keys did not write (outside ${OWN_PLACES}${athenaResults ? ', athena-results/' : ''}), so nothing in it was deleted`,
    };
  deps.progress?.onStep?.(`Deleting exposed-keys' objects in bucket ${bucket}`);
  let objectsDeleted = 0;
  for await (const entries of versionPages(deps, target)) {
    const objects: ObjectIdentifier[] = entries.filter((entry) => isOwnObject(entry.Key, athenaResults));
    if (objects.length === 0) continue;
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
  deps.progress?.onStep?.(`Deleting bucket ${bucket}`);
  await send('DeleteBucket', () => deps.s3.send(new DeleteBucketCommand(target)));
  return { bucket, status: 'deleted', objectsDeleted };
}
