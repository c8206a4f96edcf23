/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** SNS topic ARNs, in any partition; the groups are the region and the account. */
export const TOPIC_ARN_PATTERN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):[\w-]{1,256}$/;

/** True when `name` is shaped like an AWS region name. */
export function isRegionName(name: string): boolean {
  return REGION_PATTERN.test(name);
}

/** The region of an SNS topic ARN, or undefined for anything else: a client must call the topic's region. */
export function topicRegion(topicArn: string): string | undefined {
  return TOPIC_ARN_PATTERN.exec(topicArn)?.[1];
}
