import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { topicRegion } from '../aws/aws-names.js';
import { lambdaClientConfig } from '../aws/client-config.js';
import { invocationDeadline } from '../aws/deadline.js';
import { readUndeliveredConfig } from '../settings/function-settings.js';
import { alertUndelivered, type DeadLetterRecord } from '../steps/undelivered.js';
import { stepLogger } from './logger.js';

const config = readUndeliveredConfig(process.env);
const region = process.env.AWS_REGION ?? 'us-east-1';
const sns = new SNSClient(lambdaClientConfig(topicRegion(config.topicArn) ?? region));
const sfn = new SFNClient(lambdaClientConfig(region));
const sqs = new SQSClient(lambdaClientConfig(region));
const logger = stepLogger('undelivered');
/** Kept back from the function's time: to log the outcome and answer Lambda. */
const DEADLINE_MARGIN_MS = 10_000;

/**
 * Reads the stack's dead-letter queue (events EventBridge and EventBridge Scheduler could not
 * deliver to the state machine): starts the state machine with each, and alerts the topics.
 * Answers Lambda's partial batch response: a message whose e-mail did not go out stays on the queue.
 */
export async function handler(
  event: { Records?: DeadLetterRecord[] },
  context?: { getRemainingTimeInMillis(): number },
) {
  const records = event.Records ?? [];
  // Every call ends before the function's timeout, so that the outcome is logged and the message kept.
  const deadline = invocationDeadline(context, DEADLINE_MARGIN_MS);
  const result = await alertUndelivered({ sns, sfn, sqs, ...config, deadline }, records);
  for (const outcome of result.outcomes) {
    const entry = { ...outcome, restart: outcome.restart.status, restartDetail: outcome.restart };
    if (outcome.error) logger.error('Could not alert: the message stays on the queue', entry);
    else if (outcome.ended && outcome.ended !== 'alerted')
      logger.info('An execution ended with no need of an alert', entry);
    else if (outcome.ended === 'alerted') logger.warn('An execution ended with no report: alerted', entry);
    else logger.warn('An event did not reach the state machine: alerted', entry);
    // Where a human reads an event no alert describes: the queue lets only this function receive.
    if (outcome.error || outcome.fallback)
      logger.error('The undelivered event', {
        messageId: outcome.messageId,
        body: records.find((record) => record.messageId === outcome.messageId)?.body?.slice(0, 65_536),
      });
  }
  return { batchItemFailures: result.batchItemFailures };
}
