import { Logger } from '@aws-lambda-powertools/logger';
import { IAMClient } from '@aws-sdk/client-iam';
import { clientConfig } from '../aws/client-config.js';
import { containTask } from '../state-machine/tasks.js';
import { readContainConfig } from './config.js';

const logger = new Logger({ serviceName: 'exposed-keys', persistentKeys: { step: 'contain' } });
const iam = new IAMClient(clientConfig({ region: process.env.AWS_REGION ?? 'us-east-1' }));

/** The `DeleteAccessKeyPair` task: settings read and checked once, at cold start. */
export const handler = containTask({ iam, logger }, readContainConfig(process.env));
