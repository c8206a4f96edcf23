import { SNSClient } from '@aws-sdk/client-sns';
import { topicRegion } from '../aws/aws-names.js';
import { lambdaClientConfig } from '../aws/client-config.js';
import { readNotifyConfig } from '../settings/function-settings.js';
import { notifyTask } from '../state-machine/tasks.js';
import { stepLogger } from './logger.js';

const config = readNotifyConfig(process.env);
// The topic's region, from its ARN: the function and the topic live together, but say so explicitly.
const sns = new SNSClient(lambdaClientConfig(topicRegion(config.topicArn) ?? process.env.AWS_REGION ?? 'us-east-1'));

/** The `NotifySecurity` task: settings read and checked once, at cold start. */
export const handler = notifyTask({ sns, logger: stepLogger('notify') }, config);
