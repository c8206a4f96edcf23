import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NotFound,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { paletteOf } from '../../../src/cli/output.js';
import { renderDeployReport } from '../../../src/cli/render/deploy.js';
import { tlsOnlyBucketPolicy } from '../../../src/deploy/artifact-bucket.js';
import type { Artifact } from '../../../src/deploy/package-artifact.js';
import { type DeployMessage, runDeploy } from '../../../src/deploy/run-deploy.js';
import { MAX_TEMPLATE_BODY_BYTES } from '../../../src/deploy/template.js';
import { DeploymentError, InterruptedError, InvalidInputError } from '../../../src/errors.js';
import { recordingHost } from '../../support/io-host.js';

const STACK = 'exposed-keys';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1';
const BUCKET = 'exposed-keys-artifacts-123456789012-us-east-1';
const SHA = 'a'.repeat(64);
const cloudFormationMock = mockClient(CloudFormationClient);
const s3Mock = mockClient(S3Client);
const stsMock = mockClient(STSClient);

const artifact: Artifact = {
  zipPath: '/nowhere/exposed-keys-lambda.zip',
  fileName: 'exposed-keys-lambda-aaaa.zip',
  sha256: SHA,
  bytes: 1,
  lambdaDir: undefined,
  source: 'prebuilt',
};

