import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import { type AwsContext, clientConfig } from './client-config.js';

export type { AwsContext } from './client-config.js';

/** True when S3 is reached through a custom endpoint (an emulator), which needs path-style URLs. */
function customS3Endpoint(): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
}

/**
 * Builds SDK clients on first use, each from its own module, so that a command loads only the
 * clients it calls: the CLI starts fast and `--help` loads none.
 */
export class AwsClients {
  readonly #context: AwsContext;
  readonly #cache = new Map<string, unknown>();

  constructor(context: AwsContext) {
    this.#context = context;
  }

  /** The region and profile these clients use. */
  get context(): AwsContext {
    return this.#context;
  }

  /** Clients with the same settings, for another region (a topic's, say). */
  inRegion(region: string): AwsClients {
    return region === this.#context.region ? this : new AwsClients({ ...this.#context, region });
  }

  async #once<T>(key: string, build: () => Promise<T>): Promise<T> {
    if (!this.#cache.has(key)) this.#cache.set(key, await build());
    return this.#cache.get(key) as T;
  }

  iam(): Promise<IAMClient> {
    return this.#once('iam', async () => {
      const { IAMClient } = await import('@aws-sdk/client-iam');
      // IAM is global; its endpoint lives in us-east-1 for the aws partition.
      return new IAMClient(clientConfig(this.#context));
    });
  }

  sns(): Promise<SNSClient> {
    return this.#once(
      'sns',
      async () => new (await import('@aws-sdk/client-sns')).SNSClient(clientConfig(this.#context)),
    );
  }

  sts(): Promise<STSClient> {
    return this.#once(
      'sts',
      async () => new (await import('@aws-sdk/client-sts')).STSClient(clientConfig(this.#context)),
    );
  }

  /** Organizations (organisation mode: the organisation, its accounts, and StackSets' targets). */
  organizations(): Promise<OrganizationsClient> {
    return this.#once(
      'organizations',
      async () => new (await import('@aws-sdk/client-organizations')).OrganizationsClient(clientConfig(this.#context)),
    );
  }

  /** The account's enabled regions; loads the EC2 client only now. */
  async listRegions(): Promise<string[]> {
    const { listEnabledRegions } = await import('./enabled-regions.js');
    return listEnabledRegions(this.#context);
  }

  sfn(): Promise<SFNClient> {
    return this.#once(
      'sfn',
      async () => new (await import('@aws-sdk/client-sfn')).SFNClient(clientConfig(this.#context)),
    );
  }

  cloudFormation(): Promise<CloudFormationClient> {
    return this.#once(
      'cloudformation',
      async () =>
        new (await import('@aws-sdk/client-cloudformation')).CloudFormationClient(clientConfig(this.#context)),
    );
  }

  s3(): Promise<S3Client> {
    return this.#once(
      's3',
      async () =>
        new (await import('@aws-sdk/client-s3')).S3Client({
          ...clientConfig(this.#context),
          forcePathStyle: customS3Endpoint(),
        }),
    );
  }

  /** A function that gives the CloudTrail client of a region, building each once. */
  cloudTrail(): Promise<(region: string) => CloudTrailClient> {
    return this.#once('cloudtrail', async () => {
      const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
      const byRegion = new Map<string, CloudTrailClient>();
      return (region: string) => {
        let client = byRegion.get(region);
        if (!client) {
          client = new CloudTrailClient(clientConfig(this.#context, region));
          byRegion.set(region, client);
        }
        return client;
      };
    });
  }
}
