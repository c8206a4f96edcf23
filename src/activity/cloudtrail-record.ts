/**
 * The fields of a CloudTrail record that exposed-keys reads. Records come from log files
 * (`{"Records": [...]}`) or from the `CloudTrailEvent` string of a `LookupEvents` answer; both are
 * untrusted, so every field is optional and read defensively.
 */
export interface CloudTrailRecord {
  eventID?: string;
  eventTime?: string;
  eventName?: string;
  eventSource?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  readOnly?: boolean;
  userIdentity?: {
    type?: string;
    accessKeyId?: string;
    userName?: string;
    arn?: string;
    accountId?: string;
  } | null;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: { ARN?: string; type?: string; accountId?: string }[] | null;
  [field: string]: unknown;
}

/** The access key a record was made with, if any. */
export function accessKeyOf(record: CloudTrailRecord): string | undefined {
  const identity = record.userIdentity;
  return identity && typeof identity === 'object' && typeof identity.accessKeyId === 'string'
    ? identity.accessKeyId
    : undefined;
}
