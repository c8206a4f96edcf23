/*
 * The deploy library against moto: package, upload, deploy through change sets, describe, destroy.
 *
 * moto 5.2 gaps met here (the library works around each; AWS behaves as the comments say):
 * - No resource events: a stack's events are its own (…_IN_PROGRESS, …_COMPLETE), and an execution
 *   completes within the ExecuteChangeSet call. Following per-resource events is unit-tested.
 * - No rollback: a failing resource does not roll the stack back, so DeploymentError is unit-tested.
 * - Stack Outputs are empty after a CREATE change set: resources come from DescribeStackResources.
 * - An UPDATE with nothing to change is refused by CreateChangeSet itself ("No updates are to be
 *   performed."), where AWS makes a change set that fails with "didn't contain changes".
 * - An UPDATE change set that only changes parameter values lists no resource changes (AWS lists
 *   the resources that use them as Modify).
 * - The change set lists resources whose Condition is false (EmailSubscription without an e-mail).
 * - After an update, DescribeStackResources lists some resources without a logical id.
 * - An update of an SNS topic's properties replaces the topic (a new ARN).
 * - moto is reached over plain HTTP and applies a bucket policy's Deny to object requests without
 *   reading its condition: the TLS-only policy refuses every object request here, as AWS refuses a
 *   request without TLS. So the buckets that take uploads are made without it (tlsOnly: false, as
 *   `deploy` does over plain HTTP), and the policy is checked on a bucket of its own.
 * - S3 does not check a ChecksumSHA256 sent with PutObject against the body (AWS refuses a
 *   mismatch), so an object planted with a forged checksum passes for the artifact here: the
 *   tampered objects below carry no SHA-256, or a true one of their own bytes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMoto } from '../../emulators/moto.js';
import { projectPaths } from '../../src/common/project-root.js';
import {
  artifactBucketName,
  ensureArtifactBucket,
  tlsOnlyBucketPolicy,
  uploadArtifact,
} from '../../src/deploy/artifact-bucket.js';
import { discardChangeSet, prepareChangeSet } from '../../src/deploy/change-set.js';
import { deleteArtifactBucket } from '../../src/deploy/delete-bucket.js';
import { destroyStack } from '../../src/deploy/destroy.js';
import { executeChangeSet } from '../../src/deploy/execute-change-set.js';
import { type Artifact, ensureArtifact } from '../../src/deploy/package-artifact.js';
import type { DeployProgress, StackEvent } from '../../src/deploy/progress.js';
import { describeStack } from '../../src/deploy/stack-description.js';
import { compactTemplate, readTemplate } from '../../src/deploy/template.js';
import { templateObjectIfTooLarge } from '../../src/deploy/template-object.js';
import { expectPrivateEncryptedBucket } from '../support/bucket-assertions.js';

const REGION = 'us-east-1';
const STACK = 'exposed-keys';
const OWNER = '123456789012';
const BUCKET = artifactBucketName(OWNER, REGION);
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** What the tests deploy: the real template when it is there, else a small one of the same shape. */
interface Scenario {
  templateBody: string;
  firstParameters: (location: { bucket: string; key: string }) => Record<string, string>;
  /** One parameter to change on the update; the others keep their deployed values. */
  change: { key: string; value: string };
  topicLogicalId: string;
  expectedResources: string[];
}

const SMALL_TEMPLATE = `
Parameters:
  ArtifactKey: { Type: String }
  TopicName: { Type: String, Default: first }
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Ref TopicName
Outputs:
  TopicArn:
    Value: !Ref Topic
`;

async function scenario(): Promise<Scenario> {
  if (existsSync(projectPaths().template))
    return {
      templateBody: await readTemplate(),
      firstParameters: ({ bucket, key }) => ({ ArtifactBucket: bucket, ArtifactKey: key }),
      change: { key: 'ContainmentMode', value: 'deactivate' },
      topicLogicalId: 'NotificationTopic',
      expectedResources: [
        'ContainFunction',
        'InvestigateFunction',
        'NotifyFunction',
        'NotificationTopic',
        'StateMachine',
      ],
    };
  return {
    templateBody: SMALL_TEMPLATE,
    firstParameters: ({ key }) => ({ ArtifactKey: key }),
    change: { key: 'TopicName', value: 'second' },
    topicLogicalId: 'Topic',
    expectedResources: ['Topic'],
  };
}

/**
 * The template as a deploy sends it: by URL from the artifact bucket once it is over what
 * CloudFormation takes inline, as `runDeploy` does.
 */
