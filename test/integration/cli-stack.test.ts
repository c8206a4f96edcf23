/*
 * `exposed-keys deploy`, `status` and `destroy`, run as a user runs them (the built CLI, in a child
 * process) against moto behind a proxy that records every call. The stack's resources are checked
 * with CloudFormation directly. On moto a stack's Outputs are empty after a CREATE change set, and
 * an UPDATE with nothing to change is refused by CreateChangeSet itself; the deploy library copes
 * with both (see deploy-library.test.ts).
 */
import { readFile } from 'node:fs/promises';
import {
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { DisableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ensureArtifact } from '../../src/deploy/package-artifact.js';
import { loadTemplate } from '../../src/deploy/template.js';
import { expectPrivateEncryptedBucket } from '../support/bucket-assertions.js';
import { MOTO_ACCOUNT, useCliEnvironment } from '../support/cli-env.js';

const cli = useCliEnvironment();

const STACK = 'exposed-keys';
const BUCKET = `exposed-keys-artifacts-${MOTO_ACCOUNT}-us-east-1`;

/**
 * The template's conditions that hold with the parameters' defaults: Security Hub findings are on,
 * and a verification is scheduled after containment.
 */
const TRUE_BY_DEFAULT = new Set(['FindingsOn', 'UsesSchedules']);

async function unconditionalResources(): Promise<string[]> {
  const template = await loadTemplate();
  return (
    Object.entries(template.Resources)
      // moto has no CloudFormation model for topic or queue policies or schedule groups: it skips them.
      .filter(
        ([, resource]) =>
          (resource.Condition === undefined || TRUE_BY_DEFAULT.has(resource.Condition)) &&
          resource.Type !== 'AWS::SNS::TopicPolicy' &&
          resource.Type !== 'AWS::SQS::QueuePolicy' &&
          resource.Type !== 'AWS::Scheduler::ScheduleGroup',
      )
      .map(([logicalId]) => logicalId)
      .sort()
  );
}

/** The stack's resources; moto adds one without a logical id for a resource whose Condition is false. */
async function stackResources(stackName = STACK) {
  const answer = await cli().cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return (answer.StackResources ?? []).filter((resource) => resource.LogicalResourceId !== undefined);
}

/** The stack as CloudFormation describes it, or undefined when it does not exist. */
async function describedStack(stackName = STACK) {
  try {
    const answer = await cli().cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return answer.Stacks?.[0];
  } catch (error) {
    if ((error as Error).message.includes('does not exist')) return undefined;
    throw error;
  }
}

function parametersOf(stack: Awaited<ReturnType<typeof describedStack>>): Record<string, string | undefined> {
  return Object.fromEntries(
    (stack?.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]),
  );
}

/** The artifact uploads that reached moto (PUT of an object under the bucket). */
function artifactUploads() {
  return cli()
    .wire()
    .filter(
      (request) =>
        request.service === 's3' && request.method === 'PUT' && request.path.startsWith(`/${BUCKET}/lambda/`),
    );
}

async function deployed(...flags: string[]) {
  const run = await cli().run(['deploy', '--yes', ...flags]);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return run;
}

