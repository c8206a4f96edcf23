import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { lambdaClientConfig } from '../aws/client-config.js';
import { GLOBAL_EVENTS_REGION } from '../constants.js';
import { organizationFromEnvironment } from '../organization/from-environment.js';
import { readContainConfig } from '../settings/function-settings.js';
import { containTask } from '../state-machine/tasks.js';
import { stepLogger } from './logger.js';

const iam = new IAMClient(lambdaClientConfig(process.env.AWS_REGION ?? 'us-east-1'));
// IAM calls are recorded in us-east-1: where a deleted key's DeleteAccessKey is looked for.
const cloudTrail = new CloudTrailClient(lambdaClientConfig(GLOBAL_EVENTS_REGION));

/** The `DeleteAccessKeyPair` task: settings read and checked once, at cold start. */
export const handler = containTask(
  {
    iam,
    cloudTrail,
    organization: await organizationFromEnvironment(process.env, 'containment'),
    logger: stepLogger('contain'),
  },
  readContainConfig(process.env),
);
