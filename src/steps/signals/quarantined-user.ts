import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';

/** One of a quarantined user's keys, with its last use: what a human needs to tell which one leaked. */
export interface UserKey {
  accessKeyId: string;
  status: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  lastUsedService: string | null;
  lastUsedRegion: string | null;
}

/** The keys of a quarantined user, or why they could not be listed. */
export interface QuarantinedUser {
  userName: string;
  /** False when IAM no longer knows the user. */
  exists: boolean;
  keys: UserKey[];
  /** True when the user's keys could not be listed: `keys` then proves nothing. */
  keysUnknown?: boolean;
  warnings: string[];
}

async function lastUse(iam: IamClient, accessKeyId: string, warnings: string[]) {
  try {
    const used = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }))).AccessKeyLastUsed;
    return {
      lastUsedAt: used?.LastUsedDate?.toISOString() ?? null,
      // IAM says "N/A" for a key never used.
      lastUsedService: used?.ServiceName && used.ServiceName !== 'N/A' ? used.ServiceName : null,
      lastUsedRegion: used?.Region && used.Region !== 'N/A' ? used.Region : null,
    };
  } catch (error) {
    warnings.push(
      `Could not read when ${accessKeyId} was last used: ${describeError(toAwsCallError('iam:GetAccessKeyLastUsed', error))}`,
    );
    return { lastUsedAt: null, lastUsedService: null, lastUsedRegion: null };
  }
}

/**
 * Lists a user's access keys with their last use, reading only. AWS's quarantine names the user,
 * not the key: this is what a responder needs to find the key, and nothing here touches one.
 */
export async function quarantinedUser(iam: IamClient, userName: string): Promise<QuarantinedUser> {
  const warnings: string[] = [];
  const keys: UserKey[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker }));
      for (const key of page.AccessKeyMetadata ?? []) {
        if (!key.AccessKeyId) continue;
        keys.push({
          accessKeyId: key.AccessKeyId,
          status: key.Status ?? 'unknown',
          createdAt: key.CreateDate?.toISOString() ?? null,
          ...(await lastUse(iam, key.AccessKeyId, warnings)),
        });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return { userName, exists: false, keys, warnings };
    warnings.push(
      `Could not list the keys of ${userName}: ${describeError(toAwsCallError('iam:ListAccessKeys', error))}`,
    );
    return { userName, exists: true, keys, keysUnknown: true, warnings };
  }
  return { userName, exists: true, keys, warnings };
}
