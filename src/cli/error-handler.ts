import { isCredentialsFailure, toAwsCallError } from '../aws/aws-errors.js';
import { DeploymentError, ExitCode, type ExitCodeValue, isExposedKeysError } from '../errors.js';
import type { Output } from './output.js';

/** True for errors the SDK threw (they carry `$metadata`, or come from a credential provider). */
function isSdkError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ('$metadata' in error || isCredentialsFailure(error) || (error as Error).name === 'TimeoutError')
  );
}

/**
 * Shows an error the way a person at 3 a.m. needs it: what failed, and what to do next. Returns the
 * exit code: 2 bad input, 3 an AWS call failed, 4 a human must act, 1 anything unexpected.
 */
export function handleError(error: unknown, output: Output, operation = 'AWS call'): ExitCodeValue {
  const typed = isExposedKeysError(error) ? error : isSdkError(error) ? toAwsCallError(operation, error) : undefined;
  if (typed) {
    if (typed instanceof DeploymentError)
      for (const failure of typed.failures)
        output.error(`${failure.logicalId} ${failure.status}${failure.reason ? `: ${failure.reason}` : ''}`);
    output.error(typed.message, typed.hint);
    if (output.verbose && typed.cause) output.debug(String((typed.cause as Error).stack ?? typed.cause));
    return typed.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.error(`Unexpected error: ${message}`, 'Run again with --verbose for the stack trace, and report it.');
  if (output.verbose && error instanceof Error && error.stack) output.debug(error.stack);
  return ExitCode.unexpected;
}
