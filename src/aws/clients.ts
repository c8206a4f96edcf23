import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SignerClient } from '@aws-sdk/client-signer';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import { type AwsContext, clientConfig } from './client-config.js';

export type { AwsContext } from './client-config.js';

/** True when S3 is reached through a custom endpoint (an emulator), which needs path-style URLs. */
function customS3Endpoint(): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
}

/**
 * True when S3 is reached over plain HTTP: a custom endpoint (as the SDK reads it, the S3 one
 * first) with an `http:` URL, which only an emulator on this machine has. AWS's own endpoints use TLS.
 */
export function s3OverPlainHttp(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return endpoint !== undefined && /^http:/i.test(endpoint.trim());
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

  securityHub(): Promise<SecurityHubClient> {
    return this.#once(
      'securityhub',
      async () => new (await import('@aws-sdk/client-securityhub')).SecurityHubClient(clientConfig(this.#context)),
    );
  }

  sts(): Promise<STSClient> {
    return this.#once(
      'sts',
      async () => new (await import('@aws-sdk/client-sts')).STSClient(clientConfig(this.#context)),
    );
  }

  /**
   * The access key id these clients sign with, from the credential chain (no AWS call for keys
   * in a profile or the environment); undefined when the chain gives none. A chain that fails is
   * not reported here: the first real call reports it, with what to do.
   */
  async signingKeyId(): Promise<string | undefined> {
    try {
      return (await (await this.sts()).config.credentials()).accessKeyId;
    } catch {
      return undefined;
    }
  }

  /** The account's enabled regions; loads the EC2 client only now. */
  async listRegions(): Promise<string[]> {
    const { listEnabledRegions } = await import('./enabled-regions.js');
    return listEnabledRegions(this.#context);
  }

  sqs(): Promise<SQSClient> {
    return this.#once(
      'sqs',
      // The endpoint configured (an emulator's, a VPC endpoint), not the host of the queue's URL.
      async () =>
        new (await import('@aws-sdk/client-sqs')).SQSClient({
          ...clientConfig(this.#context),
          useQueueUrlAsEndpoint: false,
        }),
    );
  }

  scheduler(): Promise<SchedulerClient> {
    return this.#once(
      'scheduler',
      async () => new (await import('@aws-sdk/client-scheduler')).SchedulerClient(clientConfig(this.#context)),
    );
  }

  ec2(): Promise<EC2Client> {
    return this.#once(
      'ec2',
      async () => new (await import('@aws-sdk/client-ec2')).EC2Client(clientConfig(this.#context)),
    );
  }

  /** EventBridge (`status`: whether the stack's rules are enabled). */
  eventBridge(): Promise<EventBridgeClient> {
    return this.#once(
      'eventBridge',
      async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient(clientConfig(this.#context)),
    );
  }

  lambda(): Promise<LambdaClient> {
    return this.#once(
      'lambda',
      async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(clientConfig(this.#context)),
    );
  }

  /** Organizations (the inventory's accounts; organisation mode: the organisation, its accounts, StackSets' targets). */
  organizations(): Promise<OrganizationsClient> {
    return this.#once(
      'organizations',
      // Organizations answers in us-east-1 whatever region the command runs in.
      async () =>
        new (await import('@aws-sdk/client-organizations')).OrganizationsClient(
          clientConfig(this.#context, 'us-east-1'),
        ),
    );
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

  /**
   * An S3 client for reading a trail's log files (`--logs s3://…`): it follows S3's redirect to
   * the bucket's own region, since a log archive bucket is often in another region than the one
   * the CLI calls (us-east-1 by default), where S3 answers a listing with a 301.
   */
  logsS3(): Promise<S3Client> {
    return this.#once(
      's3-logs',
      async () =>
        new (await import('@aws-sdk/client-s3')).S3Client({
          ...clientConfig(this.#context),
          forcePathStyle: customS3Endpoint(),
          followRegionRedirects: true,
        }),
    );
  }

  athena(): Promise<AthenaClient> {
    return this.#once(
      'athena',
      async () => new (await import('@aws-sdk/client-athena')).AthenaClient(clientConfig(this.#context)),
    );
  }

  glue(): Promise<GlueClient> {
    return this.#once(
      'glue',
      async () => new (await import('@aws-sdk/client-glue')).GlueClient(clientConfig(this.#context)),
    );
  }

  /** The AWS Signer client, only ever loaded to sign the Lambda artifact. */
  signer(): Promise<SignerClient> {
    return this.#once(
      'signer',
      async () => new (await import('@aws-sdk/client-signer')).SignerClient(clientConfig(this.#context)),
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
