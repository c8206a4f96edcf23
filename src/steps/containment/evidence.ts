import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ListUserTagsCommand } from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { CloudTrailApi, IamClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import { recordTime } from './record-text.js';

/** The tag exposed-keys puts on a user whose key it contained: `exposed-keys/contained/<key id>`. */
export function containedTag(accessKeyId: string): string {
  return `exposed-keys/contained/${accessKeyId}`;
}

/** What shows that a key IAM no longer knows was contained, and what could not be checked. */
export interface RemovalEvidence {
  /** How the key is known to be gone, in a sentence; null when nothing shows it. */
  shown: string | null;
  /**
   * The user the evidence ties the key to: the one whose tag records its containment, or the one
   * CloudTrail's deletion names (its `userName`, or the caller's own for a call that named none,
   * which deletes the caller's own key); null when the evidence names no user.
   */
  heldBy?: string | null;
  /**
   * When the evidence says the key stopped working (its deletion in CloudTrail, the time of the
   * tag's record): no session it minted is later. Absent when it does not say.
   */
  unusableSince?: Date;
  warnings: string[];
}

/** The user whose key a DeleteAccessKey record deleted, as the record says. */
function deletedKeyUser(record: {
  requestParameters?: { userName?: unknown };
  userIdentity?: { type?: unknown; userName?: unknown };
}): string | null {
  const named = record.requestParameters?.userName;
  if (typeof named === 'string' && named !== '') return named;
  const caller = record.userIdentity;
  return caller?.type === 'IAMUser' && typeof caller.userName === 'string' && caller.userName !== ''
    ? caller.userName
    : null;
}

/** LookupEvents keeps 90 days; deletions are looked for over that span, a few pages at most. */
const LOOKBACK_MS = 90 * 86_400_000;
const MAX_PAGES = 10;

async function tagValue(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListUserTagsCommand({ UserName: userName, Marker: marker }));
    const tag = page.Tags?.find((candidate) => candidate.Key === containedTag(accessKeyId));
    if (tag) return tag.Value ?? '';
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return null;
}

/**
 * What exposed-keys recorded on `userName` when it contained the key (`deactivated <time>, delete
 * at <time>`), or null when there is no record, or no such user.
 *
 * @throws the SDK's error when IAM does not answer.
 */
export async function containedRecord(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  try {
    return await tagValue(iam, userName, accessKeyId);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw error;
  }
}

async function taggedBefore(
  iam: IamClient,
  userName: string,
  accessKeyId: string,
): Promise<{ shown: string; record: string } | null> {
  const value = await tagValue(iam, userName, accessKeyId);
  return value === null
    ? null
    : { shown: `exposed-keys contained it earlier (${value || 'no detail'}, tag on ${userName}).`, record: value };
}

async function deletionInCloudTrail(
  cloudTrail: CloudTrailApi,
  accessKeyId: string,
  now: Date,
): Promise<{ shown: string; heldBy: string | null; unusableSince?: Date } | { capped: true } | null> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await cloudTrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteAccessKey' }],
        StartTime: new Date(now.getTime() - LOOKBACK_MS),
        EndTime: now,
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    for (const event of answer.Events ?? []) {
      let record: {
        requestParameters?: { accessKeyId?: unknown; userName?: unknown };
        userIdentity?: { arn?: unknown; type?: unknown; userName?: unknown };
        errorCode?: unknown;
        errorMessage?: unknown;
      } = {};
      try {
        record = JSON.parse(event.CloudTrailEvent ?? '{}');
      } catch {
        continue;
      }
      // A refused call (a wrong profile's NoSuchEntity, an AccessDenied) is logged too: it deleted nothing.
      const refused = record.errorCode !== undefined || record.errorMessage !== undefined;
      if (!refused && record.requestParameters?.accessKeyId === accessKeyId)
        return {
          shown: `CloudTrail shows its deletion at ${event.EventTime?.toISOString() ?? 'an unknown time'} by ${String(record.userIdentity?.arn ?? event.Username ?? 'an unknown caller')}.`,
          heldBy: deletedKeyUser(record),
          ...(event.EventTime ? { unusableSince: event.EventTime } : {}),
        };
    }
    nextToken = answer.NextToken;
    if (!nextToken) return null;
  }
  return { capped: true };
}

/**
 * Looks for proof that a key IAM does not know was contained rather than never held here: the tag
 * exposed-keys leaves on the user it named, or a `DeleteAccessKey` of the key in CloudTrail. A key
 * with neither (a typo, another account's key, the wrong profile) is not claimed as contained.
 */
export async function removalEvidence(
  deps: { iam: IamClient; cloudTrail?: CloudTrailApi; now: Date },
  accessKeyId: string,
  eventUser: string | null,
): Promise<RemovalEvidence> {
  const warnings: string[] = [];
  if (eventUser !== null) {
    try {
      const tagged = await taggedBefore(deps.iam, eventUser, accessKeyId);
      if (tagged) {
        const at = recordTime(tagged.record);
        return { shown: tagged.shown, heldBy: eventUser, ...(at ? { unusableSince: new Date(at) } : {}), warnings };
      }
    } catch (error) {
      if (!isAwsError(error, 'NoSuchEntity'))
        warnings.push(
          `Could not read the tags of ${eventUser}: ${describeError(toAwsCallError('iam:ListUserTags', error))}`,
        );
    }
  }
  if (deps.cloudTrail) {
    try {
      const deleted = await deletionInCloudTrail(deps.cloudTrail, accessKeyId, deps.now);
      if (deleted && 'capped' in deleted)
        warnings.push(
          `Only the latest ${MAX_PAGES * 50} key deletions of the account in CloudTrail's last 90 days were read for ${accessKeyId}'s: an earlier one was not looked for.`,
        );
      else if (deleted) return { ...deleted, warnings };
    } catch (error) {
      warnings.push(
        `Could not look for the key's deletion in CloudTrail: ${describeError(toAwsCallError('cloudtrail:LookupEvents', error))}`,
      );
    }
  }
  return { shown: null, warnings };
}
