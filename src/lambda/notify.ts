import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { topicRegion } from '../aws/aws-names.js';
import { lambdaClientConfig } from '../aws/client-config.js';
import { organizationFromEnvironment } from '../organization/from-environment.js';
import { readNotifyConfig } from '../settings/function-settings.js';
import { notifyTask } from '../state-machine/tasks/notify-task.js';
import { stepLogger } from './logger.js';

const config = readNotifyConfig(process.env);
const region = process.env.AWS_REGION ?? 'us-east-1';
// The topic's region, from its ARN: the function and the topic live together, but say so explicitly.
const sns = new SNSClient(lambdaClientConfig(topicRegion(config.topicArn) ?? region));
// Findings go to this account's Security Hub in the function's region.
const securityHub = config.findings ? new SecurityHubClient(lambdaClientConfig(region)) : undefined;
// The secret's own region, from its ARN.
const secrets = config.webhookSecretArn
  ? new SecretsManagerClient(lambdaClientConfig(config.webhookSecretArn.split(':')[3] || region))
  : undefined;

/** The `NotifySecurity` task: settings read and checked once, at cold start. */
export const handler = notifyTask(
  {
    sns,
    securityHub,
    secrets,
    region,
    // Organisation mode: a member's finding is imported in the member.
    organization: await organizationFromEnvironment(process.env, 'notification'),
    logger: stepLogger('notify'),
  },
  config,
);
