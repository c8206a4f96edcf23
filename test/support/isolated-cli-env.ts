import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An environment for the CLI that sees nothing of this machine's AWS set-up, and its clean-up. */
export interface IsolatedCliEnv {
  env: Record<string, string>;
  remove(): void;
}

/**
 * The complete environment of a CLI run against local emulators: fake credentials, us-east-1, the
 * given endpoints, an empty home and empty AWS config files, no instance metadata, no colour.
 */
export function isolatedCliEnv(
  endpoints: { aws: string; cloudTrail: string },
  prefix = 'exposed-keys-cli-',
): IsolatedCliEnv {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const emptyAwsFile = join(home, 'empty');
  writeFileSync(emptyAwsFile, '');
  return {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_CONFIG_FILE: emptyAwsFile,
      AWS_SHARED_CREDENTIALS_FILE: emptyAwsFile,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL: endpoints.aws,
      AWS_ENDPOINT_URL_CLOUDTRAIL: endpoints.cloudTrail,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      NO_COLOR: '1',
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * A lighter environment for a CLI run against local emulators, keeping this machine's home: fake
 * credentials, us-east-1, AWS calls to `awsEndpoint`, no instance metadata, no colour.
 */
export function emulatorCliEnv(awsEndpoint: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  };
}
