import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { lambdaClientConfig } from '../aws/client-config.js';
import { organizationFromEnvironment } from '../organization/from-environment.js';
import { readInvestigateConfig } from '../settings/function-settings.js';
import { investigateTask } from '../state-machine/tasks.js';
import { stepLogger } from './logger.js';

const config = readInvestigateConfig(process.env);
const home = process.env.AWS_REGION ?? 'us-east-1';
const clients = new Map<string, CloudTrailClient>();

function cloudTrail(region: string): CloudTrailClient {
  let client = clients.get(region);
  if (!client) {
    client = new CloudTrailClient(lambdaClientConfig(region));
    clients.set(region, client);
  }
  return client;
}

/** The enabled regions; the EC2 client is large, so it loads only when the stack names no regions. */
async function listRegions(): Promise<string[]> {
  const { listEnabledRegions } = await import('../aws/enabled-regions.js');
  return listEnabledRegions({ region: home });
}

/** The `LookupCloudTrailEvents` task: settings read and checked once, at cold start. */
export const handler = investigateTask(
  {
    cloudTrail,
    listRegions,
    organization: await organizationFromEnvironment(process.env, 'investigation'),
    logger: stepLogger('investigate'),
  },
  config,
);
