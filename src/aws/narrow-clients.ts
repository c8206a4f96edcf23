import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SignerClient } from '@aws-sdk/client-signer';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';

/*
 * The steps only ever call `send`: these narrow types let tests inject a mocked client, and keep
 * the steps from depending on client construction (which lives in ./clients.ts).
 */

/** An IAM client, as the steps use it. */
export type IamClient = Pick<IAMClient, 'send'>;
/** A CloudTrail client, as the steps use it. */
export type CloudTrailApi = Pick<CloudTrailClient, 'send'>;
/** An EC2 client, as the steps use it (only `DescribeRegions`). */
export type Ec2Client = Pick<EC2Client, 'send'>;
/** An SNS client, as the steps use it. */
export type SnsClient = Pick<SNSClient, 'send'>;
/** An SQS client, as `status` uses it (only `GetQueueAttributes`). */
export type SqsApi = Pick<SQSClient, 'send'>;
/** An S3 client, as the steps use it. */
export type S3Api = Pick<S3Client, 'send'>;
/** A Step Functions client, as the CLI uses it. */
export type SfnApi = Pick<SFNClient, 'send'>;
/** A CloudFormation client, as the deploy library uses it. */
export type CloudFormationApi = Pick<CloudFormationClient, 'send'>;
/** An STS client, as the CLI uses it. */
export type StsApi = Pick<STSClient, 'send'>;
/** An Athena client, as the Athena source uses it. */
export type AthenaApi = Pick<AthenaClient, 'send'>;
/** A Glue client, as the Athena source uses it (only `GetTable`). */
export type GlueApi = Pick<GlueClient, 'send'>;
/** A DynamoDB client, as the incident record uses it. */
export type DynamoDbApi = Pick<DynamoDBClient, 'send'>;
/**
 * A Security Hub client, as the finding step uses it: `GetFindings` and `BatchImportFindings` only
 * (moto serves both; it has no `BatchUpdateFindings`, which the customer's workflow owns anyway).
 */
export type SecurityHubApi = Pick<SecurityHubClient, 'send'>;
/** A Secrets Manager client, as the webhook uses it (only `GetSecretValue`). */
export type SecretsApi = Pick<SecretsManagerClient, 'send'>;
/** An AWS Signer client, as the deploy library uses it (only to sign the Lambda artifact). */
export type SignerApi = Pick<SignerClient, 'send'>;
/** An EventBridge Scheduler client, as the lifecycle steps use it. */
export type SchedulerApi = Pick<SchedulerClient, 'send'>;
/** An EC2 client of one region, as the inventory uses it (`DescribeInstances`). */
export type Ec2Api = Pick<EC2Client, 'send'>;
/** A Lambda client of one region, as the inventory uses it (`GetFunctionConcurrency`). */
export type LambdaApi = Pick<LambdaClient, 'send'>;
/** An Organizations client, as the inventory (`ListAccounts`) and organisation mode (`DescribeAccount`) use it. */
export type OrganizationsApi = Pick<OrganizationsClient, 'send'>;

/** EventBridge, as `status` uses it. */
export type EventBridgeApi = Pick<EventBridgeClient, 'send'>;
