/** Temporary credentials, as STS gives them and the SDK takes them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Gives credentials when a client signs a request; the SDK calls it before each one. */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** The logger a client gives the SDK's own messages to, as far as the SDK calls it. */
export interface SdkLogger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

/** Where and as whom to call AWS. Endpoints come from `AWS_ENDPOINT_URL[_<SERVICE>]`, read by the SDK. */
export interface AwsContext {
  region: string;
  profile?: string;
  /** Credentials to use instead of the default chain (a role assumed in another account). */
  credentials?: CredentialsProvider;
  /** Attempts per call, retries included (default 4). */
  maxAttempts?: number;
  /** Milliseconds to wait for an answer before a call is treated as failed (default 30 s). */
  requestTimeoutMs?: number;
  /** Takes the SDK's own messages (default: the SDK's logger, which prints some warnings on the console). */
  logger?: SdkLogger;
}

/**
 * The settings of a Lambda function's clients: a call that hangs is given up after 10 s and tried
 * three times in all, so that one slow answer does not take a function's whole time. Each task
 * also abandons its calls at a deadline before its timeout (see aws/deadline.ts).
 */
export function lambdaClientConfig(region: string) {
  return clientConfig({ region, maxAttempts: 3, requestTimeoutMs: 10_000 });
}

/** The settings every client shares. */

export function clientConfig(context: AwsContext, region = context.region) {
  return {
    region,
    ...(context.profile ? { profile: context.profile } : {}),
    ...(context.credentials ? { credentials: context.credentials } : {}),
    ...(context.logger ? { logger: context.logger } : {}),
    maxAttempts: context.maxAttempts ?? 4,
    retryMode: 'standard' as const,
    // Without throwOnRequestTimeout the SDK only logs a request that exceeds its timeout, and waits on.
    requestHandler: {
      connectionTimeout: 5_000,
      requestTimeout: context.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    },
  };
}
