import { describe, expect, it } from 'vitest';
import { toAwsCallError } from '../../../src/aws/aws-errors.js';
import { handleError } from '../../../src/cli/error-handler.js';
import {
  AwsCallError,
  ContainmentError,
  DeploymentError,
  ExitCode,
  InvalidInputError,
  StackNotFoundError,
} from '../../../src/errors.js';
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

  it('points a stack not found at the account signed in to, not at another region, where no stack can live', () => {
    const { output, stderr } = capturedOutput();

    const code = handleError(new StackNotFoundError('exposed-keys', 'us-east-1'), output);

    expect(code).toBe(ExitCode.awsFailed);
    const hint = stderr.text.split('\n')[1] ?? '';
    expect(hint).toMatch(/^hint: /);
    expect(hint).not.toContain('--region');
    expect(hint).toMatch(/--profile/);
    expect(hint).toMatch(/--stack-name/);
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

  it('names the principal and the action AWS refused, when a refused permission has no hint of its own', () => {
    const { output, stderr } = capturedOutput();
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/Deployer/ana is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/* because no identity-based policy allows the cloudformation:DescribeStacks action',
      ),
      { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
    );

    expect(handleError(toAwsCallError('cloudformation:DescribeStacks', denied), output)).toBe(ExitCode.awsFailed);
    expect(stderr.text).toMatch(
      /\nhint: Grant arn:aws:sts::123456789012:assumed-role\/Deployer\/ana cloudformation:DescribeStacks in its IAM policy, and check that no permissions boundary, service control policy or policy of the resource .* denies it; or run with --profile as a principal that has it\.\n$/,
    );
  });

  it('names the operation and the caller when AWS named neither, as S3 does, a HEAD request’s 403 too', () => {
    const s3Denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const headDenied = Object.assign(new Error('UnknownError'), { name: '403', $metadata: { httpStatusCode: 403 } });

    for (const [operation, error] of [
      ['s3:ListObjectVersions', s3Denied],
      ['s3:HeadObject', headDenied],
    ] as const) {
      const { output, stderr } = capturedOutput();
      handleError(toAwsCallError(operation, error), output);
      expect(stderr.text).toContain(
        `hint: Grant the caller (whom aws sts get-caller-identity names) ${operation} in its IAM policy`,
      );
    }
  });

  it('keeps a refusal’s own hint, and gives none to a failure that is no refusal', () => {
    const own = capturedOutput();
    handleError(
      new AwsCallError('s3:HeadBucket', 'AccessDenied', 'Bucket b exists, and is not yours.', {
        hint: 'Pass another name.',
      }),
      own.output,
    );
    const throttled = capturedOutput();
    const slowDown = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    handleError(toAwsCallError('events:DescribeRule', slowDown), throttled.output);

    expect(own.stderr.text).toMatch(/\nhint: Pass another name\.\n$/);
    expect(throttled.stderr.text).toBe('error: events:DescribeRule failed: ThrottlingException: Rate exceeded\n');
  });

  it('calls anything else unexpected, exit code 1, and asks for --verbose', () => {
    const { output, stderr } = capturedOutput();

    expect(handleError(new TypeError('x is undefined'), output)).toBe(ExitCode.unexpected);
    expect(stderr.text).toMatch(/Unexpected error: x is undefined[\s\S]*--verbose/);
  });
});
