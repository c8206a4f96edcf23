import { Logger } from '@aws-lambda-powertools/logger';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { clientConfig } from '../aws/client-config.js';
import { parseIncident } from '../incident/parse-incident.js';
import { type Investigation, investigateKey, windowEnding } from '../steps/investigate.js';
import { eventOf, type WorkflowState } from '../workflow/workflow-state.js';
import { readInvestigateConfig } from './config.js';
import { fitInvestigation } from './fit-state.js';

const logger = new Logger({ serviceName: 'exposed-keys', persistentKeys: { step: 'investigate' } });
const config = readInvestigateConfig(process.env);
const home = process.env.AWS_REGION ?? 'us-east-1';
const ec2 = new EC2Client(clientConfig({ region: home }));
const cloudTrailClients = new Map<string, CloudTrailClient>();
const cloudTrail = (region: string) => {
  let client = cloudTrailClients.get(region);
  if (!client) {
    client = new CloudTrailClient(clientConfig({ region }));
    cloudTrailClients.set(region, client);
  }
  return client;
};
/** Time kept back from the function's timeout to return what was read. */
const RESERVE_MS = 20_000;

/** `LookupCloudTrailEvents`: summarises what the key did, in every region, and what its session keys did. */
export async function handler(
  state: WorkflowState,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<Investigation> {
  const incident = parseIncident(eventOf(state));
  logger.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
  const remaining = context?.getRemainingTimeInMillis();
  const investigation = await investigateKey(
    { cloudTrail, ec2 },
    {
      accessKeyId: incident.accessKeyId,
      userName: state.containment?.userName ?? incident.userName,
      window: windowEnding(new Date(), config.lookbackHours),
      regions: config.regions,
      deadline: remaining === undefined ? undefined : Date.now() + Math.max(remaining - RESERVE_MS, 1_000),
    },
  );
  const { activity } = investigation;
  logger.info('Investigation finished', {
    totalEvents: activity.totalEvents,
    regionsSearched: activity.regions.searched.length,
    regionsFailed: activity.regions.failed,
    truncated: activity.truncated,
    sessionKeys: activity.sessionKeys.length,
  });
  return fitInvestigation(investigation);
}
