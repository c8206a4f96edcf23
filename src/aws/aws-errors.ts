import { AwsCallError, CredentialsError } from '../errors.js';

/** What the SDK puts on the errors it throws, as far as this code reads it. */
interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * The AWS error code of an SDK error (`NoSuchEntity`, `AccessDenied`, `ThrottlingException`…),
 * or the error's name when it carries no code.
 */
export function awsErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UnknownError';
  const shape = error as SdkErrorShape;
  if (typeof shape.Code === 'string' && shape.Code) return shape.Code;
  if (typeof shape.name === 'string' && shape.name) return shape.name;
  return 'UnknownError';
}

/** True when `error` is an AWS error with one of `codes` (with or without the `Exception` suffix). */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  const names = [shape.name, shape.Code].filter((value): value is string => typeof value === 'string');
  return codes.some((code) => names.some((name) => name === code || name === `${code}Exception`));
}

const CREDENTIAL_FAILURES = [
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'InvalidSignatureException',
  'TokenRefreshRequired',
];

/** True when `error` says the caller's credentials are missing, expired or not accepted. */
export function isCredentialsFailure(error: unknown): boolean {
  return isAwsError(error, ...CREDENTIAL_FAILURES);
}

/** True when `error` is AWS slowing the caller down. */
export function isThrottling(error: unknown): boolean {
  return isAwsError(
    error,
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'SlowDown',
  );
}

/** Codes of AWS refusing the caller a permission (its credentials accepted). */
const ACCESS_DENIED = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError'];
/** The code the SDK gives a 403 without a body (a HEAD request's): S3 refused the call. */
const BODILESS_REFUSAL = new Set(['403', 'Forbidden', 'Unknown', 'UnknownError']);

/** True when `error` is AWS refusing the caller a permission, not its credentials. */
export function isAccessDenied(error: unknown): boolean {
  if (isAwsError(error, ...ACCESS_DENIED)) return true;
  const status = typeof error === 'object' && error !== null ? (error as SdkErrorShape).$metadata?.httpStatusCode : 0;
  return status === 403 && BODILESS_REFUSAL.has(awsErrorCode(error));
}

/**
 * True when a failed call may have been carried out all the same: AWS gave no answer (a time-out,
 * a call abandoned at its deadline, a dropped connection), answered with a fault of its own (5xx),
 * or the SDK sent it more than once (an earlier try may have been carried out, its answer lost).
 * False when AWS answered the one try with a refusal (AccessDenied, a bad parameter), and for
 * credentials the SDK could not find or AWS did not accept: the call was not carried out.
 */
export function mayHaveTakenEffect(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const shape = error as SdkErrorShape;
  if ((shape.$metadata?.attempts ?? 1) > 1) return true;
  if (isCredentialsFailure(error) || isAccessDenied(error)) return false;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  return shape.$fault !== 'client';
}

/** What AWS names in most refusals: `User: arn:… is not authorized to perform: iam:GetRole on resource: …`. */
const NOT_AUTHORIZED = /User: (arn:\S+) is not authorized to perform: ([\w-]+:\w+)/;
/** An IAM action, as operations are named here (`cloudformation:DescribeStacks`). */
const IAM_ACTION = /^[\w-]+:\w+$/;

/**
 * What to check when AWS refused `error`'s call a permission: the principal and the action AWS
 * named, or the operation and the caller; undefined for any other failure.
 */
export function accessDeniedHint(error: AwsCallError): string | undefined {
  if (!isAccessDenied(error.cause ?? { name: error.awsCode })) return undefined;
  const named = NOT_AUTHORIZED.exec(error.message);
  const principal = named?.[1] ?? 'the caller (whom aws sts get-caller-identity names)';
  const action = named?.[2] ?? (IAM_ACTION.test(error.operation) ? error.operation : 'the action refused');
  return `Grant ${principal} ${action} in its IAM policy, and check that no permissions boundary, service control policy or policy of the resource (a bucket, key or trust policy) denies it; or run with --profile as a principal that has it.`;
}

function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as SdkErrorShape).message === 'string')
    return ((error as SdkErrorShape).message as string) || awsErrorCode(error);
  return String(error);
}

/**
 * Wraps an SDK failure of `operation` (e.g. `iam:DeleteAccessKey`) into a typed error:
 * {@link CredentialsError} for credential problems, {@link AwsCallError} otherwise.
 */
export function toAwsCallError(operation: string, error: unknown): CredentialsError | AwsCallError {
  if (error instanceof CredentialsError || error instanceof AwsCallError) return error;
  if (isCredentialsFailure(error))
    return new CredentialsError(`${operation} was refused: ${awsErrorCode(error)}: ${messageOf(error)}`, {
      cause: error,
    });
  return new AwsCallError(operation, awsErrorCode(error), messageOf(error), { cause: error });
}
