import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
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
/** An S3 client, as the steps use it. */
export type S3Api = Pick<S3Client, 'send'>;
/** A Step Functions client, as the CLI uses it. */
export type SfnApi = Pick<SFNClient, 'send'>;
/** A CloudFormation client, as the deploy library uses it. */
export type CloudFormationApi = Pick<CloudFormationClient, 'send'>;
/** An STS client, as the CLI uses it. */
export type StsApi = Pick<STSClient, 'send'>;
/** An Organizations client, as organisation mode uses it. */
export type OrganizationsApi = Pick<OrganizationsClient, 'send'>;
