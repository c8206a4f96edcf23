import type { ScheduleTarget } from '../../src/steps/lifecycle/schedules.js';

/** The stack's schedule group and target, as unit tests of the lifecycle give them. */
export const SCHEDULE_TARGET: ScheduleTarget = {
  groupName: 'exposed-keys',
  roleArn: 'arn:aws:iam::123456789012:role/exposed-keys-SchedulerRole',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys',
};
