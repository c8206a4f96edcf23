import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  NotFound,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  artifactBucketName,
  artifactKey,
  ensureArtifactBucket,
  uploadArtifact,
} from '../../../src/deploy/artifact-bucket.js';
import { deleteArtifactBucket } from '../../../src/deploy/delete-bucket.js';
import { AwsCallError } from '../../../src/errors.js';

const BUCKET = artifactBucketName('123456789012', 'us-east-1');
const SHA256 = 'ab'.repeat(32);
const s3Mock = mockClient(S3Client);
let scratch: string;
let zipPath: string;

function notFound(): NotFound {
  return new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
}

function deps() {
  return { s3: new S3Client({ region: 'us-east-1' }) };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'exposed-keys-bucket-'));
  zipPath = join(scratch, 'artifact.zip');
  await writeFile(zipPath, Buffer.from('zip bytes'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  s3Mock.reset();
});

describe('artifactBucketName and artifactKey', () => {
  it('derive the bucket from account and region, and the key from the content hash', () => {
    expect(BUCKET).toBe('exposed-keys-artifacts-123456789012-us-east-1');
    expect(artifactKey(SHA256)).toBe(`lambda/${SHA256}.zip`);
  });
});

describe('ensureArtifactBucket', () => {
  it('creates a missing bucket with SSE-S3 default encryption and every public access blocked', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());

    const result = await ensureArtifactBucket(deps(), { bucket: BUCKET, region: 'us-east-1' });

    expect(result).toEqual({ bucket: BUCKET, created: true });
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, { Bucket: BUCKET });
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]?.args[0].input.CreateBucketConfiguration).toBeUndefined();
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketEncryptionCommand, {
      Bucket: BUCKET,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: BUCKET,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('names the location of a bucket outside us-east-1', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());

    await ensureArtifactBucket(deps(), { bucket: 'elsewhere', region: 'eu-west-1' });

    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, {
      Bucket: 'elsewhere',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
  });

  it('reuses an existing bucket as it is', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});

    const result = await ensureArtifactBucket(deps(), { bucket: BUCKET, region: 'us-east-1' });

    expect(result.created).toBe(false);
    expect(s3Mock).not.toHaveReceivedCommand(CreateBucketCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('says when the bucket name belongs to another account', async () => {
    s3Mock.on(HeadBucketCommand).rejects(
      new S3ServiceException({
        name: 'Forbidden',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: '',
      }),
    );

    const failure = ensureArtifactBucket(deps(), { bucket: BUCKET, region: 'us-east-1' });

    await expect(failure).rejects.toBeInstanceOf(AwsCallError);
    await expect(failure).rejects.toMatchObject({ hint: expect.stringMatching(/--bucket/) });
  });
});

describe('uploadArtifact', () => {
  it('uploads the zip under its content hash, encrypted', async () => {
    s3Mock.on(HeadObjectCommand).rejects(notFound());
    s3Mock.on(PutObjectCommand).resolves({});

    const result = await uploadArtifact(deps(), { bucket: BUCKET, artifact: { zipPath, sha256: SHA256 } });

    expect(result).toEqual({ bucket: BUCKET, key: `lambda/${SHA256}.zip`, status: 'uploaded' });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: `lambda/${SHA256}.zip`,
      ContentType: 'application/zip',
      ServerSideEncryption: 'AES256',
      ChecksumSHA256: Buffer.from(SHA256, 'hex').toString('base64'),
    });
    const body = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Buffer;
    expect(body.toString()).toBe('zip bytes');
  });

  it('does not upload again when an object with the same hash is there', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 9 });

    const result = await uploadArtifact(deps(), { bucket: BUCKET, artifact: { zipPath, sha256: SHA256 } });

    expect(result.status).toBe('unchanged');
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: `lambda/${SHA256}.zip` });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('deleteArtifactBucket', () => {
  it('deletes every object version, page by page, then the bucket', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock
      .on(ListObjectVersionsCommand)
      .resolvesOnce({
        Versions: [{ Key: 'lambda/a.zip', VersionId: 'a1' }],
        IsTruncated: true,
        NextKeyMarker: 'lambda/a.zip',
        NextVersionIdMarker: 'a1',
      })
      .resolvesOnce({
        Versions: [{ Key: 'lambda/b.zip', VersionId: 'null' }],
        DeleteMarkers: [{ Key: 'x', VersionId: 'm' }],
      });
    s3Mock.on(DeleteObjectsCommand).resolves({});
    s3Mock.on(DeleteBucketCommand).resolves({});

    const result = await deleteArtifactBucket(deps(), BUCKET);

    expect(result).toEqual({ bucket: BUCKET, status: 'deleted', objectsDeleted: 3 });
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectVersionsCommand, {
      KeyMarker: 'lambda/a.zip',
      VersionIdMarker: 'a1',
    });
    expect(s3Mock).toHaveReceivedNthCommandWith(DeleteObjectsCommand, 2, {
      Bucket: BUCKET,
      Delete: {
        Objects: [
          { Key: 'lambda/b.zip', VersionId: 'null' },
          { Key: 'x', VersionId: 'm' },
        ],
        Quiet: true,
      },
    });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketCommand, { Bucket: BUCKET });
  });

  it('stops, naming the object, when S3 refuses to delete one', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'locked', VersionId: 'v' }] });
    s3Mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'locked', Code: 'AccessDenied', Message: 'Denied' }] });

    await expect(deleteArtifactBucket(deps(), BUCKET)).rejects.toThrow(/locked/);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketCommand);
  });

  it('reports a bucket that is not there as absent', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());

    const result = await deleteArtifactBucket(deps(), BUCKET);

    expect(result.status).toBe('absent');
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketCommand);
  });
});
