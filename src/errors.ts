/**
 * The typed errors of exposed-keys. Every error the tool raises on purpose extends
 * {@link ExposedKeysError}: it carries a stable `code`, an `exitCode` for the CLI and a `hint`
 * that tells a human what to do next.
 */

/** Exit codes of the CLI, shared by the error classes that map onto them. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  awsFailed: 3,
  needsHuman: 4,
  /** Stopped by the user (Ctrl-C), as shells report a process ended by SIGINT. */
  interrupted: 130,
} as const;

/** One of the exit codes in {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Options every exposed-keys error accepts. */
export interface ExposedKeysErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** Base class of every error exposed-keys throws on purpose. */
export abstract class ExposedKeysError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCodeValue;
  /** What a human should do next, in one sentence. */
  readonly hint: string | undefined;

  constructor(message: string, options: ExposedKeysErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Thrown when an EventBridge event cannot be read as an exposed-key incident. */
export class InvalidEventError extends ExposedKeysError {
  readonly code = 'INVALID_EVENT';
  readonly exitCode = ExitCode.badInput;
  constructor(
    /** The dotted path of the field that is missing or invalid, e.g. `detail.check-item-detail.Access Key ID`. */
    readonly field: string,
    reason: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(`Invalid event: ${field} ${reason}`, {
      hint: 'Check that the event is a Trusted Advisor "Exposed Access Keys" item or an AWS Health RISK event.',
      ...options,
    });
  }
}

/**
 * How many of an event's keys an error names: a Health event may name thousands, and a task's error
 * travels in the state machine's state, which holds 256 KB in all (`keys` holds them all).
 */
const KEYS_NAMED = 20;

/** Thrown when an event names more than one exposed key: each must be contained, one at a time. */
export class SeveralKeysError extends InvalidEventError {
  constructor(
    field: string,
    /** The keys the event names, each a valid access key id. */
    readonly keys: readonly string[],
  ) {
    const named = keys.slice(0, KEYS_NAMED);
    const more = keys.length > named.length ? `, and ${keys.length - named.length} more in the event` : '';
    super(field, `names ${keys.length} different access keys (${named.join(', ')}${more}); respond to each`, {
      hint: `Contain each key: ${named.map((key) => `exposed-keys respond --key ${key}`).join('; ')}${more ? `; and each of the ${keys.length - named.length} more the event names` : ''}`,
    });
  }
}

/** Thrown when a command-line option or a step input is missing, malformed or conflicts with another. */

export class InvalidInputError extends ExposedKeysError {
  readonly code = 'INVALID_INPUT';
  readonly exitCode = ExitCode.badInput;
  constructor(
    /** The option or input field at fault, e.g. `--key`. */
    readonly field: string,
    message: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Thrown before any call when the stack or a command is aimed at a region other than us-east-1. */
export class WrongRegionError extends ExposedKeysError {
  readonly code = 'WRONG_REGION';
  readonly exitCode = ExitCode.badInput;
  constructor(readonly region: string) {
    super(
      `The stack must live in us-east-1, not ${region}: Trusted Advisor and AWS Health risk events are only delivered to EventBridge in us-east-1, and respond and release use the stack there (its topic, its schedules).`,
      { hint: 'Run again with --region us-east-1 (or unset AWS_REGION and AWS_DEFAULT_REGION).' },
    );
  }
}

/** Thrown when no usable AWS credentials are found, or the ones found are expired or invalid. */
export class CredentialsError extends ExposedKeysError {
  readonly code = 'CREDENTIALS';
  readonly exitCode = ExitCode.awsFailed;
  constructor(message: string, options: ExposedKeysErrorOptions = {}) {
    super(message, {
      hint: 'Log in again (for example `aws sso login --profile <name>`, then --profile <name>) or export fresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.',
      ...options,
    });
  }
}

/** Thrown when an AWS API call fails after its retries, for a reason other than credentials. */
export class AwsCallError extends ExposedKeysError {
  readonly code = 'AWS_CALL_FAILED';
  readonly exitCode = ExitCode.awsFailed;
  constructor(
    /** The API call that failed, e.g. `iam:DeleteAccessKey`. */
    readonly operation: string,
    /** The AWS error code, e.g. `AccessDenied`, or the error name when there is none. */
    readonly awsCode: string,
    message: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(`${operation} failed: ${awsCode}: ${message}`, options);
  }
}

/** Thrown by containment when IAM fails, so that the key is known to be, or may be, still active. */
export class ContainmentError extends ExposedKeysError {
  readonly code = 'CONTAINMENT_FAILED';
  readonly exitCode = ExitCode.needsHuman;
  constructor(
    readonly accessKeyId: string,
    message: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Thrown by `release` when the key is gone before it could be released: its scheduled deletion ran
 * first (or someone deleted it). A human must act: whatever needed the key needs a new one.
 */
export class KeyGoneError extends ExposedKeysError {
  readonly code = 'KEY_GONE';
  readonly exitCode = ExitCode.needsHuman;
  constructor(
    readonly accessKeyId: string,
    message: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Thrown when no region at all could be searched, so nothing is known of what the key did. */
export class InvestigationError extends ExposedKeysError {
  readonly code = 'INVESTIGATION_FAILED';
  readonly exitCode = ExitCode.awsFailed;
}

/** Thrown when the SNS message could not be published. */
export class NotificationError extends ExposedKeysError {
  readonly code = 'NOTIFICATION_FAILED';
  readonly exitCode = ExitCode.awsFailed;
}

/** Thrown when the deployed stack or one of its resources cannot be found. */
export class StackNotFoundError extends ExposedKeysError {
  readonly code = 'STACK_NOT_FOUND';
  readonly exitCode = ExitCode.awsFailed;
  constructor(
    readonly stackName: string,
    region: string,
  ) {
    super(`Stack ${stackName} was not found in ${region}.`, {
      // The stack lives in us-east-1 only: a stack not found there is one of another name or account.
      hint: 'Deploy it with `exposed-keys deploy`, or give the --stack-name it was deployed with, or the --profile of the account it is in.',
    });
  }
}

/**
 * Thrown when a deployment fails or is rolled back, or a stack's deletion fails; carries the failing
 * resources. Exit 3, or 4 when what it did leaves a human something to do (`needsHuman`).
 */
export class DeploymentError extends ExposedKeysError {
  readonly code = 'DEPLOYMENT_FAILED';
  readonly exitCode: ExitCodeValue;
  constructor(
    message: string,
    /** Each resource that failed, with the reason CloudFormation gave. */
    readonly failures: readonly { logicalId: string; status: string; reason: string }[],
    options: ExposedKeysErrorOptions & { needsHuman?: boolean } = {},
  ) {
    super(message, options);
    this.exitCode = options.needsHuman ? ExitCode.needsHuman : ExitCode.awsFailed;
  }

  /**
   * This failure, saying `more` of what it left after its message; with `hint`, that hint instead of
   * its own; with `needsHuman`, that exit code instead of its own.
   */
  saying(more: string, options: { hint?: string; needsHuman?: boolean } = {}): DeploymentError {
    const hint = options.hint ?? this.hint;
    return new DeploymentError(`${this.message} ${more}`, this.failures, {
      ...(hint ? { hint } : {}),
      ...(this.cause === undefined ? {} : { cause: this.cause }),
      needsHuman: options.needsHuman ?? this.exitCode === ExitCode.needsHuman,
    });
  }
}

/** Thrown at a Lambda cold start when its environment is missing or invalid. */
export class ConfigurationError extends ExposedKeysError {
  readonly code = 'CONFIGURATION';
  readonly exitCode = ExitCode.badInput;
}

/**
 * Thrown when an Athena query fails, is cancelled, or does not finish in time, or when its answer
 * cannot be read; nothing was read.
 */
export class AthenaQueryError extends ExposedKeysError {
  readonly code = 'ATHENA_QUERY_FAILED';
  readonly exitCode = ExitCode.awsFailed;
  constructor(
    /** The query's execution id, when it was started. */
    readonly queryExecutionId: string | undefined,
    /** The query's last state (`FAILED`, `CANCELLED`, `TIMED_OUT` when this tool gave up). */
    readonly state: string,
    message: string,
    options: ExposedKeysErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Thrown when the user stops a running step (Ctrl-C); its message says what was stopped, and what
 * goes on. Exit 130, or 4 when what goes on leaves a human something to do (`needsHuman`).
 */
export class InterruptedError extends ExposedKeysError {
  readonly code = 'INTERRUPTED';
  readonly exitCode: ExitCodeValue;
  constructor(message: string, options: ExposedKeysErrorOptions & { needsHuman?: boolean } = {}) {
    super(message, options);
    this.exitCode = options.needsHuman ? ExitCode.needsHuman : ExitCode.interrupted;
  }

  /**
   * This stop, saying `more` of what it left after its message; with `hint`, that hint instead of
   * its own; with `needsHuman`, that exit code instead of its own.
   */
  saying(more: string, options: { hint?: string; needsHuman?: boolean } = {}): InterruptedError {
    const hint = options.hint ?? this.hint;
    return new InterruptedError(`${this.message} ${more}`, {
      ...(hint ? { hint } : {}),
      needsHuman: options.needsHuman ?? this.exitCode === ExitCode.needsHuman,
    });
  }
}

/** True when `error` is one of the typed errors of exposed-keys. */
export function isExposedKeysError(error: unknown): error is ExposedKeysError {
  return error instanceof ExposedKeysError;
}

/** A short, single-line description of any thrown value, for reports and notifications. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
