import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import { clientConfig } from '../aws/client-config.js';
import { keyContained, needsHuman } from '../steps/incident-outcome.js';
import { notifySecurity } from '../steps/notify.js';
import { incidentReportOf, type NotificationOutput, type WorkflowState } from '../workflow/workflow-state.js';
import { readNotifyConfig } from './config.js';

const logger = new Logger({ serviceName: 'exposed-keys', persistentKeys: { step: 'notify' } });
const config = readNotifyConfig(process.env);
const sns = new SNSClient(clientConfig({ region: process.env.AWS_REGION ?? 'us-east-1' }));

/** `NotifySecurity`: sends the one message of the incident, whatever the earlier tasks did. */
export async function handler(state: WorkflowState): Promise<NotificationOutput> {
  const report = incidentReportOf(state);
  const sent = await notifySecurity({ sns }, { ...report, topicArn: config.topicArn });
  const output = {
    messageId: sent.messageId,
    subject: sent.subject,
    outcome: sent.outcome,
    keyContained: keyContained(report),
    failExecution: needsHuman(report),
  };
  logger.info('Notification sent', { ...output, bytes: sent.bytes, tablesTruncated: sent.tablesTruncated });
  return output;
}
