import { readFile } from 'node:fs/promises';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type StackResource,
} from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMoto } from '../../emulators/moto.js';
import { projectPaths } from '../../src/common/project-root.js';
import { type CloudFormationTemplate, loadTemplate } from '../../src/deploy/template.js';

const STACK = 'exposed-keys-test';
const BUCKET = 'exposed-keys-artifacts';
const KEY = 'exposed-keys/lambda.zip';

/*
 * Gaps of moto 5.2's CloudFormation, none of which AWS has. The template stays as AWS needs it;
 * these tests check what moto can show:
 * - it has no AWS::SNS::Subscription: the resource is skipped (listed without a logical ID or
 *   type) and the stack still completes;
 * - AWS::StepFunctions::StateMachine reads only DefinitionString: the inline Definition and its
 *   DefinitionSubstitutions are ignored, so the deployed definition is empty (the definition is
 *   run by test/workflow/run-local.test.ts instead);
 * - the template's Rules are not evaluated, so a deploy outside us-east-1 is not refused;
 * - Lambda's LoggingConfig is accepted and ignored; stack Outputs may be empty;
 * - GetAtt of a log group's Arn lacks AWS's trailing `:*`, and GetRolePolicy answers with a
 *   Python dict rather than JSON.
 */
const NOT_IN_MOTO: Readonly<Record<string, string>> = {
  'AWS::SNS::Subscription': 'moto has no CloudFormation model for it',
  // The Athena option's resources: moto skips them (the template tests and cfn-lint check them).
  'AWS::Glue::Database': 'moto has no CloudFormation model for it',
  'AWS::Glue::Table': 'moto has no CloudFormation model for it',
  'AWS::Athena::WorkGroup': 'moto has no CloudFormation model for it',
  'AWS::SNS::TopicPolicy': 'moto has no CloudFormation model for it',
  'AWS::Scheduler::ScheduleGroup': 'moto has no CloudFormation model for it',
  'AWS::SQS::QueuePolicy': 'moto has no CloudFormation model for it',
};
const ATHENA_STACK = 'exposed-keys-athena-test';

/** Resources whose condition is false with the parameters deployed below (no chat ids, no signing): never created. */
// Deployed for one account: organisation mode's resources are left out too (organization.test.ts deploys them).
const NOT_DEPLOYED = new Set([
  'HasChatChannel',
  'HasSlack',
  'HasTeams',
  'HasWebhook',
  'SignsCode',
  'IsOrganization',
  'NeedsOrganizationTopicKey',
]);

let moto: MotoServer;
let template: CloudFormationTemplate;
let status: string;
let athenaStatus: string;

