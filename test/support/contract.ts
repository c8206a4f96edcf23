/** The count lists of the activity summary, in the contract's order. */
export const COUNT_LIST_FIELDS = [
  'eventNames',
  'eventSources',
  'awsRegions',
  'sourceIps',
  'userAgents',
  'errorCodes',
  'resourceTypes',
  'resourceNames',
] as const;

/** The fields of the activity summary, in the order the contract (DESIGN.md, README) prints them. */
export const ACTIVITY_SUMMARY_FIELDS = [
  'accessKeyId',
  'userName',
  'source',
  'window',
  'regions',
  'totalEvents',
  'firstSeen',
  'lastSeen',
  ...COUNT_LIST_FIELDS,
  'sessionKeys',
  'riskyEvents',
  'truncated',
] as const;
