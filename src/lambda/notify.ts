import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import { topicRegion } from '../aws/aws-names.js';
import { clientConfig } from '../aws/client-config.js';
import { notifyTask } from '../state-machine/tasks.js';
import { readNotifyConfig } from './config.js';

const logger = new Logger({ serviceName: 'exposed-keys', persistentKeys: { step: 'notify' } });
const config = readNotifyConfig(process.env);
// The topic's region, from its ARN: the function and the topic live together, but say so explicitly.
const sns = new SNSClient(
  clientConfig({ region: topicRegion(config.topicArn) ?? process.env.AWS_REGION ?? 'us-east-1' }),
);

/** The `NotifySecurity` task: settings read and checked once, at cold start. */
export const handler = notifyTask({ sns, logger }, config);