describe('deploying the stack', () => {
  it('creates every resource in an empty account, with an encrypted, private artifact bucket', async () => {
    const run = await cli().run(['deploy', '--yes']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${STACK}: CREATE_COMPLETE`);
    expect((await describedStack())?.StackStatus).toBe('CREATE_COMPLETE');
    const resources = await stackResources();
    expect(resources.map((resource) => resource.LogicalResourceId).sort()).toEqual(await unconditionalResources());
    expect(resources.every((resource) => resource.ResourceStatus === 'CREATE_COMPLETE')).toBe(true);
    const { s3 } = cli().moto;
    await expectPrivateEncryptedBucket(s3, BUCKET);
    expect(artifactUploads()).toHaveLength(1);
  });

  it('reports no changes when deployed again, without uploading the artifact again', async () => {
    await deployed();
    cli().forgetCalls();

    const text = await cli().run(['deploy', '--yes']);
    const json = await cli().run(['deploy', '--yes', '--json']);

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/No changes: exposed-keys is up to date/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      stackName: STACK,
      noChanges: true,
      status: 'CREATE_COMPLETE',
      artifact: { bucket: BUCKET, upload: 'unchanged' },
    });
    const s3Requests = cli()
      .wire()
      .filter((request) => request.service === 's3');
    expect(s3Requests.length).toBeGreaterThan(0);
    expect(s3Requests.filter((request) => request.method === 'PUT')).toEqual([]);
    expect(cli().actions()).not.toContain('ExecuteChangeSet');
  });

  it('names the account that must own the bucket on every S3 request but CreateBucket', async () => {
    await deployed();

    const s3Requests = cli()
      .wire()
      .filter((request) => request.service === 's3');
    const creation = (request: { method: string; path: string; query: string }) =>
      request.method === 'PUT' && request.path.replace(/\/$/, '') === `/${BUCKET}` && request.query === '';

    expect(s3Requests.filter(creation)).toHaveLength(1);
    expect(s3Requests.length).toBeGreaterThan(5);
    for (const request of s3Requests.filter((each) => !creation(each)))
      expect(request.expectedBucketOwner, `${request.method} ${request.path}${request.query}`).toBe(MOTO_ACCOUNT);
  });

  it('replaces an object planted at the artifact key, and deploys the version it uploaded', async () => {
    const first = JSON.parse((await deployed('--json')).stdout);
    const { s3 } = cli().moto;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: first.artifact.key, Body: Buffer.from('planted') }));

    const run = await cli().run(['deploy', '--yes', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const second = JSON.parse(run.stdout);
    expect(second.artifact).toMatchObject({ key: first.artifact.key, upload: 'replaced' });
    expect(second.artifact.versionId).not.toBe(first.artifact.versionId);
    const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: first.artifact.key }));
    const artifact = await ensureArtifact();
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(await readFile(artifact.zipPath))).toBe(true);
    expect(parametersOf(await describedStack())).toMatchObject({ ArtifactVersion: second.artifact.versionId });
  });

  it('updates the stack when a parameter changes', async () => {
    await deployed();

    const run = await cli().run(['deploy', '--yes', '--mode', 'deactivate', '--json']);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ noChanges: false, status: 'UPDATE_COMPLETE' });
    const stack = await describedStack();
    expect(stack?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(parametersOf(stack)).toMatchObject({ ContainmentMode: 'deactivate', RevokeSessions: 'true' });
  });

  it("encrypts the topic with a key of the stack's own with --kms-key create", async () => {
    const run = await cli().run(['deploy', '--yes', '--kms-key', 'create', '--json']);

    expect(run.code, run.stderr).toBe(0);
    expect(parametersOf(await describedStack())).toMatchObject({ KmsKey: 'create', CodeSigningProfileArn: '' });
    const key = (await stackResources()).find((resource) => resource.LogicalResourceId === 'EncryptionKey');
    expect(key?.ResourceStatus).toBe('CREATE_COMPLETE');
  });

  it('signs the artifact before any change set with --code-signing-profile, and refuses a profile of another region', async () => {
    const profile = `arn:aws:signer:us-east-1:${MOTO_ACCOUNT}:/signing-profiles/exposed_keys`;

    // moto has no StartSigningJob (the signing itself is unit-tested): the deploy stops there.
    const run = await cli().run(['deploy', '--yes', '--code-signing-profile', profile]);
    const elsewhere = await cli().run([
      'deploy',
      '--yes',
      '--code-signing-profile',
      profile.replace('us-east-1', 'eu-west-1'),
    ]);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/signer:StartSigningJob failed/);
    expect(cli().actions()).not.toContain('CreateChangeSet');
    expect(await describedStack()).toBeUndefined();
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/--code-signing-profile must be the ARN of an AWS Signer profile in us-east-1/);
  });

  it('refuses to execute without --yes when not at a terminal, before any call: no bucket, no upload, no stack', async () => {
    const run = await cli().run(['deploy']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/add --yes/);
    expect(await describedStack()).toBeUndefined();
    expect(cli().actions()).toEqual([]);
  });

  it('leaves a change set for review, and no resources, with --no-execute', async () => {
    const run = await cli().run(['deploy', '--no-execute', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'REVIEW', noChanges: false });
    expect(result.changes.map((change: { logicalId: string }) => change.logicalId)).toEqual(
      expect.arrayContaining(await unconditionalResources()),
    );
    expect((await describedStack())?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    expect(await stackResources()).toEqual([]);
    const changeSets = await cli().cloudFormation.send(new ListChangeSetsCommand({ StackName: STACK }));
    expect(changeSets.Summaries?.map((summary) => summary.ChangeSetId)).toEqual([result.changeSet]);
    expect(cli().actions()).not.toContain('ExecuteChangeSet');
  });

  it('refuses another region than us-east-1 before making any call', async () => {
    const run = await cli().run(['deploy', '--yes', '--region', 'eu-west-1']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/must live in us-east-1/);
    expect(run.stderr).toMatch(/--region us-east-1/);
    expect(cli().calls()).toEqual([]);
  });
});

describe('deploying without valid credentials', () => {
  it('says how to log in when the credentials have expired', async () => {
    cli().proxy.setRules([{ service: 'sts', fault: 'expired-token' }]);

    const run = await cli().run(['deploy', '--yes']);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/ExpiredToken/);
    expect(run.stderr).toMatch(/Log in again/);
    expect(cli().calls()).toEqual([
      expect.objectContaining({ service: 'sts', action: 'GetCallerIdentity', faulted: true }),
    ]);
    expect(await describedStack()).toBeUndefined();
  });

  it('says how to log in when there are no credentials at all', async () => {
    const run = await cli().run(['deploy', '--yes'], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/credentials/i);
    expect(run.stderr).toMatch(/Log in again/);
    expect(cli().calls()).toEqual([]);
  });
});

describe('checking on the stack', () => {
  it('describes the stack, its subscriptions and its executions with status --json', async () => {
    await deployed('--email', 'security@example.com');
    const resources = await stackResources();
    const physicalId = (logicalId: string) =>
      resources.find((resource) => resource.LogicalResourceId === logicalId)?.PhysicalResourceId;
    // moto makes no subscription for the template's AWS::SNS::Subscription: subscribe by hand.
    await cli().moto.sns.send(
      new SubscribeCommand({
        TopicArn: physicalId('NotificationTopic'),
        Protocol: 'email',
        Endpoint: 'security@example.com',
      }),
    );
    await cli().sfn.send(
      new StartExecutionCommand({ stateMachineArn: physicalId('StateMachine'), name: 'by-hand', input: '{}' }),
    );

    const run = await cli().run(['status', '--json']);

    // moto confirms an e-mail subscription at once: someone receives the alerts, the queue is empty.
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.stack).toMatchObject({ stackName: STACK, status: 'CREATE_COMPLETE', state: 'succeeded' });
    expect(status.stack.resources.map((resource: { logicalId: string }) => resource.logicalId)).toEqual(
      expect.arrayContaining(await unconditionalResources()),
    );
    expect(status.stack.parameters).toMatchObject({ NotificationEmail: 'security@example.com' });
    expect(status.subscriptions).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'security@example.com' }),
    ]);
    expect(status.executions).toEqual([expect.objectContaining({ name: 'by-hand' })]);
    expect(status.undelivered).toEqual({ queueUrl: physicalId('UndeliveredQueue'), waiting: 0, inFlight: 0 });
    expect(status.delivery.rules.length).toBeGreaterThanOrEqual(3);
    expect(status.delivery.rules.every((rule: { state?: string }) => rule.state === 'ENABLED')).toBe(true);
    expect(status.delivery.queueReader).toEqual({ state: 'Enabled', uuid: physicalId('UndeliveredEventSource') });

    // A rule disabled by hand: its events never reach the state machine, and status says so.
    const rule = physicalId('HealthRiskRule') as string;
    await new EventBridgeClient({ region: 'us-east-1', endpoint: cli().moto.endpoint }).send(
      new DisableRuleCommand({ Name: rule }),
    );
    const disabled = await cli().run(['status']);
    expect(disabled.code, disabled.stderr).toBe(3);
    expect(disabled.stderr).toContain(
      `The rule ${rule} is DISABLED: the events it matches never reach the state machine. Enable it: aws events enable-rule --name ${rule} --region us-east-1.`,
    );
  });

  it('shows the stack as text', async () => {
    await deployed();

    const run = await cli().run(['status']);

    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/exposed-keys: CREATE_COMPLETE/);
    expect(run.stdout).toMatch(/StateMachine\s+AWS::StepFunctions::StateMachine/);
    expect(run.stdout).toMatch(/none: nobody receives the notifications/);
  });
});

describe('a stack of the same name that exposed-keys did not make', () => {
  const PAYMENTS = JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Payments queue',
    Resources: { PaymentsQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'payments-queue' } } },
  });
  const queueKept = async () =>
    ((await cli().moto.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).some((url) =>
      url.endsWith('/payments-queue'),
    );

  it('is left alone by deploy and destroy, which say why and change nothing', async () => {
    await cli().cloudFormation.send(new CreateStackCommand({ StackName: 'payments', TemplateBody: PAYMENTS }));

    const deployed = await cli().run(['deploy', '--yes', '--stack-name', 'payments']);
    const destroyed = await cli().run(['destroy', '--yes', '--stack-name', 'payments']);

    for (const run of [deployed, destroyed]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('was not made by exposed-keys');
    }
    expect(await queueKept()).toBe(true);
    const [stack] =
      (await cli().cloudFormation.send(new DescribeStacksCommand({ StackName: 'payments' }))).Stacks ?? [];
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(cli().actions()).not.toContain('CreateChangeSet');
    expect(cli().actions()).not.toContain('DeleteStack');
  });
});

describe('removing the stack', () => {
  it('deletes the stack with destroy --yes, after which status says how to deploy', async () => {
    await deployed();

    const destroyed = await cli().run(['destroy', '--yes']);
    const status = await cli().run(['status']);

    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toMatch(/Deleted exposed-keys/);
    expect(await describedStack()).toBeUndefined();
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/Stack exposed-keys was not found in us-east-1/);
    expect(status.stderr).toMatch(/exposed-keys deploy/);
  });

  it('refuses to destroy without --yes when not at a terminal, and keeps the stack', async () => {
    await deployed();

    const run = await cli().run(['destroy']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/add --yes/);
    expect((await describedStack())?.StackStatus).toBe('CREATE_COMPLETE');
  });
});
