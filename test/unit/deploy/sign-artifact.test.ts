import { ListObjectsV2Command, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SigningError } from '../../../src/deploy/deploy-errors.js';
import { signArtifact, signingProfileOf } from '../../../src/deploy/sign-artifact.js';

const OWNER = '123456789012';
const BUCKET = 'exposed-keys-artifacts-123456789012-us-east-1';
const SHA256 = 'ab'.repeat(32);
const PROFILE = `arn:aws:signer:us-east-1:${OWNER}:/signing-profiles/exposed_keys`;
const PREFIX = `signed/exposed_keys/${SHA256}/`;
const s3Mock = mockClient(S3Client);
const signerMock = mockClient(SignerClient);

function deps() {
  return {
    s3: new S3Client({ region: 'us-east-1' }),
    signer: new SignerClient({ region: 'us-east-1' }),
    poll: { sleep: vi.fn(async () => {}), intervalMs: 1_000, timeoutMs: 5_000 },
  };
}

const input = {
  bucket: BUCKET,
  owner: OWNER,
  key: `lambda/${SHA256}.zip`,
  versionId: 'v1',
  sha256: SHA256,
  profileArn: PROFILE,
};

/** What S3 lists at a signed zip's key: AWS Signer's one version, unless others are given. */
function versionsAt(key: string, ...versions: { VersionId: string; LastModified: Date }[]) {
  s3Mock
    .on(ListObjectVersionsCommand, { Prefix: key })
    .resolves({ Versions: versions.map((v) => ({ Key: key, ...v })) });
}

const SIGNED_AT = new Date('2026-02-01T00:00:00Z');

beforeEach(() => {
  s3Mock.reset();
  signerMock.reset();
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
});

describe('signingProfileOf', () => {
  it('reads the name, the owner and the version of a profile ARN', () => {
    expect(signingProfileOf(PROFILE)).toEqual({ name: 'exposed_keys', owner: OWNER, version: undefined });
    expect(signingProfileOf(`${PROFILE}/AbCdE12345`)).toEqual({
      name: 'exposed_keys',
      owner: OWNER,
      version: 'AbCdE12345',
    });
    expect(() => signingProfileOf('exposed_keys')).toThrow(SigningError);
  });
});

