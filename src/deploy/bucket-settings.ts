import {
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';

/** A bucket and the account that must own it, as every call names them. */
export interface BucketTarget {
  Bucket: string;
  ExpectedBucketOwner: string;
}

/** Blocks every kind of public access to the bucket. */
export function blockPublicAccess(target: BucketTarget): PutPublicAccessBlockCommand {
  return new PutPublicAccessBlockCommand({
    ...target,
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
}

/** Makes the bucket's owner the owner of every object in it (no ACLs). */
export function enforceOwnership(target: BucketTarget): PutBucketOwnershipControlsCommand {
  return new PutBucketOwnershipControlsCommand({
    ...target,
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  });
}

/** Keeps object versions: a deploy names the version it verified. */
export function enableVersioning(target: BucketTarget): PutBucketVersioningCommand {
  return new PutBucketVersioningCommand({ ...target, VersioningConfiguration: { Status: 'Enabled' } });
}
