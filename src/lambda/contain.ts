import { IAMClient } from '@aws-sdk/client-iam';
import { clientConfig } from '../aws/client-config.js';
import { readContainConfig } from '../settings/function-settings.js';
import { containTask } from '../state-machine/tasks.js';
import { stepLogger } from './logger.js';

const iam = new IAMClient(clientConfig({ region: process.env.AWS_REGION ?? 'us-east-1' }));

/** The `DeleteAccessKeyPair` task: settings read and checked once, at cold start. */
export const handler = containTask({ iam, logger: stepLogger('contain') }, readContainConfig(process.env));
