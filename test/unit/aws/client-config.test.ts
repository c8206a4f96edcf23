import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliSdkLogger } from '../../../src/aws/cli-sdk-logger.js';
import { clientConfig, lambdaClientConfig } from '../../../src/aws/client-config.js';

/** The warning the SDK's default credential chain gives when a profile and the environment's keys are both set. */
const SDK_WARNING = `@aws-sdk/credential-provider-node - defaultProvider::fromEnv WARNING:
    Multiple credential sources detected: 
    Both AWS_PROFILE and the pair AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY static credentials are set.
    This SDK will proceed with the AWS_PROFILE value.
`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cliSdkLogger', () => {
  it("drops the SDK's warning of several credential sources, which the CLI words itself", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

    cliSdkLogger.warn(SDK_WARNING);

    expect(warn).not.toHaveBeenCalled();
  });

  it("keeps the SDK's other warnings and its chatter quiet, as its default logger does", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    cliSdkLogger.warn(
      '@smithy/node-http-handler:WARN - socket usage at capacity=50 and 3 additional requests are enqueued.',
    );
    cliSdkLogger.debug('fromEnv');
    cliSdkLogger.info({ commandName: 'ListUsersCommand' });
    cliSdkLogger.error({ commandName: 'ListUsersCommand' });

    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});

describe('clientConfig', () => {
  it("gives the clients the logger of the context, and a Lambda function's clients none (the SDK's own)", () => {
    const cli = clientConfig({ region: 'us-east-1', profile: 'incident', logger: cliSdkLogger });
    const lambda = lambdaClientConfig('us-east-1');

    expect(cli.logger).toBe(cliSdkLogger);
    expect(lambda).not.toHaveProperty('logger');
  });
});
