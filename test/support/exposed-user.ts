import { CreateAccessKeyCommand, CreateUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';

/** Creates a user with two access keys: the first is the one reported exposed, the second must survive. */
export async function userWithTwoKeys(iam: IAMClient, userName: string): Promise<{ exposed: string; other: string }> {
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const exposed = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const other = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { exposed: exposed.AccessKey?.AccessKeyId as string, other: other.AccessKey?.AccessKeyId as string };
}

/** A few harmless calls made with the key in each region, one an hour back from now: a small, known activity. */
export function listBucketsActivity(
  accessKeyId: string,
  userName: string,
  eventsPerRegion: Readonly<Record<string, number>>,
): CloudTrailRecord[] {
  return Object.entries(eventsPerRegion).flatMap(([region, count]) =>
    Array.from({ length: count }, (_, index) => ({
      eventID: `${userName}-${region}-${index}`,
      eventTime: new Date(Date.now() - (index + 1) * 3_600_000).toISOString(),
      eventName: 'ListBuckets',
      eventSource: 's3.amazonaws.com',
      awsRegion: region,
      sourceIPAddress: '203.0.113.7',
      userIdentity: { type: 'IAMUser', accessKeyId, userName },
    })),
  );
}
