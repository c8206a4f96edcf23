import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { SchedulerApi } from '../../aws/narrow-clients.js';
import { type FollowUpKind, type FollowUpRequest, followUpEvent } from './follow-up.js';

/** Where the schedules of a stack go, and what they start: the stack's own group, role and state machine. */
export interface ScheduleTarget {
  /** The schedule group the stack created. */
  groupName: string;
  /** The role EventBridge Scheduler assumes to start the state machine (the stack's, and only that). */
  roleArn: string;
  stateMachineArn: string;
  /**
   * The stack's dead-letter queue: what a schedule could not start goes there, and the stack
   * alerts the topic of it. Absent (a stack older than the queue): Scheduler drops it.
   */
  deadLetterArn?: string;
}

/** A scheduler client and the stack's target: what it takes to schedule a follow-up. */
export interface ScheduleDeps {
  scheduler: SchedulerApi;
  target: ScheduleTarget;
  /**
   * The stack's own VerifyAfterMinutes, when its schedules were looked up from the deployed stack
   * (`respond`): it replaces the caller's, so that a stack deployed with 0 gets no verification.
   */
  verifyAfterMinutes?: number;
}

const NAME_PREFIXES: Readonly<Record<FollowUpKind, string>> = {
  'scheduled-deletion': 'exposed-keys-delete-',
  verification: 'exposed-keys-verify-',
};

/**
 * The schedule of a follow-up of a key, named after the key: `exposed-keys-delete-AKIA…`,
 * `exposed-keys-verify-AKIA…` (40 characters of Scheduler's 64, all in `[0-9a-zA-Z-_.]`).
 */
export function scheduleName(kind: FollowUpKind, accessKeyId: string): string {
  return `${NAME_PREFIXES[kind]}${accessKeyId}`;
}

/** A one-time schedule expression, `at(yyyy-mm-ddThh:mm:ss)`, in UTC, to the second. */
export function atExpression(time: Date): string {
  return `at(${time.toISOString().slice(0, 19)})`;
}

/** The time of an `at(…)` expression in UTC, ISO 8601; null for any other expression. */
export function timeOfExpression(expression: string | undefined): string | null {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression ?? '');
  return match ? `${match[1]}.000Z` : null;
}

function scheduleInput(target: ScheduleTarget, request: FollowUpRequest, at: Date): CreateScheduleCommandInput {
  return {
    Name: scheduleName(request.kind, request.accessKeyId),
    GroupName: target.groupName,
    Description: `exposed-keys ${request.kind} of ${request.accessKeyId} of ${request.userName}`,
    ScheduleExpression: atExpression(at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    // A one-time schedule removes itself once it has started the execution.
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: target.stateMachineArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify(followUpEvent(request)),
      // An hour of retries, then the dead-letter queue's alert: a follow-up that did not run is a
      // human's to do the same hour, not the next day.
      RetryPolicy: { MaximumEventAgeInSeconds: 3_600, MaximumRetryAttempts: 185 },
      ...(target.deadLetterArn ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
    },
  };
}

/**
 * Schedules a follow-up of a key at `at`: a one-time schedule named after the key, in the stack's
 * group, that starts the state machine with the follow-up's event. A schedule of that name already
 * there (a retried containment, a repeated event) is updated to the new time, so there is one.
 *
 * @throws AwsCallError when Scheduler refuses.
 */
export async function scheduleFollowUp(deps: ScheduleDeps, request: FollowUpRequest, at: Date): Promise<string> {
  const input = scheduleInput(deps.target, request, at);
  try {
    await deps.scheduler.send(new CreateScheduleCommand(input));
  } catch (error) {
    if (!isAwsError(error, 'ConflictException')) throw toAwsCallError('scheduler:CreateSchedule', error);
    try {
      await deps.scheduler.send(new UpdateScheduleCommand(input));
    } catch (again) {
      throw toAwsCallError('scheduler:UpdateSchedule', again);
    }
  }
  return input.Name as string;
}

/** A follow-up scheduled for a key, as Scheduler holds it. */
export interface ScheduledFollowUp {
  kind: FollowUpKind;
  name: string;
  /** When it runs, ISO 8601; null when the schedule is not a one-time `at(…)`. */
  at: string | null;
}

/**
 * The follow-up of that kind scheduled for the key in the group, or null when there is none.
 *
 * @throws AwsCallError when Scheduler does not answer.
 */
export async function findFollowUp(
  scheduler: SchedulerApi,
  groupName: string,
  kind: FollowUpKind,
  accessKeyId: string,
): Promise<ScheduledFollowUp | null> {
  const name = scheduleName(kind, accessKeyId);
  try {
    const answer = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
    return { kind, name, at: timeOfExpression(answer.ScheduleExpression) };
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return null;
    throw toAwsCallError('scheduler:GetSchedule', error);
  }
}

/**
 * Removes the follow-up of that kind scheduled for the key; false when there was none.
 *
 * @throws AwsCallError when Scheduler refuses.
 */
export async function cancelFollowUp(
  scheduler: SchedulerApi,
  groupName: string,
  kind: FollowUpKind,
  accessKeyId: string,
): Promise<boolean> {
  try {
    await scheduler.send(new DeleteScheduleCommand({ Name: scheduleName(kind, accessKeyId), GroupName: groupName }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return false;
    throw toAwsCallError('scheduler:DeleteSchedule', error);
  }
}
