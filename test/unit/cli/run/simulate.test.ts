import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../../../src/cli/run/simulate.js';
import { activeCharacters } from '../../../support/well-formed.js';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/** A remote simulation with a test user whose run fails (StartExecution refused), its removal refused too. */
function failingRun(scheduler?: () => Promise<SchedulerClient>) {
  const cloudFormation = mockClient(CloudFormationClient);
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'exposed-keys', StackId: 'id', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
  });
  cloudFormation.on(DescribeStackResourcesCommand).resolves({
    StackResources: [
      {
        LogicalResourceId: 'StateMachine',
        PhysicalResourceId: 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys',
        ResourceType: 'AWS::StepFunctions::StateMachine',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
    ],
  });
  const iam = mockClient(IAMClient);
  iam.on(CreateUserCommand).resolves({});
  iam.on(CreateAccessKeyCommand).resolves({
    AccessKey: {
      UserName: 'u',
      AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      SecretAccessKey: 's',
      Status: 'Active',
    },
  });
  iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'denied \u001b]0;owned\u0007\u001b[2J'));
  mockClient(SFNClient).on(StartExecutionCommand).rejects(awsError('ServiceUnavailable', 'try later'));
  const steps: string[] = [];
  const run = runSimulation(
    {
      iam: new IAMClient({}),
      sfn: new SFNClient({}),
      cloudFormation: new CloudFormationClient({}),
      cloudTrail: () => {
        throw new Error('not used');
      },
      listRegions: async () => ['us-east-1'],
      ...(scheduler ? { scheduler } : {}),
    },
    {
      accountId: '123456789012',
      source: 'trusted-advisor',
      createTestUser: true,
      local: false,
      wait: true,
      stackName: 'exposed-keys',
      region: 'us-east-1',
      onStep: (message) => steps.push(message),
    },
  );
  return { run, steps };
}

describe('runSimulation, when the run fails and the test user cannot be removed', () => {
  it('says so in a progress line that shows the AWS error inert', async () => {
    const { run, steps } = failingRun();

    await expect(run).rejects.toThrow(/try later/);
    const removal = steps.find((step) => step.startsWith('Could not remove test user'));
    expect(removal).toContain('denied \\x1B]0;owned\\x07\\x1B[2J');
    expect(activeCharacters(removal ?? '')).toEqual([]);
  });

  it('cancels the follow-ups the run may have scheduled for the test key, which would alert once it is gone', async () => {
    const scheduler = mockClient(SchedulerClient);
    scheduler.on(DeleteScheduleCommand).resolves({});
    const { run } = failingRun(async () => new SchedulerClient({ region: 'us-east-1' }));

    await expect(run).rejects.toThrow(/try later/);
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'exposed-keys-delete-AKIAIOSFODNN7EXAMPLE', GroupName: 'exposed-keys' },
      { Name: 'exposed-keys-verify-AKIAIOSFODNN7EXAMPLE', GroupName: 'exposed-keys' },
    ]);
    scheduler.restore();
  });
});
