import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { lambdaAthenaClients } from '../aws/athena-clients.js';
import { lambdaClientConfig } from '../aws/client-config.js';
import type { Ec2Api, LambdaApi } from '../aws/narrow-clients.js';
import { perRegion } from '../aws/per-region.js';
import { organizationFromEnvironment } from '../organization/from-environment.js';
import { readInvestigateConfig } from '../settings/function-settings.js';
import { investigateTask } from '../state-machine/tasks/investigate-task.js';
import { stepLogger } from './logger.js';

const config = readInvestigateConfig(process.env);
const home = process.env.AWS_REGION ?? 'us-east-1';
// One client per service and region, built on first use; the large ones (EC2, Lambda) load only then.
const cloudTrail = perRegion((region) => new CloudTrailClient(lambdaClientConfig(region)));

/** The enabled regions; the EC2 client is large, so it loads only when the stack names no regions. */
async function listRegions(): Promise<string[]> {
  const { listEnabledRegions } = await import('../aws/enabled-regions.js');
  // A function's calls are bounded as lambdaClientConfig bounds them: 10 s a try, three tries.
  return listEnabledRegions({ region: home, maxAttempts: 3, requestTimeoutMs: 10_000 });
}

// The inventory of what the attacker left reads IAM, and EC2 and Lambda where instances and functions were launched.
const inventory = {
  iam: new IAMClient(lambdaClientConfig(home)),
  ec2: perRegion(
    async (region): Promise<Ec2Api> => new (await import('@aws-sdk/client-ec2')).EC2Client(lambdaClientConfig(region)),
  ),
  lambda: perRegion(
    async (region): Promise<LambdaApi> =>
      new (await import('@aws-sdk/client-lambda')).LambdaClient(lambdaClientConfig(region)),
  ),
};

/** The `LookupCloudTrailEvents` task (and `VerifyContainment`): settings read and checked once, at cold start. */
export const handler = investigateTask(
  {
    cloudTrail,
    listRegions,
    athenaClients: lambdaAthenaClients(home),
    inventory,
    organization: await organizationFromEnvironment(process.env, 'investigation'),
    logger: stepLogger('investigate'),
  },
  config,
);
