import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { SfnApi } from '../aws/narrow-clients.js';
import { sleep as realSleep, type Sleep } from '../common/sleep.js';
import { InterruptedError } from '../errors.js';
import type { StateTransition } from './run-local.js';

/** How a remote execution ended (or `RUNNING` when it was not awaited or did not end in time). */
export interface RemoteExecutionResult {
  executionArn: string;
  status: string;
  output: unknown;
  error?: string;
  cause?: string;
  transitions: StateTransition[];
  startedAt: Date;
  durationMs: number;
}

/** Options of {@link startExecution} and {@link followExecution}. */
export interface FollowOptions {
  onTransition?: (transition: StateTransition) => void;
  sleep?: Sleep;
  intervalMs?: number;
  /** Give up following after this long (the execution goes on). */
  timeoutMs?: number;
  /** When it aborts, following stops (the execution goes on) and {@link InterruptedError} is thrown. */
  signal?: AbortSignal;
}

const FINAL_EVENTS: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** Starts an execution of the state machine with `input`. */
export async function startExecution(
  sfn: SfnApi,
  stateMachineArn: string,
  input: unknown,
  name: string,
): Promise<{ executionArn: string; startedAt: Date }> {
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
    return { executionArn: started.executionArn as string, startedAt: started.startDate ?? new Date() };
  } catch (error) {
    throw toAwsCallError('states:StartExecution', error);
  }
}

/** Reads a history event as a state transition, when it is one. */
function transitionOf(event: HistoryEvent, enteredAt: Map<string, number>): StateTransition | undefined {
  const timestamp = event.timestamp?.getTime() ?? Date.now();
  const type = event.type ?? '';
  if (event.stateEnteredEventDetails) {
    const state = event.stateEnteredEventDetails.name ?? '';
    enteredAt.set(state, timestamp);
    return { state, stateType: type.replace(/StateEntered$/, ''), phase: 'entered', timestamp };
  }
  if (event.stateExitedEventDetails) {
    const state = event.stateExitedEventDetails.name ?? '';
    const since = enteredAt.get(state);
    return {
      state,
      stateType: type.replace(/StateExited$/, ''),
      phase: 'exited',
      timestamp,
      ...(since === undefined ? {} : { elapsedMs: timestamp - since }),
    };
  }
  const failure = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
  if (failure)
    return { state: '', stateType: 'Task', phase: 'failed', timestamp, error: failure.error, cause: failure.cause };
  return undefined;
}

function parseOutput(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Follows an execution's history as it grows, reporting each state as it starts and ends, until
 * the execution ends or `timeoutMs` passes.
 */
export async function followExecution(
  sfn: SfnApi,
  execution: { executionArn: string; startedAt: Date },
  options: FollowOptions = {},
): Promise<RemoteExecutionResult> {
  const wait = options.sleep ?? realSleep;
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  const transitions: StateTransition[] = [];
  const enteredAt = new Map<string, number>();
  const seen = new Set<number>();
  let lastState = '';
  // A failed execution has no output: the last state's output still says what the tasks did.
  let lastOutput: string | undefined;
  for (;;) {
    let finalStatus: string | undefined;
    let finalEvent: HistoryEvent | undefined;
    let nextToken: string | undefined;
    try {
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn: execution.executionArn, nextToken, maxResults: 1000 }),
        );
        for (const event of page.events ?? []) {
          if (event.id === undefined || seen.has(event.id)) continue;
          seen.add(event.id);
          if (event.stateExitedEventDetails?.output) lastOutput = event.stateExitedEventDetails.output;
          const transition = transitionOf(event, enteredAt);
          if (transition) {
            if (transition.phase === 'entered') lastState = transition.state;
            if (transition.phase === 'failed') transition.state = lastState;
            transitions.push(transition);
            options.onTransition?.(transition);
          }
          if (event.type && FINAL_EVENTS[event.type]) {
            finalStatus = FINAL_EVENTS[event.type];
            finalEvent = event;
          }
        }
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      throw toAwsCallError('states:GetExecutionHistory', error);
    }
    let described: DescribeExecutionCommandOutput | undefined;
    if (!finalStatus) {
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
      if (described.status && described.status !== 'RUNNING') finalStatus = described.status;
    }
    if (finalStatus || Date.now() >= deadline) {
      const details = finalEvent?.executionSucceededEventDetails ?? undefined;
      const failed = finalEvent?.executionFailedEventDetails;
      return {
        executionArn: execution.executionArn,
        status: finalStatus ?? 'RUNNING',
        output: parseOutput(details?.output ?? described?.output ?? lastOutput),
        ...(failed?.error || described?.error ? { error: failed?.error ?? described?.error } : {}),
        ...(failed?.cause || described?.cause ? { cause: failed?.cause ?? described?.cause } : {}),
        transitions,
        startedAt: execution.startedAt,
        durationMs: Date.now() - execution.startedAt.getTime(),
      };
    }
    await wait(options.intervalMs ?? 1_000, options.signal);
    if (options.signal?.aborted)
      throw new InterruptedError(`Stopped following ${execution.executionArn}; the execution goes on in the stack.`);
  }
}
