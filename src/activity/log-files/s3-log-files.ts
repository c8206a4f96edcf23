import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { S3Api } from '../../aws/narrow-clients.js';
import { InvalidInputError } from '../../errors.js';
import type { ListedEntry } from './log-file-ref.js';

/** A bucket and a key prefix, from an `s3://bucket/prefix` location. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** The bucket and prefix of `s3://bucket[/prefix]`, or null when `location` is not an S3 URL. */
export function parseS3Location(location: string): S3Location | null {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(location);
  if (!match) return null;
  return { bucket: match[1] as string, prefix: match[2] as string };
}

/** The bytes of an S3 object, as the GetObject body streams them. */
export async function* s3ObjectChunks(s3: S3Api, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  // Loaded on first use, so that reading a local folder does not load the S3 client.
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  let body: unknown;
  try {
    body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
  } catch (error) {
    throw toAwsCallError('s3:GetObject', error);
  }
  if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body))
    throw new TypeError('s3:GetObject returned no readable body');
  yield* body as AsyncIterable<Uint8Array>;
}

/**
 * Every object under the prefix, listed a page at a time as reading goes on. Folder placeholders
 * (keys ending in `/`) are left out.
 *
 * @throws InvalidInputError when there is no such bucket; AwsCallError or CredentialsError when
 * the first page cannot be listed otherwise (nothing could be searched). A later page that fails
 * is yielded as an unlisted part and ends the listing.
 */
export async function* listS3Files(s3: S3Api, location: S3Location): AsyncGenerator<ListedEntry> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const { bucket, prefix } = location;
  let continuationToken: string | undefined;
  let listed = 0;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
    } catch (error) {
      // A bucket that does not exist is a location given wrong, as a folder that does not exist is.
      if (continuationToken === undefined && isAwsError(error, 'NoSuchBucket'))
        throw new InvalidInputError('location', `There is no bucket named ${bucket} (s3://${bucket}/${prefix}).`, {
          cause: error,
          hint: "Give the bucket the trail delivers to (the trail's S3 bucket in the CloudTrail console), as s3://bucket/prefix.",
        });
      const failure = toAwsCallError('s3:ListObjectsV2', error);
      if (continuationToken === undefined) throw failure;
      yield {
        path: `s3://${bucket}/${prefix}`,
        listingError: new Error(`listing stopped after ${listed} objects: ${failure.message}`, { cause: failure }),
      };
      return;
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key || key.endsWith('/')) continue;
      listed += 1;
      yield { path: `s3://${bucket}/${key}`, open: () => s3ObjectChunks(s3, bucket, key) };
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
}