describe('signArtifact', () => {
  it('signs the very version uploaded, into signed/<profile>/<sha256>/ of the bucket, and waits for the job', async () => {
    signerMock.on(StartSigningJobCommand).resolves({ jobId: 'job-1' });
    signerMock
      .on(DescribeSigningJobCommand)
      .resolvesOnce({ status: 'InProgress' })
      .resolves({
        status: 'Succeeded',
        completedAt: SIGNED_AT,
        signedObject: { s3: { bucketName: BUCKET, key: `${PREFIX}job-1.zip` } },
      });
    versionsAt(`${PREFIX}job-1.zip`, { VersionId: 's1', LastModified: SIGNED_AT });
    const d = deps();

    const signed = await signArtifact(d, input);

    expect(signed).toEqual({ key: `${PREFIX}job-1.zip`, versionId: 's1', status: 'signed' });
    expect(signerMock).toHaveReceivedCommandWith(StartSigningJobCommand, {
      source: { s3: { bucketName: BUCKET, key: input.key, version: 'v1' } },
      destination: { s3: { bucketName: BUCKET, prefix: PREFIX } },
      profileName: 'exposed_keys',
      profileOwner: OWNER,
    });
    expect(d.poll.sleep).toHaveBeenCalledTimes(1);
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectVersionsCommand, {
      Prefix: `${PREFIX}job-1.zip`,
      ExpectedBucketOwner: OWNER,
    });
  });

  /** The signing job an earlier deploy ran: this artifact, this profile, its zip at the key given. */
  const earlierJob = (key: string) => ({
    status: 'Succeeded' as const,
    profileName: 'exposed_keys',
    completedAt: SIGNED_AT,
    source: { s3: { bucketName: BUCKET, key: `lambda/${SHA256}.zip`, version: 'v1' } },
    signedObject: { s3: { bucketName: BUCKET, key } },
  });

  it('reuses the zip an earlier deploy signed with the same profile, the newest one, once its job shows it is this artifact', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: `${PREFIX}old.zip`, LastModified: new Date('2026-01-01') },
        { Key: `${PREFIX}job-new.zip`, LastModified: new Date('2026-02-01') },
      ],
    });
    versionsAt(`${PREFIX}job-new.zip`, { VersionId: 's2', LastModified: SIGNED_AT });
    signerMock.on(DescribeSigningJobCommand, { jobId: 'job-new' }).resolves(earlierJob(`${PREFIX}job-new.zip`));

    const signed = await signArtifact(deps(), input);

    expect(signed).toEqual({ key: `${PREFIX}job-new.zip`, versionId: 's2', status: 'reused' });
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: PREFIX,
      ExpectedBucketOwner: OWNER,
    });
    expect(signerMock).not.toHaveReceivedCommand(StartSigningJobCommand);
  });

  it('signs again rather than reuse a zip under the prefix that is other code the profile signed, or of no job it can see', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .resolves({ Contents: [{ Key: `${PREFIX}job-other.zip`, LastModified: new Date() }] });
    versionsAt(`${PREFIX}job-other.zip`, { VersionId: 's9', LastModified: SIGNED_AT });
    versionsAt(`${PREFIX}job-4.zip`, { VersionId: 's4', LastModified: new Date() });
    signerMock
      .on(DescribeSigningJobCommand, { jobId: 'job-other' })
      .resolves({
        ...earlierJob(`${PREFIX}job-other.zip`),
        source: { s3: { bucketName: BUCKET, key: 'other-code.zip', version: 'x' } },
      })
      .on(StartSigningJobCommand)
      .resolves({ jobId: 'job-4' })
      .on(DescribeSigningJobCommand, { jobId: 'job-4' })
      .resolves({ status: 'Succeeded', signedObject: { s3: { key: `${PREFIX}job-4.zip` } } });

    const signed = await signArtifact(deps(), input);

    expect(signed).toMatchObject({ key: `${PREFIX}job-4.zip`, status: 'signed' });
    expect(signerMock).toHaveReceivedCommandTimes(StartSigningJobCommand, 1);

    signerMock
      .on(DescribeSigningJobCommand, { jobId: 'job-other' })
      .rejects(Object.assign(new Error('no such job'), { name: 'ResourceNotFoundException' }));
    await expect(signArtifact(deps(), input)).resolves.toMatchObject({ status: 'signed' });

    // Its own zip, but the signature revoked: Lambda would refuse it.
    signerMock.on(DescribeSigningJobCommand, { jobId: 'job-other' }).resolves({
      ...earlierJob(`${PREFIX}job-other.zip`),
      revocationRecord: { reason: 'key leaked', revokedAt: new Date(), revokedBy: 'security' },
    });
    await expect(signArtifact(deps(), input)).resolves.toMatchObject({ status: 'signed' });

    // A failure to ask is the caller's to see, not a reason to sign again.
    signerMock
      .on(DescribeSigningJobCommand, { jobId: 'job-other' })
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(signArtifact(deps(), input)).rejects.toMatchObject({ operation: 'signer:DescribeSigningJob' });
  });

  it('says why when AWS Signer fails, or when the bucket keeps no versions to sign', async () => {
    signerMock.on(StartSigningJobCommand).resolves({ jobId: 'job-2' });
    signerMock.on(DescribeSigningJobCommand).resolves({ status: 'Failed', statusReason: 'Profile is revoked' });

    await expect(signArtifact(deps(), input)).rejects.toThrow(/job job-2.*Profile is revoked/);
    await expect(signArtifact(deps(), { ...input, versionId: undefined })).rejects.toBeInstanceOf(SigningError);
  });

  it('stops waiting for a job that does not end', async () => {
    signerMock.on(StartSigningJobCommand).resolves({ jobId: 'job-3' });
    signerMock.on(DescribeSigningJobCommand).resolves({ status: 'InProgress' });

    await expect(signArtifact(deps(), input)).rejects.toThrow(/job-3 has not ended/);
  });

  it('does not deploy a version written over the signed zip after its job, reused or just signed', async () => {
    const earlier = `${PREFIX}job-1.zip`;
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: earlier, LastModified: SIGNED_AT }] });
    signerMock.on(DescribeSigningJobCommand, { jobId: 'job-1' }).resolves(earlierJob(earlier));
    // An older signed release copied over the key: Lambda would take it, the profile having signed it.
    versionsAt(
      earlier,
      { VersionId: 's-copied', LastModified: new Date('2026-03-01T00:00:00Z') },
      { VersionId: 's-signer', LastModified: SIGNED_AT },
    );
    signerMock
      .on(StartSigningJobCommand)
      .resolves({ jobId: 'job-2' })
      .on(DescribeSigningJobCommand, { jobId: 'job-2' })
      .resolves({ status: 'Succeeded', completedAt: SIGNED_AT, signedObject: { s3: { key: `${PREFIX}job-2.zip` } } });
    versionsAt(`${PREFIX}job-2.zip`, { VersionId: 's-new', LastModified: SIGNED_AT });
    const d = { ...deps(), progress: { onStep: vi.fn() } };

    const signed = await signArtifact(d, input);

    expect(signed).toEqual({ key: `${PREFIX}job-2.zip`, versionId: 's-new', status: 'signed' });
    expect(d.progress.onStep).toHaveBeenCalledWith(
      expect.stringMatching(/cannot show the version AWS Signer wrote \(it holds 2 versions: it was written over\)/),
    );

    // The only version there, written after the job ended (the signer's deleted, another put): not the signed zip.
    versionsAt(earlier, { VersionId: 's-late', LastModified: new Date('2026-03-01T00:00:00Z') });
    versionsAt(`${PREFIX}job-2.zip`, { VersionId: 's-late', LastModified: new Date('2026-03-01T00:00:00Z') });
    await expect(signArtifact(deps(), input)).rejects.toThrow(
      /job-2\.zip cannot show the version AWS Signer wrote \(job job-2: its one version was written after the signing job ended\)/,
    );
  });

  it('says a signed zip at no version id (versioning suspended since) cannot be pinned, not that it was written over', async () => {
    const earlier = `${PREFIX}job-1.zip`;
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: earlier, LastModified: SIGNED_AT }] });
    signerMock.on(DescribeSigningJobCommand, { jobId: 'job-1' }).resolves(earlierJob(earlier));
    versionsAt(earlier, { VersionId: 'null', LastModified: SIGNED_AT });
    signerMock
      .on(StartSigningJobCommand)
      .resolves({ jobId: 'job-2' })
      .on(DescribeSigningJobCommand, { jobId: 'job-2' })
      .resolves({ status: 'Succeeded', completedAt: SIGNED_AT, signedObject: { s3: { key: `${PREFIX}job-2.zip` } } });
    versionsAt(`${PREFIX}job-2.zip`, { VersionId: 's-new', LastModified: SIGNED_AT });
    const d = { ...deps(), progress: { onStep: vi.fn() } };

    await signArtifact(d, input);

    expect(d.progress.onStep).toHaveBeenCalledWith(expect.stringMatching(/its one version has no id that pins it/));
    expect(d.progress.onStep).not.toHaveBeenCalledWith(expect.stringMatching(/written over/));
  });
});
