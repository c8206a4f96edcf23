import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { lambdaClientConfig } from '../aws/client-config.js';
import { GLOBAL_EVENTS_REGION } from '../constants.js';
import { organizationFromEnvironment } from '../organization/from-environment.js';
import { readContainConfig } from '../settings/function-settings.js';
import { containTask } from '../state-machine/tasks/contain-task.js';
import { stepLogger } from './logger.js';

const config = readContainConfig(process.env);
const region = process.env.AWS_REGION ?? 'us-east-1';
const iam = new IAMClient(lambdaClientConfig(region));
// The stack's schedule group lives with the function: the deletion and the verification are scheduled there.
const scheduler = config.schedule ? new SchedulerClient(lambdaClientConfig(region)) : undefined;
// IAM calls are recorded in us-east-1: where a deleted key's DeleteAccessKey is looked for.
const cloudTrail = new CloudTrailClient(lambdaClientConfig(GLOBAL_EVENTS_REGION));
// The incident record: one incident per key, whichever report comes first.
const db = new DynamoDBClient(lambdaClientConfig(region));

/** The `ClaimIncident`, `DeleteAccessKeyPair` and scheduled-deletion tasks: settings read and checked once, at cold start. */
export const handler = containTask(
  {
    iam,
    cloudTrail,
    db,
    scheduler,
    organization: await organizationFromEnvironment(process.env, 'containment'),
    logger: stepLogger('contain'),
  },
  config,
);
