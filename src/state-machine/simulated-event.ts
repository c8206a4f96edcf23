import { randomUUID } from 'node:crypto';
import { HEALTH_DETAIL_TYPE, HEALTH_SOURCE } from '../incident/health.js';
import {
  EXPOSED_KEYS_CHECK_NAME,
  TRUSTED_ADVISOR_DETAIL_TYPE,
  TRUSTED_ADVISOR_SOURCE,
} from '../incident/trusted-advisor.js';

/** The AWS services a simulated report can come from. */
export const SIMULATED_SOURCES = ['trusted-advisor', 'health'] as const;

/** Which AWS service the simulated report comes from. */
export type SimulatedSource = (typeof SIMULATED_SOURCES)[number];

/** What a simulated report is about. */
export interface SimulatedIncident {
  source: SimulatedSource;
  accountId: string;
  accessKeyId: string;
  userName?: string | null;
  now?: Date;
}

/** Where simulated leaks are said to have been found. */
const SIMULATED_LOCATION = 'https://github.com/example-org/exposed-keys-simulation/blob/main/leaked.env';

/**
 * An EventBridge event as Trusted Advisor or AWS Health delivers it for an exposed key, marked as
 * simulated in its case id and description.
 */
export function simulatedEvent(incident: SimulatedIncident): Record<string, unknown> {
  const now = incident.now ?? new Date();
  const id = randomUUID();
  const base = {
    version: '0',
    id,
    account: incident.accountId,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
  };
  if (incident.source === 'trusted-advisor')
    return {
      ...base,
      'detail-type': TRUSTED_ADVISOR_DETAIL_TYPE,
      source: TRUSTED_ADVISOR_SOURCE,
      resources: [],
      detail: {
        'check-name': EXPOSED_KEYS_CHECK_NAME,
        'check-item-detail': {
          'Case ID': `simulated-${id}`,
          'Usage (USD per Day)': '0',
          'User Name (IAM or Root)': incident.userName ?? '',
          Deadline: String(now.getTime() + 3 * 86_400_000),
          'Access Key ID': incident.accessKeyId,
          'Time Updated': String(now.getTime()),
          'Fraud Type': 'Exposed',
          Location: SIMULATED_LOCATION,
        },
        status: 'ERROR',
        resource_id: '',
        uuid: randomUUID(),
      },
    };
  const code = 'AWS_RISK_CREDENTIALS_EXPOSED';
  return {
    ...base,
    'detail-type': HEALTH_DETAIL_TYPE,
    source: HEALTH_SOURCE,
    resources: [incident.accessKeyId],
    detail: {
      eventArn: `arn:aws:health:global::event/RISK/${code}/${code}_simulated-${id}`,
      service: 'RISK',
      eventTypeCode: code,
      eventTypeCategory: 'issue',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      startTime: now.toUTCString(),
      lastUpdatedTime: now.toUTCString(),
      statusCode: 'open',
      eventRegion: 'global',
      eventDescription: [
        {
          language: 'en_US',
          latestDescription: `SIMULATED by exposed-keys: the access key ${incident.accessKeyId} is publicly available online at ${SIMULATED_LOCATION}.`,
        },
      ],
      affectedEntities: [{ entityValue: incident.accessKeyId }],
      ...(incident.userName ? { eventMetadata: { userName: incident.userName, location: SIMULATED_LOCATION } } : {}),
    },
  };
}
