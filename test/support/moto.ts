import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type MotoServer, startMoto } from '../../emulators/moto.js';

/** Clients aimed at the moto server of the current test file. */
export interface MotoClients {
  endpoint: string;
  iam: IAMClient;
  sns: SNSClient;
  sqs: SQSClient;
  s3: S3Client;
  db: DynamoDBClient;
  securityHub: SecurityHubClient;
  secrets: SecretsManagerClient;
}

/**
 * Starts moto for the test file (a missing moto fails the file: it is never skipped) and resets
 * it before each test. Returns a getter, since the server starts after the file is collected.
 */
export function useMoto(options: { resetEachTest?: boolean } = {}): () => MotoClients {
  let moto: MotoServer | undefined;
  let clients: MotoClients | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    const config = { region: 'us-east-1', endpoint: moto.endpoint };
    clients = {
      endpoint: moto.endpoint,
      iam: new IAMClient(config),
      sns: new SNSClient(config),
      sqs: new SQSClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      db: new DynamoDBClient(config),
      securityHub: new SecurityHubClient(config),
      secrets: new SecretsManagerClient(config),
    };
  });
  afterAll(async () => {
    await moto?.stop();
  });
  if (options.resetEachTest !== false)
    beforeEach(async () => {
      await moto?.reset();
    });
  return () => {
    if (!clients) throw new Error('moto is not running');
    return clients;
  };
}
