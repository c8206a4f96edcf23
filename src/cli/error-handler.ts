import { accessDeniedHint, isCredentialsFailure, toAwsCallError } from '../aws/aws-errors.js';
import { AwsCallError, DeploymentError, ExitCode, type ExitCodeValue, isExposedKeysError } from '../errors.js';
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
    // A refused permission without a hint of its own gets one naming the principal and the action.
    output.error(typed.message, typed.hint ?? (typed instanceof AwsCallError ? accessDeniedHint(typed) : undefined));
    if (output.verbose && typed.cause) output.debug(String((typed.cause as Error).stack ?? typed.cause));
    return typed.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.error(`Unexpected error: ${message}`, 'Run again with --verbose for the stack trace, and report it.');
  if (output.verbose && error instanceof Error && error.stack) output.debug(error.stack);
  return ExitCode.unexpected;
}
