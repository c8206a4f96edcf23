import { createHash } from 'node:crypto';
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
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
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
  tlsOnlyBucketPolicy,
  uploadArtifact,
} from '../../../src/deploy/artifact-bucket.js';
import { deleteArtifactBucket } from '../../../src/deploy/delete-bucket.js';
import { AwsCallError } from '../../../src/errors.js';

const OWNER = '123456789012';
const BUCKET = artifactBucketName(OWNER, 'us-east-1');
const ZIP = Buffer.from('zip bytes');
const SHA256 = createHash('sha256').update(ZIP).digest('hex');
const CHECKSUM = Buffer.from(SHA256, 'hex').toString('base64');
const KEY = `lambda/${SHA256}.zip`;
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
  await writeFile(zipPath, ZIP);
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
  it('creates a missing bucket private, owner-enforced, encrypted, versioned and reachable only over TLS', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());

    const result = await ensureArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER, region: 'us-east-1' });

    expect(result).toEqual({ bucket: BUCKET, created: true });
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, { Bucket: BUCKET });
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]?.args[0].input.CreateBucketConfiguration).toBeUndefined();
    const target = { Bucket: BUCKET, ExpectedBucketOwner: OWNER };
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      ...target,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketOwnershipControlsCommand, {
      ...target,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketEncryptionCommand, {
      ...target,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketVersioningCommand, {
      ...target,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketPolicyCommand, {
      ...target,
      Policy: tlsOnlyBucketPolicy(BUCKET),
    });
  });

  it('gives no TLS-only policy to a bucket reached over plain HTTP, which would refuse the deploy itself', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());
    const steps: string[] = [];

    await ensureArtifactBucket(
      { ...deps(), progress: { onStep: (step) => steps.push(step) } },
      { bucket: BUCKET, owner: OWNER, region: 'us-east-1', tlsOnly: false },
    );

    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3Mock).toHaveReceivedCommand(PutBucketVersioningCommand);
    expect(steps).toContain(`S3 is reached over plain HTTP: ${BUCKET} gets no TLS-only bucket policy`);
  });

  it('names the location of a bucket outside us-east-1', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());

    await ensureArtifactBucket(deps(), { bucket: 'elsewhere', owner: OWNER, region: 'eu-west-1' });

    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, {
      Bucket: 'elsewhere',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
  });

  it('reuses an existing bucket as it is', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});

    const result = await ensureArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER, region: 'us-east-1' });

    expect(result.created).toBe(false);
    expect(s3Mock).toHaveReceivedCommandWith(HeadBucketCommand, { Bucket: BUCKET, ExpectedBucketOwner: OWNER });
    expect(s3Mock).not.toHaveReceivedCommand(CreateBucketCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('says when the bucket name belongs to another account, or the caller may not read its own', async () => {
    s3Mock.on(HeadBucketCommand).rejects(
      new S3ServiceException({
        name: 'Forbidden',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: '',
      }),
    );

    const failure = ensureArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER, region: 'us-east-1' });

    await expect(failure).rejects.toBeInstanceOf(AwsCallError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining('is not yours, or you may not read it (s3:ListBucket)'),
      hint: expect.stringMatching(/allow s3:ListBucket on it; .*--bucket/),
    });
  });
});

