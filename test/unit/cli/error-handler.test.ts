import { describe, expect, it } from 'vitest';
import { handleError } from '../../../src/cli/error-handler.js';
import { ContainmentError, DeploymentError, ExitCode, InvalidInputError } from '../../../src/errors.js';
import { capturedOutput } from '../../support/output.js';

describe('handleError', () => {
  it('shows a typed error with its hint and returns its exit code', () => {
    const { output, stderr } = capturedOutput();

    const code = handleError(new InvalidInputError('--key', 'The key is wrong.', { hint: 'Give AKIA….' }), output);

    expect(code).toBe(ExitCode.badInput);
    expect(stderr.text).toBe('error: The key is wrong.\nhint: Give AKIA….\n');
  });

  it('lists each failing resource of a deployment before the error', () => {
    const { output, stderr } = capturedOutput();
    const failures = [{ logicalId: 'Topic', status: 'CREATE_FAILED', reason: 'KMS key denied' }];

    const code = handleError(new DeploymentError('Deploy failed.', failures), output);

    expect(code).toBe(ExitCode.awsFailed);
    expect(stderr.text.split('\n')[0]).toBe('error: Topic CREATE_FAILED: KMS key denied');
  });

  it('lists a failure that gives no reason without a dangling colon', () => {
    const { output, stderr } = capturedOutput();
    const failures = [{ logicalId: '111122223333', status: 'CURRENT', reason: '' }];

    handleError(new DeploymentError('The member stack is still in 1 account(s).', failures), output);

    expect(stderr.text.split('\n')[0]).toBe('error: 111122223333 CURRENT');
  });

  it('says a human must act when containment failed', () => {
    const { output } = capturedOutput();

    expect(handleError(new ContainmentError('AKIAIOSFODNN7EXAMPLE', 'IAM refused.'), output)).toBe(ExitCode.needsHuman);
  });

  it('turns an SDK failure into an AWS call error, expired credentials into a hint to log in', () => {
    const { output, stderr } = capturedOutput();
    const expired = Object.assign(new Error('The security token included in the request is expired'), {
      name: 'ExpiredToken',
      $metadata: { httpStatusCode: 403 },
    });

    expect(handleError(expired, output)).toBe(ExitCode.awsFailed);
    expect(stderr.text).toMatch(/hint: Log in again/);
  });

  it('calls anything else unexpected, exit code 1, and asks for --verbose', () => {
    const { output, stderr } = capturedOutput();

    expect(handleError(new TypeError('x is undefined'), output)).toBe(ExitCode.unexpected);
    expect(stderr.text).toMatch(/Unexpected error: x is undefined[\s\S]*--verbose/);
  });
});
