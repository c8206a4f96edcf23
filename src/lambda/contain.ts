import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { lambdaClientConfig } from '../aws/client-config.js';
import { GLOBAL_EVENTS_REGION } from '../constants.js';
import { readContainConfig } from '../settings/function-settings.js';
import { containTask } from '../state-machine/tasks.js';
import { stepLogger } from './logger.js';

const config = readContainConfig(process.env);
const iam = new IAMClient(lambdaClientConfig(process.env.AWS_REGION ?? 'us-east-1'));
// The stack's schedule group lives with the function: the deletion and the verification are scheduled there.
const scheduler = config.schedule
  ? new SchedulerClient(lambdaClientConfig(process.env.AWS_REGION ?? 'us-east-1'))
  : undefined;
// IAM calls are recorded in us-east-1: where a deleted key's DeleteAccessKey is looked for.
const cloudTrail = new CloudTrailClient(lambdaClientConfig(GLOBAL_EVENTS_REGION));

/** The `DeleteAccessKeyPair` task: settings read and checked once, at cold start. */
export const handler = containTask({ iam, cloudTrail, scheduler, logger: stepLogger('contain') }, config);