describe('uploadArtifact', () => {
  const input = () => ({ bucket: BUCKET, owner: OWNER, artifact: { zipPath, sha256: SHA256 } });

  it('uploads the zip under its content hash, encrypted, with its SHA-256 for S3 to check', async () => {
    s3Mock.on(HeadObjectCommand).rejects(notFound());
    s3Mock.on(PutObjectCommand).resolves({ VersionId: 'v1' });

    const result = await uploadArtifact(deps(), input());

    expect(result).toEqual({ bucket: BUCKET, key: KEY, versionId: 'v1', status: 'uploaded' });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: KEY,
      ExpectedBucketOwner: OWNER,
      ContentType: 'application/zip',
      ServerSideEncryption: 'AES256',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: CHECKSUM,
    });
    const body = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Buffer;
    expect(body.toString()).toBe('zip bytes');
  });

  it('writes again an artifact held at version "null", so that it gets a version once versioning is on', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: CHECKSUM, ChecksumType: 'FULL_OBJECT', VersionId: 'null' });
    s3Mock.on(PutObjectCommand).resolves({ VersionId: 'v9' });
    const steps: string[] = [];

    const pinned = await uploadArtifact({ ...deps(), progress: { onStep: (step) => steps.push(step) } }, input());

    expect(pinned).toMatchObject({ versionId: 'v9', status: 'replaced' });
    expect(steps).toEqual([
      expect.stringMatching(/holds this artifact at no version .*: uploading it again, to pin it$/),
    ]);
    // Versioning still off or suspended: S3 answers "null" again, which pins nothing.
    s3Mock.on(PutObjectCommand).resolves({ VersionId: 'null' });
    expect(await uploadArtifact(deps(), input())).toMatchObject({ versionId: undefined, status: 'replaced' });
  });

  it('keeps the object at the key when S3 vouches that it holds the same bytes', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: CHECKSUM, ChecksumType: 'FULL_OBJECT', VersionId: 'v7' });

    const result = await uploadArtifact(deps(), input());

    expect(result).toEqual({ bucket: BUCKET, key: KEY, versionId: 'v7', status: 'unchanged' });
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, {
      Bucket: BUCKET,
      Key: KEY,
      ExpectedBucketOwner: OWNER,
      ChecksumMode: 'ENABLED',
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it.each([
    ['other bytes', { ChecksumSHA256: Buffer.alloc(32, 1).toString('base64') }],
    ['no SHA-256 checksum at all', { ChecksumCRC32: 'NhCmhg==' }],
    ['a checksum of its parts only', { ChecksumSHA256: CHECKSUM, ChecksumType: 'COMPOSITE' as const }],
  ])('replaces an object at the key that holds %s', async (_, head) => {
    s3Mock.on(HeadObjectCommand).resolves(head);
    s3Mock.on(PutObjectCommand).resolves({ VersionId: 'v8' });
    const steps: string[] = [];

    const result = await uploadArtifact({ ...deps(), progress: { onStep: (step) => steps.push(step) } }, input());

    expect(result).toEqual({ bucket: BUCKET, key: KEY, versionId: 'v8', status: 'replaced' });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: KEY, ChecksumSHA256: CHECKSUM });
    expect(steps.at(-1)).toMatch(/does not hold this artifact .*: uploading it again$/);
  });

  it('says which call failed when S3 refuses to describe the object', async () => {
    s3Mock.on(HeadObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: '',
      }),
    );

    await expect(uploadArtifact(deps(), input())).rejects.toMatchObject({ operation: 's3:HeadObject' });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('every S3 call on the artifact bucket', () => {
  it('names the account that must own the bucket, except CreateBucket, which cannot', async () => {
    s3Mock.on(HeadBucketCommand).rejectsOnce(notFound()).resolves({});
    s3Mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'other' });
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: KEY, VersionId: 'v1' }] });
    s3Mock.on(DeleteObjectsCommand).resolves({});

    await ensureArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER, region: 'us-east-1' });
    await uploadArtifact(deps(), { bucket: BUCKET, owner: OWNER, artifact: { zipPath, sha256: SHA256 } });
    await deleteArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER });

    const calls = s3Mock.calls().map((call) => call.args[0] as { constructor: { name: string }; input: object });
    expect(calls.map((command) => command.constructor.name)).toEqual([
      'HeadBucketCommand',
      'CreateBucketCommand',
      'PutPublicAccessBlockCommand',
      'PutBucketOwnershipControlsCommand',
      'PutBucketEncryptionCommand',
      'PutBucketVersioningCommand',
      'PutBucketPolicyCommand',
      'HeadObjectCommand',
      'PutObjectCommand',
      'HeadBucketCommand',
      // Read whole first, to decide whether the bucket is shared, then deleted.
      'ListObjectVersionsCommand',
      'ListObjectVersionsCommand',
      'DeleteObjectsCommand',
      'DeleteBucketCommand',
    ]);
    for (const command of calls.filter((each) => each.constructor.name !== 'CreateBucketCommand'))
      expect(command.input, command.constructor.name).toMatchObject({ Bucket: BUCKET, ExpectedBucketOwner: OWNER });
  });
});