function clientOptions() {
  return {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

function artifact(): Uint8Array {
  const handler = strToU8('export const handler = async () => ({});\n');
  return zipSync({
    'contain.mjs': handler,
    'investigate.mjs': handler,
    'notify.mjs': handler,
    'undelivered.mjs': handler,
  });
}

async function waitForStack(cloudFormation: CloudFormationClient, stackName: string): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stackStatus = Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
    if (!stackStatus.endsWith('_IN_PROGRESS')) return stackStatus;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Stack ${stackName} did not settle.`);
}

async function stackResources(stackName = STACK): Promise<StackResource[]> {
  const cloudFormation = new CloudFormationClient(clientOptions());
  const { StackResources = [] } = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: stackName }),
  );
  return StackResources;
}

beforeAll(async () => {
  // A missing moto throws here, and fails every test below rather than skipping them.
  moto = await startMoto();
  template = await loadTemplate();
  const s3 = new S3Client({ ...clientOptions(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: artifact() }));
  const cloudFormation = new CloudFormationClient(clientOptions());
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: STACK,
      TemplateBody: await readFile(projectPaths().template, 'utf8'),
      Parameters: [
        { ParameterKey: 'ArtifactBucket', ParameterValue: BUCKET },
        { ParameterKey: 'ArtifactKey', ParameterValue: KEY },
        { ParameterKey: 'NotificationEmail', ParameterValue: 'security@example.com' },
        { ParameterKey: 'ContainmentMode', ParameterValue: 'deactivate' },
        { ParameterKey: 'KmsKey', ParameterValue: 'create' },
      ],
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  status = await waitForStack(cloudFormation, STACK);
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: ATHENA_STACK,
      TemplateBody: await readFile(projectPaths().template, 'utf8'),
      Parameters: [
        { ParameterKey: 'ArtifactBucket', ParameterValue: BUCKET },
        { ParameterKey: 'ArtifactKey', ParameterValue: KEY },
        { ParameterKey: 'TrailBucket', ParameterValue: 'org-trail-logs' },
        { ParameterKey: 'TrailOrganizationId', ParameterValue: 'o-abcdefghij' },
      ],
      Capabilities: ['CAPABILITY_IAM'],
    }),
  );
  athenaStatus = await waitForStack(cloudFormation, ATHENA_STACK);
});

afterAll(async () => {
  await moto?.stop();
});

describe('the template deployed to the moto emulator', () => {
  it('completes and creates every resource of the template that moto implements', async () => {
    const resources = await stackResources();

    expect(status).toBe('CREATE_COMPLETE');
    const created = resources.filter((resource) => resource.LogicalResourceId !== undefined);
    // Deployed with a key of the stack's own and without code signing (SignsCode is false).
    const expected = Object.entries(template.Resources)
      .filter(([, resource]) => !(resource.Type in NOT_IN_MOTO) && !NOT_DEPLOYED.has(resource.Condition ?? ''))
      .map(([logicalId]) => logicalId);
    expect(expected).toEqual(expect.arrayContaining(['EncryptionKey', 'EncryptionKeyAlias']));
    expect(expected).toContain('StateMachine');
    expect(created.map((resource) => resource.LogicalResourceId).sort()).toEqual(expected.sort());
    // moto lists each resource it skips as an empty entry, whatever its condition.
    expect(resources).toHaveLength(Object.keys(template.Resources).length);
    for (const resource of created) {
      expect(resource.ResourceStatus).toBe('CREATE_COMPLETE');
      expect(resource.ResourceType).toBe(template.Resources[resource.LogicalResourceId!]?.Type);
      expect(resource.PhysicalResourceId).toBeTruthy();
    }
  });

  it('wires the resources to one another', async () => {
    const resources = await stackResources();
    const physical = (logicalId: string) =>
      resources.find((resource) => resource.LogicalResourceId === logicalId)?.PhysicalResourceId ?? '';
    const account = resources[0]?.StackId?.split(':')[4];
    const iam = new IAMClient(clientOptions());
    const sfn = new SFNClient(clientOptions());
    const sns = new SNSClient(clientOptions());

    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: physical('StateMachine') }));
    const role = await iam.send(new GetRoleCommand({ RoleName: physical('StateMachineRole') }));
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: physical('ContainRole'), PolicyName: 'contain' }),
    );
    const topic = await sns.send(new GetTopicAttributesCommand({ TopicArn: physical('NotificationTopic') }));

    expect(machine.roleArn).toBe(role.Role?.Arn);
    expect(account).toMatch(/^\d{12}$/);
    // moto returns the inline policy of a stack's role as a Python dict, not JSON: read it as text.
    expect(policy.PolicyDocument).toContain(`arn:aws:iam::${account}:user/*`);
    expect(policy.PolicyDocument).not.toContain('${');
    expect(topic.Attributes?.KmsMasterKeyId).toBe(`arn:aws:kms:us-east-1:${account}:key/${physical('EncryptionKey')}`);
  });

  it('sends what a rule cannot deliver to the dead-letter queue, which the alerting function reads', async () => {
    const resources = await stackResources();
    const physical = (logicalId: string) =>
      resources.find((resource) => resource.LogicalResourceId === logicalId)?.PhysicalResourceId ?? '';
    const queue = await new SQSClient(clientOptions()).send(
      new GetQueueAttributesCommand({ QueueUrl: physical('UndeliveredQueue'), AttributeNames: ['QueueArn'] }),
    );
    const queueArn = queue.Attributes?.QueueArn;
    const events = new EventBridgeClient(clientOptions());
    const mappings = await new LambdaClient(clientOptions()).send(
      new ListEventSourceMappingsCommand({ FunctionName: physical('UndeliveredFunction') }),
    );

    expect(queueArn).toMatch(/^arn:aws:sqs:us-east-1:\d{12}:/);
    for (const rule of ['TrustedAdvisorRule', 'HealthRiskRule', 'QuarantineRule']) {
      const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: physical(rule) }));
      expect(Targets?.[0]?.DeadLetterConfig?.Arn, rule).toBe(queueArn);
    }
    expect(mappings.EventSourceMappings?.map((mapping) => mapping.EventSourceArn)).toEqual([queueArn]);
  });

  it("sends the queue an execution of the stack's state machine that was stopped, and not one that succeeded", async () => {
    const resources = await stackResources();
    const physical = (logicalId: string) =>
      resources.find((resource) => resource.LogicalResourceId === logicalId)?.PhysicalResourceId ?? '';
    const sqs = new SQSClient(clientOptions());
    const { Targets } = await new EventBridgeClient(clientOptions()).send(
      new ListTargetsByRuleCommand({ Rule: physical('ResponseEndedRule') }),
    );
    const queueArn = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: physical('UndeliveredQueue'), AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    const change = (status: string) => ({
      Source: 'aws.states',
      DetailType: 'Step Functions Execution Status Change',
      Detail: JSON.stringify({
        executionArn: `${physical('StateMachine').replace(':stateMachine:', ':execution:')}:e-${status}`,
        stateMachineArn: physical('StateMachine'),
        status,
      }),
    });

    await new EventBridgeClient(clientOptions()).send(
      new PutEventsCommand({ Entries: [change('SUCCEEDED'), change('ABORTED')] }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: physical('UndeliveredQueue'),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );

    expect(Targets?.map((target) => target.Arn)).toEqual([queueArn]);
    const statuses = (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}').detail?.status);
    expect(statuses).toEqual(['ABORTED']);
  });

  it('completes with the Athena option (a trail bucket and an organisation)', async () => {
    const resources = await stackResources(ATHENA_STACK);

    expect(athenaStatus).toBe('CREATE_COMPLETE');
    const created = resources.filter((resource) => resource.LogicalResourceId !== undefined);
    expect(created.map((resource) => resource.LogicalResourceId)).toContain('InvestigateFunction');
    for (const resource of created) expect(resource.ResourceStatus).toBe('CREATE_COMPLETE');
    expect(resources).toHaveLength(Object.keys(template.Resources).length);
  });
});
