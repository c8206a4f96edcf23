import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../../../src/cli/run/simulate.js';
import { InterruptedError } from '../../../../src/errors.js';
import { activeCharacters } from '../../../support/well-formed.js';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:exposed-keys:simulate-1';

/** The deployed stack's state machine, as CloudFormation describes it. */
function mockStack() {
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
}

/** IAM making a test user with the key AKIAIOSFODNN7EXAMPLE. */
function mockTestUser() {
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
  return iam;
}

/** A remote simulation with a test user whose run fails (StartExecution refused), its removal refused too. */
function failingRun(scheduler?: () => Promise<SchedulerClient>) {
  mockStack();
  mockTestUser().on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'denied \u001b]0;owned\u0007\u001b[2J'));
  mockClient(SFNClient).on(StartExecutionCommand).rejects(awsError('ServiceUnavailable', 'try later'));
  return simulate({ createTestUser: true, scheduler });
}

/** runSimulation against the mocked clients, remote, its progress lines kept. */
function simulate(options: {
  createTestUser: boolean;
  scheduler?: () => Promise<SchedulerClient>;
  signal?: AbortSignal;
}) {
  const { createTestUser, scheduler, signal } = options;
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
      createTestUser,
      ...(createTestUser ? {} : { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice' }),
      ...(signal ? { signal } : {}),
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

describe('runSimulation, when Ctrl-C stops it while it follows the execution', () => {
  /** An execution that stays running, in `state` when given; the signal aborts once its history has been read. */
  function runningExecution(state?: string) {
    mockStack();
    const iam = mockTestUser();
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }] });
    iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: [] });
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    const controller = new AbortController();
    sfn.on(GetExecutionHistoryCommand).callsFake(() => {
      controller.abort();
      const entered = {
        id: 1,
        type: 'TaskStateEntered',
        timestamp: new Date(),
        stateEnteredEventDetails: { name: state },
      };
      return { events: state ? [entered] : [] };
    });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfn.on(StopExecutionCommand).resolves({});
    return { iam, sfn, signal: controller.signal };
  }

  it("stops a test user's execution, then removes the user, and says both", async () => {
    const { iam, sfn, signal } = runningExecution();

    const { run, steps } = simulate({ createTestUser: true, signal });

    const error = await run.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as Error).message).toBe(`Stopped the execution ${EXECUTION_ARN}.`);
    // With the error the stack's alert on executions that end with no report lets go.
    expect(sfn.commandCalls(StopExecutionCommand).map((call) => call.args[0].input)).toEqual([
      {
        executionArn: EXECUTION_ARN,
        error: 'SimulationInterrupted',
        cause: 'exposed-keys simulate was interrupted (Ctrl-C).',
      },
    ]);
    expect(iam.commandCalls(DeleteAccessKeyCommand)).toHaveLength(1);
    expect(iam.commandCalls(DeleteUserCommand)).toHaveLength(1);
    expect(steps.at(-1)).toMatch(/^Removed test user exposed-keys-test-/);
  });

  it('names the follow-ups a containment task still running may schedule after the test user is gone', async () => {
    const { signal } = runningExecution('DeleteAccessKeyPair');

    const { run } = simulate({ createTestUser: true, signal });

    await expect(run).rejects.toThrow(
      /^Stopped the execution .* Its containment task was running, and may still schedule the test key's follow-ups after the test user is gone: if exposed-keys-delete-AKIAIOSFODNN7EXAMPLE or exposed-keys-verify-AKIAIOSFODNN7EXAMPLE appears in the schedule group exposed-keys, delete it/,
    );
  });

  it("leaves a real key's execution running, and says it goes on", async () => {
    const { sfn, signal } = runningExecution();

    const { run } = simulate({ createTestUser: false, signal });

    await expect(run).rejects.toThrow(`Stopped following ${EXECUTION_ARN}; the execution goes on in the stack.`);
    expect(sfn.commandCalls(StopExecutionCommand)).toEqual([]);
  });
});