describe('tlsOnlyBucketPolicy', () => {
  it('denies every request on the bucket and its objects that does not use TLS, from anyone', () => {
    expect(JSON.parse(tlsOnlyBucketPolicy(BUCKET))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyRequestsWithoutTls',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });
});

describe('deleteArtifactBucket', () => {
  it('deletes every object version, page by page, then the bucket', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});
    const first = {
      Versions: [
        { Key: 'lambda/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.zip', VersionId: 'a1' },
      ],
      IsTruncated: true,
      NextKeyMarker: 'lambda/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.zip',
      NextVersionIdMarker: 'a1',
    };
    const second = {
      Versions: [
        { Key: 'lambda/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.zip', VersionId: 'null' },
      ],
      DeleteMarkers: [
        {
          Key: 'signed/profile/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/x.zip',
          VersionId: 'm',
        },
        // The stack template a deploy sent by URL.
        { Key: 'templates/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.json', VersionId: 't' },
      ],
    };
    s3Mock
      .on(ListObjectVersionsCommand)
      .callsFake((input: { KeyMarker?: string }) => (input.KeyMarker ? second : first));
    s3Mock.on(DeleteObjectsCommand).resolves({});
    s3Mock.on(DeleteBucketCommand).resolves({});

    const result = await deleteArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER });

    expect(result).toEqual({ bucket: BUCKET, status: 'deleted', objectsDeleted: 4 });
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectVersionsCommand, {
      KeyMarker: 'lambda/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.zip',
      VersionIdMarker: 'a1',
    });
    expect(s3Mock).toHaveReceivedNthCommandWith(DeleteObjectsCommand, 2, {
      Bucket: BUCKET,
      Delete: {
        Objects: [
          { Key: 'lambda/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.zip', VersionId: 'null' },
          {
            Key: 'signed/profile/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/x.zip',
            VersionId: 'm',
          },
          { Key: 'templates/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.json', VersionId: 't' },
        ],
        Quiet: true,
      },
    });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketCommand, { Bucket: BUCKET });
  });

  it('keeps a bucket that holds anything else whole, deleting nothing in it: names like exposed-keys’ may be others’', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'lambda/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.zip', VersionId: 'a1' },
        { Key: 'incident-notes/report.pdf', VersionId: 'n1' },
        // Another team's function under lambda/, not an artifact of exposed-keys (lambda/<sha256>.zip).
        { Key: 'lambda/payments-handler.zip', VersionId: 'p1' },
        // Another team's template under templates/, not one exposed-keys wrote (templates/<sha256>.json).
        { Key: 'templates/network.yaml', VersionId: 'y1' },
        // Another tool's Athena results: exposed-keys writes there only with the Athena option.
        { Key: 'athena-results/finance/q-2026-11.csv', VersionId: 'r1' },
      ],
    });
    s3Mock.on(DeleteObjectsCommand).resolves({});

    const result = await deleteArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER });
    const withAthena = await deleteArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER }, { athenaResults: true });

    expect(result).toMatchObject({
      status: 'kept',
      objectsDeleted: 0,
      reason: expect.stringMatching(/4 object version.*nothing in it was deleted/),
    });
    expect(withAthena.reason).toMatch(/3 object version/);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectsCommand);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketCommand);
  });

  it('stops, naming the object, when S3 refuses to delete one', async () => {
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'lambda/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.zip', VersionId: 'v' },
      ],
    });
    s3Mock.on(DeleteObjectsCommand).resolves({
      Errors: [
        {
          Key: 'lambda/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.zip',
          Code: 'AccessDenied',
          Message: 'Denied',
        },
      ],
    });

    await expect(deleteArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER })).rejects.toThrow(
      /lambda\/c{64}\.zip: Denied/,
    );
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketCommand);
  });

  it('reports a bucket that is not there as absent', async () => {
    s3Mock.on(HeadBucketCommand).rejects(notFound());

    const result = await deleteArtifactBucket(deps(), { bucket: BUCKET, owner: OWNER });

    expect(result.status).toBe('absent');
    expect(s3Mock).not.toHaveReceivedCommand(DeleteBucketCommand);
  });
});
