import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { lambdaAthenaClients } from '../aws/athena-clients.js';
import { lambdaClientConfig } from '../aws/client-config.js';
import type { Ec2Api, LambdaApi } from '../aws/narrow-clients.js';
import { organizationFromEnvironment } from '../organization/from-environment.js';
import { readInvestigateConfig } from '../settings/function-settings.js';
import { investigateTask } from '../state-machine/tasks.js';
import { stepLogger } from './logger.js';

const config = readInvestigateConfig(process.env);
const home = process.env.AWS_REGION ?? 'us-east-1';
const clients = new Map<string, unknown>();

/** One client per service and region, built on first use; the large ones load only then. */
async function once<T>(key: string, build: () => Promise<T>): Promise<T> {
  if (!clients.has(key)) clients.set(key, await build());
  return clients.get(key) as T;
}

function cloudTrail(region: string): CloudTrailClient {
  const key = `cloudtrail:${region}`;
  if (!clients.has(key)) clients.set(key, new CloudTrailClient(lambdaClientConfig(region)));
  return clients.get(key) as CloudTrailClient;
}

/** The enabled regions; the EC2 client is large, so it loads only when the stack names no regions. */
async function listRegions(): Promise<string[]> {
  const { listEnabledRegions } = await import('../aws/enabled-regions.js');
  return listEnabledRegions({ region: home });
}

// The inventory of what the attacker left reads IAM, and EC2 and Lambda where instances and functions were launched.
const inventory = {
  iam: new IAMClient(lambdaClientConfig(home)),
  ec2: (region: string) =>
    once<Ec2Api>(
      `ec2:${region}`,
      async () => new (await import('@aws-sdk/client-ec2')).EC2Client(lambdaClientConfig(region)),
    ),
  lambda: (region: string) =>
    once<LambdaApi>(
      `lambda:${region}`,
      async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(lambdaClientConfig(region)),
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