async function sentTemplate(): Promise<{ templateBody: string; templateUrl?: string }> {
  const body = compactTemplate(plan.templateBody);
  const object = await templateObjectIfTooLarge({ s3 }, { bucket: BUCKET, owner: OWNER, region: REGION, body });
  return { templateBody: plan.templateBody, ...(object ? { templateUrl: object.url } : {}) };
}

let moto: MotoServer;
let cloudFormation: CloudFormationClient;
let s3: S3Client;
let sns: SNSClient;
let plan: Scenario;
let artifact: Artifact;
let topicArn: string | undefined;

function recorder() {
  const steps: string[] = [];
  const events: StackEvent[] = [];
  const progress: DeployProgress = { onStep: (message) => steps.push(message), onStackEvent: (e) => events.push(e) };
  return { steps, events, progress };
}

function deps(progress?: DeployProgress) {
  return { cloudFormation, s3, progress, poll: { intervalMs: 20 } };
}

async function topicArns(): Promise<string[]> {
  const answer = await sns.send(new ListTopicsCommand({}));
  return (answer.Topics ?? []).flatMap((topic) => topic.TopicArn ?? []);
}

beforeAll(async () => {
  moto = await startMoto();
  const endpoint = moto.endpoint;
  cloudFormation = new CloudFormationClient({ region: REGION, endpoint, credentials });
  s3 = new S3Client({ region: REGION, endpoint, credentials, forcePathStyle: true });
  sns = new SNSClient({ region: REGION, endpoint, credentials });
  plan = await scenario();
  artifact = await ensureArtifact();
});

afterAll(async () => {
  await moto?.stop();
});

