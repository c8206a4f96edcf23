import { Logger } from '@aws-lambda-powertools/logger';
import { IAMClient } from '@aws-sdk/client-iam';
import { clientConfig } from '../aws/client-config.js';
import { parseIncident } from '../incident/parse-incident.js';
import { type ContainmentResult, containKey } from '../steps/contain.js';
import { eventOf, type WorkflowState } from '../workflow/workflow-state.js';
import { readContainConfig } from './config.js';

const logger = new Logger({ serviceName: 'exposed-keys', persistentKeys: { step: 'contain' } });
const config = readContainConfig(process.env);
const iam = new IAMClient(clientConfig({ region: process.env.AWS_REGION ?? 'us-east-1' }));

/** `DeleteAccessKeyPair`: contains the key the event names. Throws (for the state machine's Catch) when it cannot. */
export async function handler(state: WorkflowState): Promise<ContainmentResult> {
  const incident = parseIncident(eventOf(state));
  logger.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
  const result = await containKey({ iam }, incident, config);
  logger.info('Containment finished', { outcome: result.outcome, actions: result.actions, warnings: result.warnings });
  return result;
}