function stackMissing() {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${STACK} does not exist`,
  });
}

function deps(answer: boolean | Error = true) {
  const io = recordingHost<DeployMessage>(answer);
  return {
    io,
    deps: {
      sts: new STSClient({ region: 'us-east-1' }),
      s3: new S3Client({ region: 'us-east-1' }),
      cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
      io,
      poll: { sleep: vi.fn(async () => {}), intervalMs: 1_000, timeoutMs: 10_000 },
      artifact: async () => artifact,
    },
  };
}

const input = { stackName: STACK, region: 'us-east-1', parameters: { ContainmentMode: 'deactivate' }, execute: true };

beforeEach(() => {
  cloudFormationMock.reset();
  s3Mock.reset();
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  s3Mock.on(HeadBucketCommand).resolves({});
  // The default bucket, as a first deploy left it: whole.
  s3Mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  s3Mock.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  s3Mock
    .on(GetBucketOwnershipControlsCommand)
    .resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
  s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: tlsOnlyBucketPolicy(BUCKET) });
  // The artifact is there already; a template is what was last written at its key.
  const written = new Map<string, string>();
  s3Mock.on(PutObjectCommand).callsFake((put: { Key: string; ChecksumSHA256?: string }) => {
    written.set(put.Key, put.ChecksumSHA256 ?? '');
    return { VersionId: `v-${written.size}` };
  });
  s3Mock
    .on(HeadObjectCommand)
    .callsFake((head: { Key: string }) =>
      head.Key.startsWith('templates/')
        ? { ChecksumSHA256: written.get(head.Key), VersionId: `v-${[...written.keys()].indexOf(head.Key) + 1}` }
        : { ChecksumSHA256: Buffer.from(SHA, 'hex').toString('base64'), VersionId: 'v3' },
    );
  cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
  cloudFormationMock.on(CreateChangeSetCommand).resolves({ Id: 'change-set-arn', StackId: STACK_ID });
  cloudFormationMock.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    Changes: [{ ResourceChange: { Action: 'Add', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' } }],
  });
  cloudFormationMock.on(DeleteChangeSetCommand).resolves({});
  cloudFormationMock.on(DeleteStackCommand).resolves({});
  cloudFormationMock.on(ListChangeSetsCommand).resolves({ Summaries: [] });
});

describe('runDeploy', () => {
  it('sends the stack template by URL, written to the artifact bucket, being over what CloudFormation takes inline', async () => {
    await runDeploy(deps().deps, { ...input, execute: false });

    const put = s3Mock.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key?.startsWith('templates/'));
    const key = put?.args[0].input.Key ?? '';
    expect(key).toMatch(/^templates\/[0-9a-f]{64}\.json$/);
    expect(put?.args[0].input).toMatchObject({ Bucket: BUCKET, ExpectedBucketOwner: '123456789012' });
    expect(Buffer.byteLength(Buffer.from(put?.args[0].input.Body as Uint8Array))).toBeGreaterThan(
      MAX_TEMPLATE_BODY_BYTES,
    );
    const changeSet = cloudFormationMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(changeSet?.TemplateURL).toBe(`https://s3.us-east-1.amazonaws.com/${BUCKET}/${key}`);
    expect(changeSet?.TemplateBody).toBeUndefined();
  });

  it('discards the change set and refuses when the template in the bucket changed before CloudFormation read it', async () => {
    s3Mock
      .on(HeadObjectCommand)
      .callsFake((head: { Key: string }) =>
        head.Key.startsWith('templates/')
          ? { ChecksumSHA256: 'c29tZW9uZSBlbHNl', VersionId: 'v-9' }
          : { ChecksumSHA256: Buffer.from(SHA, 'hex').toString('base64'), VersionId: 'v3' },
      );

    await expect(runDeploy(deps().deps, input)).rejects.toThrow(
      /template changed in the bucket before it could be deployed: .*no longer holds the template written/,
    );
    expect(cloudFormationMock).toHaveReceivedCommand(DeleteChangeSetCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
  });

  it('asks before deleting a stack a failed first deploy left, and changes nothing unless told to', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'ROLLBACK_FAILED' as StackStatus,
          Description: 'exposed-keys: a test stack',
          CreationTime: new Date(),
        },
      ],
    });

    await expect(runDeploy(deps().deps, { ...input, execute: false })).rejects.toThrow(/must be deleted before/);
    expect(s3Mock.calls()).toHaveLength(0);
    const declined = deps(false);
    const report = await runDeploy(declined.deps, input);

    expect(report).toMatchObject({ outcome: 'aborted', status: 'ROLLBACK_FAILED', artifact: null });
    // Asked before the bucket is made or the artifact uploaded: the no changed nothing.
    expect(s3Mock.calls()).toHaveLength(0);
    expect(renderDeployReport(report, paletteOf(false))).toBe('Nothing was changed.');
    expect(declined.io.questions.map((question) => question.question)).toEqual([
      expect.stringMatching(/left in ROLLBACK_FAILED by a failed first deploy.*Delete it, then deploy\?/),
    ]);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
  });

  it('refuses, before anything changes, a stack half deleted, whose rollback failed, or still changing, rather than call it up to date', async () => {
    const cases: [string, RegExp][] = [
      ['DELETE_FAILED', /run exposed-keys destroy --stack-name exposed-keys again/],
      ['UPDATE_ROLLBACK_FAILED', /continue-update-rollback --stack-name exposed-keys/],
      ['UPDATE_IN_PROGRESS', /Wait until it is done/],
      ['CREATE_FAILED', /See why in the stack's events/],
    ];
    for (const [status, hint] of cases) {
      cloudFormationMock.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: STACK,
            StackId: STACK_ID,
            StackStatus: status as StackStatus,
            Description: 'exposed-keys: a test stack',
            CreationTime: new Date(),
            Parameters: [{ ParameterKey: 'ContainmentMode', ParameterValue: 'deactivate' }],
          },
        ],
      });

      const run = runDeploy(deps().deps, input);

      await expect(run, status).rejects.toBeInstanceOf(DeploymentError);
      await expect(run, status).rejects.toThrow(
        new RegExp(`^Stack exposed-keys is in ${status}: .*nothing was changed\\.$`),
      );
      await expect(run, status).rejects.toMatchObject({ hint: expect.stringMatching(hint), exitCode: 3 });
    }
    expect(s3Mock.calls()).toHaveLength(0);
    expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
  });

  it('deploys the artifact of the default bucket with the parameters given, once the host says yes', async () => {
    const { deps: d, io } = deps(true);
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejectsOnce(stackMissing())
      .resolves({
        Stacks: [
          {
            StackName: STACK,
            StackId: STACK_ID,
            StackStatus: 'CREATE_COMPLETE' as StackStatus,
            Description: 'exposed-keys: a test stack',
            CreationTime: new Date(),
          },
        ],
      });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          {
            EventId: '1',
            StackId: STACK_ID,
            StackName: STACK,
            LogicalResourceId: STACK,
            ResourceType: 'AWS::CloudFormation::Stack',
            ResourceStatus: 'CREATE_COMPLETE',
            Timestamp: new Date(),
          },
        ],
      });

    cloudFormationMock.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    cloudFormationMock.on(ExecuteChangeSetCommand).resolves({});

    const report = await runDeploy(d, input);

    expect(report).toMatchObject({
      outcome: 'deployed',
      status: 'CREATE_COMPLETE',
      artifact: { bucket: BUCKET, upload: 'unchanged', versionId: 'v3' },
    });
    expect(io.messages).not.toContainEqual(
      expect.objectContaining({ text: expect.stringMatching(/keeps no object versions/) }),
    );
    expect(s3Mock).toHaveReceivedCommandWith(HeadBucketCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: '123456789012',
    });
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: '123456789012',
    });
    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      StackName: STACK,
      Parameters: expect.arrayContaining([
        { ParameterKey: 'ArtifactBucket', ParameterValue: BUCKET },
        { ParameterKey: 'ArtifactKey', ParameterValue: `lambda/${SHA}.zip` },
        { ParameterKey: 'ArtifactVersion', ParameterValue: 'v3' },
        { ParameterKey: 'ContainmentMode', ParameterValue: 'deactivate' },
      ]),
    });
    expect(io.questions).toEqual([
      { question: `Execute this change set on ${STACK}?`, consequence: 'changes the account' },
    ]);
    expect(io.messages.some((message) => message.kind === 'change-set')).toBe(true);
    expect(cloudFormationMock).toHaveReceivedCommand(ExecuteChangeSetCommand);
  });

  it('creates a missing bucket with the TLS-only policy, unless S3 is reached over plain HTTP', async () => {
    s3Mock.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));

    await runDeploy(deps(true).deps, { ...input, execute: false });
    const overTls = s3Mock.commandCalls(PutBucketPolicyCommand).length;
    s3Mock.resetHistory();
    await runDeploy({ ...deps(true).deps, s3PlainHttp: true }, { ...input, execute: false });

    expect(overTls).toBe(1);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3Mock).toHaveReceivedCommand(PutBucketVersioningCommand);
  });

  it('updates a stack from the bucket it was deployed from, unless --bucket names another, and leaves that bucket as it is', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'UPDATE_COMPLETE' as StackStatus,
          Description: 'exposed-keys: a test stack',
          CreationTime: new Date(),
          Parameters: [{ ParameterKey: 'ArtifactBucket', ParameterValue: 'team-artifacts' }],
        },
      ],
    });

    const kept = await runDeploy(deps().deps, { ...input, execute: false });

    expect(kept.artifact?.bucket).toBe('team-artifacts');
    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      Parameters: expect.arrayContaining([{ ParameterKey: 'ArtifactBucket', ParameterValue: 'team-artifacts' }]),
    });
    const written = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Bucket);
    expect(new Set(written)).toEqual(new Set(['team-artifacts']));
    // A bucket given by name (then) is used as it is: only exposed-keys' own is mended.
    expect(s3Mock).not.toHaveReceivedCommand(GetBucketPolicyCommand);

    s3Mock.resetHistory();
    const named = await runDeploy(deps().deps, { ...input, execute: false, bucket: 'other-artifacts' });
    expect(named.artifact?.bucket).toBe('other-artifacts');
  });

  it('deploys the zip AWS Signer signed when the stack requires signed code, given or deployed', async () => {
    const profile = 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/exposed_keys';
    const signerMock = mockClient(SignerClient);
    signerMock.on(StartSigningJobCommand).resolves({ jobId: 'job' });
    signerMock
      .on(DescribeSigningJobCommand)
      .resolves({ status: 'Succeeded', signedObject: { s3: { key: `signed/exposed_keys/${SHA}/job.zip` } } });
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3Mock.on(ListObjectVersionsCommand).resolves({
      Versions: [{ Key: `signed/exposed_keys/${SHA}/job.zip`, VersionId: 's1' }],
    });
    const signer = vi.fn(async () => new SignerClient({ region: 'us-east-1' }));
    const withSigner = { ...deps(true).deps, signer };

    const given = await runDeploy(withSigner, {
      ...input,
      parameters: { CodeSigningProfileArn: profile },
      execute: false,
    });
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: STACK,
          StackId: STACK_ID,
          StackStatus: 'CREATE_COMPLETE' as StackStatus,
          Description: 'exposed-keys: a test stack',
          CreationTime: new Date(),
          Parameters: [{ ParameterKey: 'CodeSigningProfileArn', ParameterValue: profile }],
        },
      ],
    });
    const deployed = await runDeploy(withSigner, { ...input, execute: false });
    const off = await runDeploy(withSigner, { ...input, parameters: { CodeSigningProfileArn: '' }, execute: false });

    expect(given.artifact).toMatchObject({ key: `signed/exposed_keys/${SHA}/job.zip`, signing: 'signed' });
    expect(deployed.artifact?.signing).toBe('signed');
    expect(off.artifact).toMatchObject({ key: `lambda/${SHA}.zip`, signing: 'none' });
    expect(signer).toHaveBeenCalledTimes(2);
    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      Parameters: expect.arrayContaining([
        { ParameterKey: 'ArtifactKey', ParameterValue: `signed/exposed_keys/${SHA}/job.zip` },
      ]),
    });
    signerMock.restore();
  });

  it('warns that the code is not pinned when the bucket keeps no object versions', async () => {
    const { deps: d, io } = deps(false);
    // A bucket of the caller's, given by name: used as it is.
    // No version ids: the artifact's checksum, or the template's as written.
    let template = '';
    s3Mock.on(PutObjectCommand).callsFake((put: { ChecksumSHA256?: string }) => {
      template = put.ChecksumSHA256 ?? '';
      return {};
    });
    s3Mock.on(HeadObjectCommand).callsFake((head: { Key: string }) => ({
      ChecksumSHA256: head.Key.startsWith('templates/') ? template : Buffer.from(SHA, 'hex').toString('base64'),
    }));

    await runDeploy(d, { ...input, bucket: 'team-artifacts' });

    expect(io.messages).toContainEqual(
      expect.objectContaining({ kind: 'step', text: expect.stringMatching(/keeps no object versions/) }),
    );
    expect(s3Mock).not.toHaveReceivedCommand(GetBucketVersioningCommand);
  });

  it('deploys as before, saying so, when the caller may not read the settings of its own bucket; a suspended versioning stays', async () => {
    s3Mock.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' });
    s3Mock.on(GetBucketPolicyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { deps: d, io } = deps(false);

    await runDeploy(d, input);

    expect(s3Mock).not.toHaveReceivedCommand(PutBucketVersioningCommand);
    expect(io.messages).toContainEqual(
      expect.objectContaining({
        text: expect.stringMatching(/^Could not check the settings of the artifact bucket .*: it is used as it is$/),
      }),
    );
    expect(cloudFormationMock).toHaveReceivedCommand(CreateChangeSetCommand);
  });

  it('gives exposed-keys’ own bucket, left half made by a first deploy, what it lacks, and nothing a person added', async () => {
    s3Mock.on(GetBucketVersioningCommand).resolves({});
    const absent = (name: string) => Object.assign(new Error(name), { name });
    s3Mock.on(GetPublicAccessBlockCommand).rejects(absent('NoSuchPublicAccessBlockConfiguration'));
    s3Mock.on(GetBucketOwnershipControlsCommand).rejects(absent('OwnershipControlsNotFoundError'));
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: '{"Statement":[]}' });
    const { deps: d, io } = deps(false);

    await runDeploy(d, input);

    expect(s3Mock).toHaveReceivedCommandWith(PutBucketVersioningCommand, {
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(s3Mock).toHaveReceivedCommand(PutPublicAccessBlockCommand);
    expect(s3Mock).toHaveReceivedCommand(PutBucketOwnershipControlsCommand);
    // Its policy, a person's perhaps, stays.
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(io.messages).toContainEqual(
      expect.objectContaining({
        text: `Artifact bucket ${BUCKET} lacked, and now has: versioning, public access block, object ownership`,
      }),
    );
  });

  it('says what someone who made exposed-keys’ bucket first set there, and keeps it: a foreign policy, public access let through', async () => {
    s3Mock.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    });
    const foreign = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999999999999:root' },
          Action: 's3:PutObject',
          Resource: '*',
        },
      ],
    };
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(foreign) });
    const { deps: d, io } = deps(false);

    await runDeploy(d, input);

    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
    const texts = io.messages.flatMap((message) => ('text' in message ? [message.text] : []));
    const kept = texts.find((text) => /keeps what someone set/.test(text));
    expect(kept).toContain('public access not blocked (BlockPublicPolicy, RestrictPublicBuckets off)');
    expect(kept).toContain('a bucket policy exposed-keys did not write');
    expect(kept).toContain(`aws s3api get-bucket-policy --bucket ${BUCKET}`);
  });

  it('says nothing of a bucket that holds exposed-keys’ own settings, its policy spelt in another key order', async () => {
    // Whole, as beforeEach makes it, but for the policy's spelling.
    const ours = JSON.parse(tlsOnlyBucketPolicy(BUCKET)) as { Statement: Record<string, unknown>[] };
    const reordered = {
      Statement: ours.Statement.map((statement) => Object.fromEntries(Object.entries(statement).reverse())),
      Version: '2012-10-17',
    };
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(reordered) });
    const { deps: d, io } = deps(false);

    await runDeploy(d, input);

    expect(io.messages.filter((message) => 'text' in message && /Artifact bucket/.test(message.text))).toEqual([]);
  });

  it('discards the change set, and the empty stack it made, when the host says no', async () => {
    const { deps: d } = deps(false);
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejectsOnce(stackMissing())
      .resolves({
        Stacks: [
          {
            StackName: STACK,
            StackId: STACK_ID,
            StackStatus: 'REVIEW_IN_PROGRESS' as StackStatus,
            Description: 'exposed-keys: a test stack',
            CreationTime: new Date(),
          },
        ],
      });

    const report = await runDeploy(d, input);

    expect(report.outcome).toBe('aborted');
    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
    expect(cloudFormationMock).toHaveReceivedCommand(DeleteChangeSetCommand);
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK_ID });
  });

  it('discards the change set and passes the refusal on when the host cannot ask', async () => {
    const refusal = new InvalidInputError('--yes', 'deploy changes the account: add --yes');
    const { deps: d } = deps(refusal);

    await expect(runDeploy(d, input)).rejects.toBe(refusal);

    expect(cloudFormationMock).toHaveReceivedCommand(DeleteChangeSetCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
  });

  it('leaves the change set for review, asking nothing, when told not to execute', async () => {
    const { deps: d, io } = deps(true);

    const report = await runDeploy(d, { ...input, execute: false });

    expect(report).toMatchObject({ outcome: 'review', status: 'REVIEW', changeSetId: 'change-set-arn' });
    expect(io.questions).toEqual([]);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteChangeSetCommand);
  });

  it('asks nothing and changes nothing when the stack already matches', async () => {
    const { deps: d, io } = deps(true);
    cloudFormationMock.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: "The submitted information didn't contain changes.",
    });

    const report = await runDeploy(d, input);

    expect(report.outcome).toBe('no-changes');
    expect(io.questions).toEqual([]);
    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
  });

  describe('Ctrl-C', () => {
    it('before the change set is made: no change set, and says where the artifact is', async () => {
      const { deps: d, io } = deps(true);
      const ctrlC = new AbortController();
      ctrlC.abort();

      await expect(runDeploy({ ...d, poll: { ...d.poll, signal: ctrlC.signal } }, input)).rejects.toThrow(
        new InterruptedError(
          `Stopped before stack exposed-keys was changed; the artifact is at s3://${BUCKET}/lambda/${SHA}.zip, where the next deploy finds it.`,
        ),
      );
      expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
      expect(io.questions).toEqual([]);
    });

    it('while CloudFormation makes the change set: deletes it once made, asks nothing, executes nothing', async () => {
      const { deps: d, io } = deps(true);
      cloudFormationMock
        .on(DescribeChangeSetCommand)
        .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
        .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
        .resolves({ Status: 'CREATE_COMPLETE' });
      const ctrlC = new AbortController();
      const poll = { ...d.poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

      const stopped = await runDeploy({ ...d, poll }, input).catch((error: unknown) => error);

      expect(stopped).toBeInstanceOf(InterruptedError);
      expect((stopped as Error).message).toMatch(
        /^Stopped before the change set was executed\. Change set exposed-keys-\S+ was deleted unexecuted; stack exposed-keys was not changed\.$/,
      );
      // CloudFormation refuses to delete a change set still being made: it was waited for first.
      expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeChangeSetCommand, 3);
      expect(cloudFormationMock).toHaveReceivedCommand(DeleteChangeSetCommand);
      expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
      expect(io.questions).toEqual([]);
    });

    it('while CloudFormation makes the change set, which then cannot be deleted: names it, and how to delete it', async () => {
      const { deps: d } = deps(true);
      cloudFormationMock
        .on(DescribeChangeSetCommand)
        .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
        .resolves({ Status: 'CREATE_COMPLETE' });
      cloudFormationMock
        .on(DeleteChangeSetCommand)
        .rejects(Object.assign(new Error('not now'), { name: 'InvalidChangeSetStatus' }));
      const ctrlC = new AbortController();
      const poll = { ...d.poll, signal: ctrlC.signal, sleep: vi.fn(async () => ctrlC.abort()) };

      const stopped = await runDeploy({ ...d, poll }, input).catch((error: unknown) => error);

      expect(stopped).toBeInstanceOf(InterruptedError);
      expect((stopped as InterruptedError).message).toMatch(
        /could not be deleted \(.*InvalidChangeSetStatus.*\), and stays on stack exposed-keys, unexecuted\.$/,
      );
      expect((stopped as InterruptedError).hint).toMatch(
        /^Delete it: aws cloudformation delete-change-set --stack-name exposed-keys --change-set-name exposed-keys-/,
      );
    });

    it('after the yes but before the execution: deletes the change set, executes nothing', async () => {
      const { deps: d } = deps(true);
      const ctrlC = new AbortController();
      const yesThenCtrlC = async () => {
        ctrlC.abort();
        return true;
      };
      const io = { ...d.io, confirm: vi.fn(yesThenCtrlC) };

      await expect(runDeploy({ ...d, io, poll: { ...d.poll, signal: ctrlC.signal } }, input)).rejects.toThrow(
        /was deleted unexecuted; stack exposed-keys was not changed\.$/,
      );
      expect(io.confirm).toHaveBeenCalledTimes(1);
      expect(cloudFormationMock).toHaveReceivedCommand(DeleteChangeSetCommand);
      expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
    });
  });
});
