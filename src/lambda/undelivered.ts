import { SNSClient } from '@aws-sdk/client-sns';
import { topicRegion } from '../aws/aws-names.js';
import { lambdaClientConfig } from '../aws/client-config.js';
import { readUndeliveredConfig } from '../settings/function-settings.js';
import { alertUndelivered, type DeadLetterRecord } from '../steps/undelivered.js';
import { stepLogger } from './logger.js';

const config = readUndeliveredConfig(process.env);
const region = process.env.AWS_REGION ?? 'us-east-1';
const sns = new SNSClient(lambdaClientConfig(topicRegion(config.topicArn) ?? region));
const logger = stepLogger('undelivered');

/**
 * Reads the stack's dead-letter queue (events EventBridge and EventBridge Scheduler could not
 * deliver to the state machine) and alerts the e-mail topic once for each. Answers Lambda's
 * partial batch response: a message whose alert did not go out stays on the queue.
 */
export async function handler(event: { Records?: DeadLetterRecord[] }) {
  const result = await alertUndelivered({ sns, topicArn: config.topicArn }, event.Records ?? []);
  for (const sent of result.published) logger.warn('Alerted: an event did not start the response', sent);
  for (const failed of result.failed) logger.error('Could not alert: the message stays on the queue', failed);
  return { batchItemFailures: result.batchItemFailures };
}