describe('deploying exposed-keys with the deploy library', () => {
  it('creates a private, encrypted, versioned artifact bucket and uploads the artifact once', async () => {
    const bucket = await ensureArtifactBucket({ s3 }, { bucket: BUCKET, owner: OWNER, region: REGION, tlsOnly: false });
    const first = await uploadArtifact({ s3 }, { bucket: BUCKET, owner: OWNER, artifact });
    const second = await uploadArtifact({ s3 }, { bucket: BUCKET, owner: OWNER, artifact });

    expect(bucket.created).toBe(true);
    expect([first.status, second.status]).toEqual(['uploaded', 'unchanged']);
    expect(second.versionId).toBe(first.versionId);
    expect(first.versionId).toEqual(expect.any(String));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: first.key, ChecksumMode: 'ENABLED' }));
    expect(head.ContentLength).toBe(artifact.bytes);
    expect(head.ChecksumSHA256).toBe(Buffer.from(artifact.sha256, 'hex').toString('base64'));
    await expectPrivateEncryptedBucket(s3, BUCKET);
  });

  it.each([
    ['other bytes', {}],
    ['other bytes with their own SHA-256', { ChecksumAlgorithm: 'SHA256' as const }],
  ])('replaces an object planted at the artifact key holding %s', async (_, checksum) => {
    const key = `lambda/${artifact.sha256}.zip`;
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('not the artifact'), ...checksum }),
    );

    const result = await uploadArtifact({ s3 }, { bucket: BUCKET, owner: OWNER, artifact });

    expect(result.status).toBe('replaced');
    const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: result.versionId }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(await readFile(artifact.zipPath))).toBe(true);
    const latest = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(latest.VersionId).toBe(result.versionId);
  });

  it('gives a new bucket a policy that denies every request without TLS', async () => {
    const bucket = `${BUCKET}-tls`;

    await ensureArtifactBucket({ s3 }, { bucket, owner: OWNER, region: REGION });

    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    expect(JSON.parse(Policy ?? '{}')).toEqual(JSON.parse(tlsOnlyBucketPolicy(bucket)));
    // This request is plain HTTP: the bucket refuses it.
    await expect(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'lambda/x.zip', Body: Buffer.from('x') })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expectPrivateEncryptedBucket(s3, bucket);
    await deleteArtifactBucket({ s3 }, { bucket, owner: OWNER });
  });

  it('deploys the stack into an empty account', async () => {
    const { steps, events, progress } = recorder();
    const key = `lambda/${artifact.sha256}.zip`;

    const prepared = await prepareChangeSet(deps(progress), {
      stackName: STACK,
      ...(await sentTemplate()),
      parameters: plan.firstParameters({ bucket: BUCKET, key }),
    });
    const result = await executeChangeSet(deps(progress), prepared);

    expect(prepared.changeSetType).toBe('CREATE');
    expect(prepared.changes.map((change) => change.logicalId)).toEqual(expect.arrayContaining(plan.expectedResources));
    expect(result).toMatchObject({ status: 'CREATE_COMPLETE', state: 'succeeded', noChanges: false });
    expect(result.resources.map((resource) => resource.logicalId)).toEqual(
      expect.arrayContaining(plan.expectedResources),
    );
    topicArn = result.resources.find((resource) => resource.logicalId === plan.topicLogicalId)?.physicalId;
    expect(await topicArns()).toContain(topicArn);
    expect(events.map((event) => event.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(steps.some((step) => step.startsWith('Executing change set'))).toBe(true);
  });

  it('reports no changes when the same deploy runs again', async () => {
    const { steps, progress } = recorder();

    const prepared = await prepareChangeSet(deps(progress), {
      stackName: STACK,
      ...(await sentTemplate()),
      parameters: plan.firstParameters({ bucket: BUCKET, key: `lambda/${artifact.sha256}.zip` }),
    });
    const result = await executeChangeSet(deps(progress), prepared);

    expect(prepared).toMatchObject({ noChanges: true, changeSetType: 'UPDATE' });
    expect(result).toMatchObject({ noChanges: true, status: 'CREATE_COMPLETE' });
    expect(steps).toContain(`Stack ${STACK} is up to date: no changes`);
  });

  it('updates the stack when a parameter changes, keeping the parameters not given', async () => {
    const { events, progress } = recorder();

    const prepared = await prepareChangeSet(deps(progress), {
      stackName: STACK,
      ...(await sentTemplate()),
      parameters: { [plan.change.key]: plan.change.value },
    });
    const result = await executeChangeSet(deps(progress), prepared);

    expect(prepared).toMatchObject({ changeSetType: 'UPDATE', noChanges: false });
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(events.map((event) => event.status)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    // moto replaces an SNS topic on any update of its properties; AWS keeps it for a DisplayName change.
    topicArn = result.resources.find((resource) => resource.logicalId === plan.topicLogicalId)?.physicalId;
    expect(await topicArns()).toContain(topicArn);
    const described = await describeStack(cloudFormation, STACK);
    expect(described?.parameters).toMatchObject({
      [plan.change.key]: plan.change.value,
      ArtifactKey: `lambda/${artifact.sha256}.zip`,
    });
  });

  it('describes the deployed stack for status', async () => {
    const described = await describeStack(cloudFormation, STACK);

    expect(described).toMatchObject({ stackName: STACK, status: 'UPDATE_COMPLETE', state: 'succeeded' });
    expect(described?.resources.find((resource) => resource.logicalId === plan.topicLogicalId)?.physicalId).toBe(
      topicArn,
    );
  });

  it('destroys the stack and the artifact bucket', async () => {
    const { events, progress } = recorder();

    const result = await destroyStack(deps(progress), {
      stackName: STACK,
      artifactBucket: { bucket: BUCKET, owner: OWNER },
    });

    // The artifact's versions: the first upload and the two that replaced planted objects, and those
    // objects; and the template, written once by the first deploy (the same bytes after).
    const template = plan.templateBody === SMALL_TEMPLATE ? 0 : 1;
    expect(result).toMatchObject({
      status: 'deleted',
      retained: [],
      bucket: { status: 'deleted', objectsDeleted: 5 + template },
    });
    expect(events.map((event) => event.status)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    expect(await describeStack(cloudFormation, STACK)).toBeUndefined();
    expect(await topicArns()).not.toContain(topicArn);
    await expect(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('reports nothing to delete once the stack is gone', async () => {
    const result = await destroyStack(deps(), { stackName: STACK });

    expect(result.status).toBe('nothing-to-delete');
  });
});

describe('reviewing a change set without executing it', () => {
  it('leaves nothing behind when the change set is discarded', async () => {
    const stackName = 'exposed-keys-review';

    const prepared = await prepareChangeSet(deps(), {
      stackName,
      templateBody: SMALL_TEMPLATE,
      parameters: { ArtifactKey: 'lambda/none.zip' },
    });
    const beforeDiscard = await describeStack(cloudFormation, stackName);
    await discardChangeSet(deps(), prepared);

    expect(prepared.changes.map((change) => [change.action, change.logicalId])).toEqual([['Add', 'Topic']]);
    expect(beforeDiscard?.status).toBe('REVIEW_IN_PROGRESS');
    expect(await describeStack(cloudFormation, stackName)).toBeUndefined();
  });
});
