import { ExitCode, ExposedKeysError, type ExposedKeysErrorOptions } from '../errors.js';

/** Thrown when the Lambda artifact can neither be built (no sources) nor found prebuilt. */
export class ArtifactUnavailableError extends ExposedKeysError {
  readonly code = 'ARTIFACT_UNAVAILABLE';
  readonly exitCode = ExitCode.unexpected;
  constructor(message: string, options: ExposedKeysErrorOptions = {}) {
    super(message, {
      hint: 'Run from a clone of exposed-keys (with src/lambda), or reinstall the package so that it ships its prebuilt artifact.',
      ...options,
    });
  }
}

/** Thrown when the stack is busy with another operation, so that no change set can be made now. */
export class StackBusyError extends ExposedKeysError {
  readonly code = 'STACK_BUSY';
  readonly exitCode = ExitCode.awsFailed;
  constructor(
    readonly stackName: string,
    readonly status: string,
  ) {
    super(`Stack ${stackName} is busy (${status}).`, {
      hint: 'Wait until its current operation ends (see `exposed-keys status`), then try again.',
    });
  }
}

/** Thrown when CloudFormation does not settle within the polling timeout. */
export class StackTimeoutError extends ExposedKeysError {
  readonly code = 'STACK_TIMEOUT';
  readonly exitCode = ExitCode.awsFailed;
  constructor(
    readonly stackName: string,
    readonly status: string,
  ) {
    super(`Stopped waiting for stack ${stackName}: it is still ${status}.`, {
      hint: 'The operation goes on in CloudFormation; follow it with `exposed-keys status` or in the console.',
    });
  }
}

/** Thrown when esbuild cannot bundle the Lambda handlers (a syntax or import error in the sources). */
export class BundleError extends ExposedKeysError {
  readonly code = 'BUNDLE_FAILED';
  readonly exitCode = ExitCode.unexpected;
  constructor(message: string, options: ExposedKeysErrorOptions = {}) {
    super(message, {
      hint: 'Fix the error named in the message (`npm run typecheck` shows it too), then deploy again.',
      ...options,
    });
  }
}

/** Thrown when AWS Signer does not sign the Lambda artifact for a stack that requires signed code. */
export class SigningError extends ExposedKeysError {
  readonly code = 'SIGNING_FAILED';
  readonly exitCode = ExitCode.awsFailed;
  constructor(message: string, options: ExposedKeysErrorOptions = {}) {
    super(message, {
      hint: 'Check the signing profile (aws signer get-signing-profile) and that you may start signing jobs with it, or deploy with --code-signing-profile "" to stop requiring signed code.',
      ...options,
    });
  }
}
