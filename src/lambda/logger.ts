import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of a function: structured JSON, with the step it runs as a key of every entry. */
export function stepLogger(step: 'contain' | 'investigate' | 'notify' | 'undelivered'): Logger {
  return new Logger({ serviceName: 'exposed-keys', persistentKeys: { step } });
}
