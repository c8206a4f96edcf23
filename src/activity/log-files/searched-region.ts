/**
 * The region a record shows searched, when its file's path names none: its `awsRegion`, unless it
 * is an Insights event (`eventCategory` `Insight`), which CloudTrail made about calls, and none of
 * them: an Insights file under a plain name would otherwise make a region look searched.
 */
export function searchedRegionOf(record: Record<string, unknown>): string | null {
  if (record.eventCategory === 'Insight' || record.eventType === 'AwsCloudTrailInsight') return null;
  return typeof record.awsRegion === 'string' && record.awsRegion !== '' ? record.awsRegion : null;
}
