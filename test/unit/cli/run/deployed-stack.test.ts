import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../../src/aws/clients.js';
import {
  type DeployedStack,
  isHub,
  reportingUnreadParameters,
  type UsedResource,
} from '../../../../src/cli/run/deployed-stack.js';
import { describedStackSchedules } from '../../../../src/cli/run/schedule-target.js';
import { StackNotFoundError } from '../../../../src/errors.js';
import { SCHEDULE_TARGET } from '../../../support/schedule-target.js';

const SCHEDULER = { send: async () => ({}) };
/** Clients whose IAM knows the stack's scheduler role. */
const CLIENTS = {
  iam: async () => ({ send: async () => ({ Role: { Arn: SCHEDULE_TARGET.roleArn } }) }),
  scheduler: async () => SCHEDULER,
} as unknown as AwsClients;

const RESOURCES: Record<UsedResource, string | null> = {
  NotificationTopic: null,
  SchedulerRole: 'exposed-keys-SchedulerRole',
  StateMachine: SCHEDULE_TARGET.stateMachineArn,
  UndeliveredQueue: null,
};

/** A stack described with these parameters (or their failure), and the resources of its schedules. */
function described(parameters: Record<string, string> | Error, resources = RESOURCES): DeployedStack {
  return {
    parameters: async () => {
      if (parameters instanceof Error) throw parameters;
      return parameters;
    },
    resources: async () => resources,
  };
}

const schedulesOf = (stack: DeployedStack) => describedStackSchedules(stack, CLIENTS, 'exposed-keys', 'us-east-1');

describe("the deployed stack's settings respond uses", () => {
  it('carry the stack’s VerifyAfterMinutes with its schedules, 0 included, read once', async () => {
    let reads = 0;
    const stack = described({ VerifyAfterMinutes: '0', OrganizationId: '' });
    const schedules = schedulesOf({
      ...stack,
      parameters: () => {
        reads += 1;
        return stack.parameters();
      },
    });

    expect(await schedules()).toEqual({ scheduler: SCHEDULER, target: SCHEDULE_TARGET, verifyAfterMinutes: 0 });
    await schedules();
    expect(reads).toBe(1);
  });

  it('keep the caller’s minutes when the parameters do not say, or cannot be read', async () => {
    const silent = schedulesOf(described({ VerifyAfterMinutes: 'soon' }));
    const unread = schedulesOf(described(new Error('AccessDenied: cloudformation:DescribeStacks')));

    expect(await silent()).toEqual({ scheduler: SCHEDULER, target: SCHEDULE_TARGET });
    expect(await unread()).toEqual({ scheduler: SCHEDULER, target: SCHEDULE_TARGET });
  });

  it('are none without a stack, and fail as the reading of its resources failed', async () => {
    const failure = new Error('AccessDenied: cloudformation:DescribeStackResources');
    const none = { NotificationTopic: null, SchedulerRole: null, StateMachine: null, UndeliveredQueue: null };

    await expect(schedulesOf(described({}, none))()).rejects.toBeInstanceOf(StackNotFoundError);
    await expect(schedulesOf({ ...described({}), resources: () => Promise.reject(failure) })()).rejects.toBe(failure);
  });

  it('report parameters that cannot be read once, however many ask', async () => {
    const reported: unknown[] = [];
    const failure = new Error('AccessDenied: cloudformation:DescribeStacks');
    const stack = reportingUnreadParameters(described(failure), (error) => reported.push(error));

    await expect(stack.parameters()).rejects.toBe(failure);
    await expect(stack.parameters()).rejects.toBe(failure);
    await schedulesOf(stack)();
    expect(reported).toEqual([failure]);
  });

  it('tell a hub by its OrganizationId', () => {
    expect(isHub({ OrganizationId: 'o-exampleorg1' })).toBe(true);
    expect(isHub({ OrganizationId: '' })).toBe(false);
    expect(isHub({})).toBe(false);
  });
});
