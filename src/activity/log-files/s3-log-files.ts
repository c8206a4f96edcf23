import type { ListObjectsV2Command, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { S3Api } from '../../aws/narrow-clients.js';
import { InvalidInputError } from '../../errors.js';
import type { TimeWindow } from '../activity-summary.js';
import { layoutFolders, layoutLevel } from './layout-folders.js';
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

/** What the listing of one part of a prefix needs. */
interface Lister {
  s3: S3Api;
  bucket: string;
  command: typeof ListObjectsV2Command;
  /** The date folders to list in each region folder; null to list every folder whole. */
  dateFolders: string[] | null;
}

/**
 * Every object under the prefix, listed a page at a time as reading goes on. Folder placeholders
 * (keys ending in `/`) are left out. Given a window, a prefix that ends in `/` is looked into one
 * folder at a time down to the region folders of the CloudTrail layout, and of those only the date
 * folders that can hold the window's deliveries are listed (see layout-folders.ts); other folders
 * are listed whole.
 *
 * @throws InvalidInputError when there is no such bucket; AwsCallError or CredentialsError when
 * the first page cannot be listed otherwise (nothing could be searched). A part whose listing
 * fails later is yielded as an unlisted part, and the listing goes on with the other parts.
 */
export async function* listS3Files(s3: S3Api, location: S3Location, window?: TimeWindow): AsyncGenerator<ListedEntry> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const { bucket, prefix } = location;
  const lister: Lister = {
    s3,
    bucket,
    command: ListObjectsV2Command,
    dateFolders: window ? layoutFolders(window) : null,
  };
  // Any folder given is looked into, not only the layout's: a trail's own key prefix comes before AWSLogs/.
  const byFolder = window !== undefined && (prefix === '' || prefix.endsWith('/'));
  if (byFolder && layoutLevel(prefix) === 'region') yield* listDates(lister, prefix, true);
  else yield* listPart(lister, prefix, { byFolder, first: true });
}

async function* listDates(lister: Lister, regionFolder: string, first: boolean): AsyncGenerator<ListedEntry> {
  if (!lister.dateFolders) return yield* listPart(lister, regionFolder, { byFolder: false, first });
  for (const [index, folder] of lister.dateFolders.entries())
    yield* listPart(lister, `${regionFolder}${folder}`, { byFolder: false, first: first && index === 0 });
}

/** Lists a part of the bucket: with `byFolder`, its own objects, then each of its folders as its layout level says. */
async function* listPart(
  lister: Lister,
  prefix: string,
  { byFolder, first }: { byFolder: boolean; first: boolean },
): AsyncGenerator<ListedEntry> {
  const { s3, bucket } = lister;
  const folders: string[] = [];
  let continuationToken: string | undefined;
  let listed = 0;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await s3.send(
        new lister.command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: byFolder ? '/' : undefined,
          ContinuationToken: continuationToken,
        }),
      );
    } catch (error) {
      const firstPage = first && continuationToken === undefined;
      // A bucket that does not exist is a location given wrong, as a folder that does not exist is.
      if (firstPage && isAwsError(error, 'NoSuchBucket'))
        throw new InvalidInputError('location', `There is no bucket named ${bucket} (s3://${bucket}/${prefix}).`, {
          cause: error,
          hint: "Give the bucket the trail delivers to (the trail's S3 bucket in the CloudTrail console), as s3://bucket/prefix.",
        });
      const failure = toAwsCallError('s3:ListObjectsV2', error);
      if (firstPage) throw failure;
      yield {
        path: `s3://${bucket}/${prefix}`,
        listingError: new Error(`listing stopped after ${listed} objects: ${failure.message}`, { cause: failure }),
      };
      break;
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key || key.endsWith('/')) continue;
      listed += 1;
      yield { path: `s3://${bucket}/${key}`, open: () => s3ObjectChunks(s3, bucket, key) };
    }
    for (const folder of page.CommonPrefixes ?? []) if (folder.Prefix) folders.push(folder.Prefix);
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  for (const folder of folders) {
    const level = layoutLevel(folder);
    if (level === 'region') yield* listDates(lister, folder, false);
    else yield* listPart(lister, folder, { byFolder: level === 'above-region', first: false });
  }
}
