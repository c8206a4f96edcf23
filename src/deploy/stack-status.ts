/*
 * CloudFormation's stack statuses, sorted into the four things a caller needs to know. Kept pure
 * and in one place so that the deploy, destroy and status commands agree.
 */

/** What a stack status means to a caller. */
export type StackState = 'in-progress' | 'succeeded' | 'failed' | 'rolled-back';

/**
 * Sorts a stack status (`CREATE_COMPLETE`, `UPDATE_ROLLBACK_IN_PROGRESS`…) into a {@link StackState}.
 * `REVIEW_IN_PROGRESS` (a stack made by a CREATE change set, never executed) counts as in progress;
 * a status this code does not know counts as failed, so that it is never taken for success.
 */
export function stackState(status: string): StackState {
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (status.endsWith('ROLLBACK_COMPLETE')) return 'rolled-back';
  if (status.endsWith('_COMPLETE')) return 'succeeded';
  return 'failed';
}

/** True when nothing is happening to the stack any more. */
export function isFinal(status: string): boolean {
  return stackState(status) !== 'in-progress';
}

/** True when the status ends the operation that was started, successfully. */
export function isSuccess(status: string): boolean {
  return stackState(status) === 'succeeded';
}

/**
 * True when the stack holds deployed resources that a change set can update. A stack left in
 * `REVIEW_IN_PROGRESS` (nothing deployed), `ROLLBACK_COMPLETE` (its first deploy failed; it can only
 * be deleted) or `DELETE_COMPLETE` takes a CREATE change set instead.
 */
export function isUpdatable(status: string): boolean {
  return !['REVIEW_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_COMPLETE'].includes(status);
}

/** True when the stack must be deleted before it can be created again (its first deploy failed). */
export function mustBeDeletedFirst(status: string): boolean {
  return status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED';
}

/** True when a resource event reports a failure (`CREATE_FAILED`, `UPDATE_FAILED`, `DELETE_FAILED`…). */
export function isFailedResourceStatus(status: string): boolean {
  return status.endsWith('_FAILED');
}
