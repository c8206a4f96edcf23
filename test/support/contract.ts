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
  'eventNames',
  'eventSources',
  'awsRegions',
  'sourceIps',
  'userAgents',
  'errorCodes',
  'resourceTypes',
  'resourceNames',
  'sessionKeys',
  'riskyEvents',
  'truncated',
] as const;

/** The count lists of the activity summary: its fields from `eventNames` to `resourceNames`. */
export const COUNT_LIST_FIELDS = [
  'eventNames',
  'eventSources',
  'awsRegions',
  'sourceIps',
  'userAgents',
  'errorCodes',
  'resourceTypes',
  'resourceNames',
] as const satisfies readonly (typeof ACTIVITY_SUMMARY_FIELDS)[number][];
