/*
 * Ctrl-C during a release, once the responder said yes: making a key active again and cancelling
 * its schedules must not be cut between the two, or the key is deleted (or an alarm raised) after
 * a release the responder believes done.
 */
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { releaseCommand } from '../../../../src/cli/run/release-command.js';
import { capturedOutput } from '../../../support/output.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);
const cloudFormationMock = mockClient(CloudFormationClient);

beforeEach(() => {
  iamMock.reset();
  stsMock.reset();
  cloudFormationMock.reset();
  cloudFormationMock.on(DescribeStackResourcesCommand).rejects(
    new CloudFormationServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: {},
      message: 'Stack with id exposed-keys does not exist',
    }),
  );
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
  iamMock.on(ListUserTagsCommand).resolves({
    Tags: [{ Key: `exposed-keys/contained/${KEY}`, Value: 'deactivated 2026-11-20T03:00:00.000Z' }],
  });
  iamMock.on(TagUserCommand).resolves({});
});

afterEach(() => {
  iamMock.restore();
  stsMock.restore();
  cloudFormationMock.restore();
});

const ui = (output: ReturnType<typeof capturedOutput>['output']) => ({
  output,
  progress: { step() {}, update() {}, succeed() {}, fail() {}, log() {}, stop() {} },
  yes: true,
  stackName: 'exposed-keys',
});

describe('Ctrl-C during a release', () => {
  it('only warns once the release has begun, so that it records the release and notifies, then listens no more', async () => {
    const before = process.listeners('SIGINT');
    const heard: number[] = [];
    iamMock.on(UpdateAccessKeyCommand).callsFake(() => {
      const added = process.listeners('SIGINT').filter((listener) => !before.includes(listener));
      heard.push(added.length);
      // As Node would on a first Ctrl-C, here while the key is being made active again.
      for (const listener of added) (listener as () => void)();
      return {};
    });
    const { output, stderr } = capturedOutput();

    const outcome = await releaseCommand(
      new AwsClients({ region: 'us-east-1' }),
      { accessKeyId: KEY, reactivate: true },
      ui(output),
    );

    expect(heard).toEqual([1]);
    expect(stderr.text).toMatch(/The release goes on to its end and its notification\. Ctrl-C again ends it now/);
    expect(outcome.aborted).toBe(false);
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, { UserName: 'alice' });
    expect(process.listeners('SIGINT')).toEqual(before);
  });

  it('is not guarded before the answer: a release never confirmed adds no listener', async () => {
    const before = process.listeners('SIGINT');
    const { output } = capturedOutput();

    // No terminal and no --yes: refused before any change.
    await expect(
      releaseCommand(
        new AwsClients({ region: 'us-east-1' }),
        { accessKeyId: KEY, reactivate: true },
        {
          ...ui(output),
          yes: false,
        },
      ),
    ).rejects.toThrow(/--yes/);

    expect(process.listeners('SIGINT')).toEqual(before);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });
});
