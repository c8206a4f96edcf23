import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeSigningJobCommand,
  type DescribeSigningJobCommandOutput,
  StartSigningJobCommand,
} from '@aws-sdk/client-signer';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { S3Api, SignerApi } from '../aws/narrow-clients.js';
import type { OwnedBucket } from './artifact-bucket.js';
import { SigningError } from './deploy-errors.js';
import { type DeployProgress, type PollOptions, polling } from './progress.js';
import { signersVersion } from './signed-version.js';

/** What {@link signArtifact} needs. */
export interface SignArtifactDeps {
  s3: S3Api;
  signer: SignerApi;
  progress?: DeployProgress;
  poll?: PollOptions;
}

/** The artifact as uploaded, to be signed. */
export interface SignArtifactInput extends OwnedBucket {
  key: string;
  /** The object version to sign: AWS Signer signs only an object of a versioned bucket. */
  versionId: string | undefined;
  sha256: string;
  /** The signing profile's ARN, with or without its version. */
  profileArn: string;
}

/** The signed artifact: another object of the bucket, which the functions load. */
export interface SignedArtifact {
  key: string;
  versionId: string | undefined;
  /** `signed` now, or `reused`: signed by an earlier deploy with the same profile. */
  status: 'signed' | 'reused';
}

const PROFILE_ARN = /^arn:aws[\w-]*:signer:[a-z0-9-]+:(\d{12}):\/signing-profiles\/(\w{2,64})(?:\/(\w{10}))?$/;

/** The name, version (when the ARN names one) and owner of an AWS Signer profile ARN. */
export function signingProfileOf(arn: string): { name: string; version: string | undefined; owner: string } {
  const match = PROFILE_ARN.exec(arn);
  if (!match) throw new SigningError(`${arn} is not the ARN of an AWS Signer profile.`);
  return { owner: match[1] as string, name: match[2] as string, version: match[3] };
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(operation, error);
  }
}

/** The newest object under `prefix`, if there is one. */
async function newestKey(s3: S3Api, { bucket, owner }: OwnedBucket, prefix: string): Promise<string | undefined> {
  const listed = await send('s3:ListObjectsV2', () =>
    s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ExpectedBucketOwner: owner })),
  );
  const newest = (listed.Contents ?? [])
    .filter((object) => object.Key !== undefined)
    .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0))[0];
  return newest?.Key;
}

/**
 * Whether the signed object at `key` (`<prefix><job id>.zip`, as AWS Signer names it) is this
 * artifact signed by this profile: its signing job succeeded, with this profile (and version, when
 * the ARN names one), from this artifact's key and version in this bucket. Lambda would take any
 * code the profile ever signed, so a zip merely lying under the prefix is not enough.
 */
async function signedFromThisArtifact(
  signer: SignerApi,
  key: string,
  input: SignArtifactInput,
  profile: { name: string; version: string | undefined },
): Promise<DescribeSigningJobCommandOutput | undefined> {
  const jobId = key.slice(key.lastIndexOf('/') + 1).replace(/\.zip$/i, '');
  if (!jobId) return undefined;
  let job: DescribeSigningJobCommandOutput;
  try {
    job = await signer.send(new DescribeSigningJobCommand({ jobId }));
  } catch (error) {
    // A job that never was (a zip put there by hand): sign again rather than trust it. Any other
    // failure is the caller's to see: signing needs DescribeSigningJob too.
    if (isAwsError(error, 'ResourceNotFound', 'NotFound')) return undefined;
    throw toAwsCallError('signer:DescribeSigningJob', error);
  }
  const source = job.source?.s3;
  const expires = job.signatureExpiresAt?.getTime();
  const ofThisArtifact =
    job.status === 'Succeeded' &&
    // A revoked or expired signature: Lambda would refuse the code.
    !job.revocationRecord &&
    (expires === undefined || expires > Date.now()) &&
    job.profileName === profile.name &&
    (profile.version === undefined || job.profileVersion === profile.version) &&
    source?.bucketName === input.bucket &&
    source.key === input.key &&
    (input.versionId === undefined || source.version === input.versionId) &&
    job.signedObject?.s3?.key === key;
  return ofThisArtifact ? job : undefined;
}

/**
 * Signs the uploaded artifact with AWS Signer, for a stack whose functions take only code signed by
 * the profile. The signed zip goes to `signed/<profile>/<sha256>/` in the same bucket; a later
 * deploy of the same artifact with the same profile reuses it rather than signing again (and so
 * changes nothing), once its signing job shows it is this artifact signed by this profile: Lambda
 * checks only that the profile signed the code, and the profile may have signed other code.
 *
 * @throws SigningError when the bucket keeps no versions, or the signing job fails or does not end.
 */
export async function signArtifact(deps: SignArtifactDeps, input: SignArtifactInput): Promise<SignedArtifact> {
  const profile = signingProfileOf(input.profileArn);
  const prefix = `signed/${profile.name}${profile.version ? `-${profile.version}` : ''}/${input.sha256}/`;
  const earlier = await newestKey(deps.s3, input, prefix);
  const earlierJob = earlier ? await signedFromThisArtifact(deps.signer, earlier, input, profile) : undefined;
  if (earlier && earlierJob) {
    const signed = await signersVersion(deps.s3, input, earlier, earlierJob.completedAt);
    if ('versionId' in signed) return { key: earlier, versionId: signed.versionId, status: 'reused' };
    deps.progress?.onStep?.(
      `s3://${input.bucket}/${earlier} cannot show the version AWS Signer wrote (${signed.why}): signing again`,
    );
  }
  if (!input.versionId)
    throw new SigningError(
      `The artifact bucket ${input.bucket} keeps no object versions: AWS Signer signs only those.`,
      {
        hint: `Enable versioning on ${input.bucket} (the bucket exposed-keys creates has it), then deploy again.`,
      },
    );

  deps.progress?.onStep?.(`Signing s3://${input.bucket}/${input.key} with the profile ${profile.name}`);
  const started = await send('signer:StartSigningJob', () =>
    deps.signer.send(
      new StartSigningJobCommand({
        source: { s3: { bucketName: input.bucket, key: input.key, version: input.versionId } },
        destination: { s3: { bucketName: input.bucket, prefix } },
        profileName: profile.name,
        profileOwner: profile.owner,
      }),
    ),
  );
  const jobId = started.jobId as string;
  const { sleep, intervalMs, maxPolls } = polling(deps.poll);
  for (let poll = 0; poll < maxPolls; poll++) {
    const job = await send('signer:DescribeSigningJob', () =>
      deps.signer.send(new DescribeSigningJobCommand({ jobId })),
    );
    if (job.status === 'Succeeded') {
      const key = job.signedObject?.s3?.key;
      if (!key) throw new SigningError(`Signing job ${jobId} succeeded, but names no signed object.`);
      const signed = await signersVersion(deps.s3, input, key, job.completedAt);
      if (!('versionId' in signed))
        throw new SigningError(
          `s3://${input.bucket}/${key} cannot show the version AWS Signer wrote (job ${jobId}: ${signed.why}), so its code may not be the signed artifact.`,
          {
            hint: 'Someone else writes to the artifact bucket: find who (its CloudTrail data events), then deploy again.',
          },
        );
      return { key, versionId: signed.versionId, status: 'signed' };
    }
    if (job.status === 'Failed')
      throw new SigningError(
        `AWS Signer did not sign the artifact (job ${jobId}): ${job.statusReason ?? 'no reason given'}.`,
      );
    await sleep(intervalMs);
  }
  throw new SigningError(`Signing job ${jobId} has not ended: stopped waiting.`);
}
