import { describe, expect, it } from 'vitest';
import {
  isFailedResourceStatus,
  isFinal,
  isSuccess,
  isUpdatable,
  mustBeDeletedFirst,
  stackState,
} from '../../../src/deploy/stack-status.js';

describe('stackState', () => {
  it.each([
    ['CREATE_IN_PROGRESS', 'in-progress'],
    ['UPDATE_IN_PROGRESS', 'in-progress'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['DELETE_IN_PROGRESS', 'in-progress'],
    ['REVIEW_IN_PROGRESS', 'in-progress'],
    ['IMPORT_IN_PROGRESS', 'in-progress'],
    ['CREATE_COMPLETE', 'succeeded'],
    ['UPDATE_COMPLETE', 'succeeded'],
    ['DELETE_COMPLETE', 'succeeded'],
    ['IMPORT_COMPLETE', 'succeeded'],
    ['ROLLBACK_COMPLETE', 'rolled-back'],
    ['UPDATE_ROLLBACK_COMPLETE', 'rolled-back'],
    ['IMPORT_ROLLBACK_COMPLETE', 'rolled-back'],
    ['CREATE_FAILED', 'failed'],
    ['ROLLBACK_FAILED', 'failed'],
    ['DELETE_FAILED', 'failed'],
    ['UPDATE_FAILED', 'failed'],
    ['UPDATE_ROLLBACK_FAILED', 'failed'],
    ['IMPORT_ROLLBACK_FAILED', 'failed'],
  ])('sorts %s as %s', (status, state) => {
    expect(stackState(status)).toBe(state);
  });

  it('never takes a status it does not know for success', () => {
    expect(stackState('SOMETHING_NEW')).toBe('failed');
    expect(isSuccess('SOMETHING_NEW')).toBe(false);
  });
});

describe('isFinal', () => {
  it('is false while an operation runs and true once it has ended, however it ended', () => {
    expect(['CREATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'].map(isFinal)).toEqual([false, false]);
    expect(['CREATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'DELETE_FAILED'].map(isFinal)).toEqual([true, true, true]);
  });
});

describe('isUpdatable and mustBeDeletedFirst', () => {
  it('takes an UPDATE change set only for a stack that holds deployed resources', () => {
    expect(isUpdatable('CREATE_COMPLETE')).toBe(true);
    expect(isUpdatable('UPDATE_ROLLBACK_COMPLETE')).toBe(true);
    expect(isUpdatable('REVIEW_IN_PROGRESS')).toBe(false);
    expect(isUpdatable('ROLLBACK_COMPLETE')).toBe(false);
  });

  it('asks for the deletion of a stack whose first deploy was rolled back, and of no other', () => {
    expect(mustBeDeletedFirst('ROLLBACK_COMPLETE')).toBe(true);
    expect(mustBeDeletedFirst('ROLLBACK_FAILED')).toBe(true);
    expect(mustBeDeletedFirst('UPDATE_ROLLBACK_COMPLETE')).toBe(false);
  });
});

describe('isFailedResourceStatus', () => {
  it('recognises the failures of a resource', () => {
    expect(['CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED'].every(isFailedResourceStatus)).toBe(true);
    expect(['CREATE_COMPLETE', 'DELETE_SKIPPED'].some(isFailedResourceStatus)).toBe(false);
  });
});
