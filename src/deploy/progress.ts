import { type Sleep, sleep } from '../common/sleep.js';

/** One stack event, as the deploy library reports it. */
export interface StackEvent {
  timestamp: Date;
  /** The resource's logical id; the stack's own events carry the stack name. */
  logicalId: string;
  /** `AWS::SNS::Topic`, or `AWS::CloudFormation::Stack` for the stack itself. */
  type: string;
  status: string;
  reason: string | undefined;
}

/**
 * How the deploy library tells its caller what it is doing. It never prints: the CLI decides how
 * to show progress (a spinner on a TTY, plain lines in CI, nothing with `--json`).
 */
export interface DeployProgress {
  /** A step starts, e.g. "Creating change set exposed-keys-…". */
  onStep?(message: string): void;
  /** A new stack event arrived while a deploy or a delete is followed. */
  onStackEvent?(event: StackEvent): void;
}

/** How often and how long to poll CloudFormation. */
export interface PollOptions {
  /** Waits between two polls; injectable so that tests run instantly. */
  sleep?: Sleep;
  /** Milliseconds between two polls (default 2 s). */
  intervalMs?: number;
  /** Milliseconds after which waiting gives up (default 60 min). */
  timeoutMs?: number;
  /**
   * When it aborts (Ctrl-C), waiting for a change set or a stack stops: what CloudFormation was
   * asked to do goes on, and the caller is told by a `StackFollowInterrupted`.
   */
  signal?: AbortSignal;
}

/** {@link PollOptions} with every default applied. */
export interface Polling {
  sleep: Sleep;
  intervalMs: number;
  /** How many polls fit in the timeout: counting polls, rather than reading a clock, keeps tests deterministic. */
  maxPolls: number;
  signal: AbortSignal | undefined;
}

const DEFAULT_INTERVAL_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;

/** Applies the defaults of {@link PollOptions}. */
export function polling(options: PollOptions = {}): Polling {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    sleep: options.sleep ?? sleep,
    intervalMs,
    maxPolls: Math.max(1, Math.ceil(timeoutMs / Math.max(intervalMs, 1))),
    signal: options.signal,
  };
}

/** What every CloudFormation operation of the library accepts besides its client. */
export interface ProgressDeps {
  progress?: DeployProgress;
  poll?: PollOptions;
}
