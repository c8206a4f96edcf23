import './promise-with-resolvers.js';
import {
  ExecutionError,
  type StateMachineDefinition as LocalDefinition,
  type RunOptions,
  StateMachine,
} from 'aws-local-stepfunctions';
import { LOGICAL_IDS } from '../constants.js';
import { type CloudFormationTemplate, loadTemplate } from '../deploy/template.js';
import { InterruptedError } from '../errors.js';
import {
  PLACEHOLDER_ACCOUNT,
  placeholderFunctionArn,
  type StateMachineDefinition,
  stateMachineDefinition,
} from './definition.js';
import type { WorkflowState } from './workflow-state.js';

/** A local stand-in for one Lambda function: the state in, the function's result out. */
export type LocalTaskHandler = (state: WorkflowState) => unknown;

/** What the state machine publishes itself (its last-resort alert), as its SNS task gives it. */
export interface PublishedAlert {
  TopicArn: string;
  Subject: string;
  Message: string;
}

/** The three functions of the state machine, run in this process, and where the state machine's own alert goes. */
export interface LocalHandlers {
  contain: LocalTaskHandler;
  investigate: LocalTaskHandler;
  notify: LocalTaskHandler;
  /** Publishes the state machine's last-resort alert; by default it is only kept in the result. */
  publish?: (alert: PublishedAlert) => unknown;
}

/** The resource of a task that publishes to SNS through Step Functions itself. */
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';

/** The state machine's ARN in a local run, as the context object gives it (`$$.StateMachine.Id`). */
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:us-east-1:${PLACEHOLDER_ACCOUNT}:stateMachine:exposed-keys`;
/** The execution's ARN in a local run (`$$.Execution.Id`). */
export const LOCAL_EXECUTION_ARN = `arn:aws:states:us-east-1:${PLACEHOLDER_ACCOUNT}:execution:exposed-keys:local`;

type FunctionName = 'contain' | 'investigate' | 'notify';

/** The function behind each handler, by logical ID in the template. */
const FUNCTIONS: Readonly<Record<FunctionName, string>> = {
  contain: LOGICAL_IDS.containFunction,
  investigate: LOGICAL_IDS.investigateFunction,
  notify: LOGICAL_IDS.notifyFunction,
};

/** What happened to a state: entered, left, failed (before a retry, a catch, or the end), retried, caught. */
export type TransitionPhase = 'entered' | 'exited' | 'failed' | 'retried' | 'caught';

/** One step of a local execution, for a progress display. */
export interface StateTransition {
  state: string;
  /** The state's ASL type: `Task`, `Choice`, `Fail`, `Succeed`… */
  stateType: string;
  phase: TransitionPhase;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Milliseconds since the state was entered; absent on `entered`. */
  elapsedMs?: number;
  /** On `failed`: the error name and cause (a Lambda-style JSON cause for a task). */
  error?: string;
  cause?: string;
  /** On `retried`: how many retries this retrier has made, this one included. */
  attempt?: number;
}

/** Options of {@link runStateMachineLocally}. */
export interface LocalRunOptions {
  /** The execution input: the EventBridge event. */
  event: unknown;
  handlers: LocalHandlers;
  /** Called for each transition as it happens. */
  onTransition?: (transition: StateTransition) => void;
  /**
   * The template whose state machine runs; by default the one shipped with the package. Its
   * machine is built on its first run and kept: change a copy, not a template already run.
   */
  template?: CloudFormationTemplate;
  /** Milliseconds to wait before each retry and in each Wait state (default 0: no waiting). */
  delayMs?: number;
  /** When it aborts, the execution is abandoned and {@link InterruptedError} thrown. */
  signal?: AbortSignal;
}

/** How a local execution ended. */
export interface LocalRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  /**
   * The execution's output when it succeeded. When it failed, the state as it entered the state
   * that failed, so that what the tasks did can still be shown.
   */
  output: WorkflowState | null;
  /** The error and cause of a failed execution, as Step Functions reports them. */
  error?: string;
  cause?: string;
  events: StateTransition[];
  /** What the state machine published itself: its last-resort alert, when the notification failed. */
  published: PublishedAlert[];
  startedAt: Date;
  durationMs: number;
}

/** What a Lambda function's failure looks like to Step Functions: the error type as `Error`, JSON as `Cause`. */
class LambdaTaskFailure extends Error {
  constructor(thrown: unknown) {
    const name = thrown instanceof Error ? thrown.name : 'Error';
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    super(JSON.stringify({ errorType: name, errorMessage: message }));
    this.name = name;
  }
}

/** Runs a handler as Lambda would: JSON in, JSON out, a thrown error reported by name and message. */
function asLambda(handler: LocalTaskHandler) {
  return async (input: unknown) => {
    let result: unknown;
    try {
      result = await handler(JSON.parse(JSON.stringify(input)) as WorkflowState);
    } catch (error) {
      throw new LambdaTaskFailure(error);
    }
    return JSON.parse(JSON.stringify(result ?? null));
  };
}

function localOverrides(
  definition: StateMachineDefinition,
  handlers: LocalHandlers,
  delayMs: number,
  published: PublishedAlert[],
) {
  const byArn = new Map(
    (Object.keys(FUNCTIONS) as FunctionName[]).map((key) => [placeholderFunctionArn(FUNCTIONS[key]), key]),
  );
  const tasks: Record<string, ReturnType<typeof asLambda>> = {};
  const retries: Record<string, number> = {};
  const waits: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Retry !== undefined) retries[name] = delayMs;
    if (state.Type === 'Wait') waits[name] = delayMs;
    if (state.Type !== 'Task') continue;
    if (state.Resource === SNS_PUBLISH) {
      tasks[name] = async (input: unknown) => {
        const alert = input as PublishedAlert;
        published.push(alert);
        return JSON.parse(JSON.stringify((await handlers.publish?.(alert)) ?? { MessageId: 'local' }));
      };
      continue;
    }
    const key = byArn.get(String(state.Resource));
    // An unmapped task would make the library call the real Lambda service.
    if (!key) throw new Error(`Task state ${name} calls ${String(state.Resource)}, which has no local handler.`);
    tasks[name] = asLambda(handlers[key]);
  }
  return { taskResourceLocalHandlers: tasks, retryIntervalOverrides: retries, waitTimeOverrides: waits };
}

type EventLog = AsyncGenerator<{
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
}>;

const PHASES: Readonly<Record<string, TransitionPhase>> = {
  StateEntered: 'entered',
  StateExited: 'exited',
  StateFailed: 'failed',
  StateRetried: 'retried',
  StateCaught: 'caught',
};

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Where a run stopped, in words: in the last state entered, if any. */
function stoppedIn(events: StateTransition[]): string {
  const entered = events.filter((event) => event.phase === 'entered').at(-1);
  return entered ? ` in ${entered.state}` : '';
}

/** Follows the library's event log, turning state events into transitions. Returns the last state input seen. */
async function follow(
  log: EventLog,
  events: StateTransition[],
  onTransition: LocalRunOptions['onTransition'],
): Promise<unknown> {
  const enteredAt = new Map<string, number>();
  let lastInput: unknown = null;
  for await (const event of log) {
    const phase = PHASES[event.type];
    if (!phase || !event.state) continue;
    const { name, type, input } = event.state;
    if (phase === 'entered') {
      enteredAt.set(name, event.timestamp);
      lastInput = input;
    }
    const since = enteredAt.get(name);
    const transition: StateTransition = {
      state: name,
      stateType: type,
      phase,
      timestamp: event.timestamp,
      ...(phase !== 'entered' && since !== undefined ? { elapsedMs: event.timestamp - since } : {}),
      ...(phase === 'failed' ? { error: event.Error ?? 'Error', cause: text(event.Cause) } : {}),
      ...(phase === 'retried' && event.retry ? { attempt: event.retry.attempt } : {}),
    };
    events.push(transition);
    onTransition?.(transition);
  }
  return lastInput;
}

/*
 * Reading the template and building its state machine (which validates the definition against the
 * language's schema, compiling the schema each time) cost about 150 ms of CPU: done once per
 * template, not per execution, so that a burst of executions in one process measures the
 * executions. A template is therefore not to be changed once run: pass a copy to change.
 */
let defaultTemplate: Promise<CloudFormationTemplate> | undefined;
function loadDefaultTemplate(): Promise<CloudFormationTemplate> {
  defaultTemplate ??= loadTemplate().catch((error: unknown) => {
    defaultTemplate = undefined;
    throw error;
  });
  return defaultTemplate;
}

const machines = new WeakMap<CloudFormationTemplate, { definition: StateMachineDefinition; machine: StateMachine }>();

function machineOf(template: CloudFormationTemplate): { definition: StateMachineDefinition; machine: StateMachine } {
  let built = machines.get(template);
  if (!built) {
    const definition = stateMachineDefinition(template);
    built = { definition, machine: new StateMachine(definition as unknown as LocalDefinition) };
    machines.set(template, built);
  }
  return built;
}

/**
 * Runs the template's own state machine definition in this process, with each Lambda task
 * calling the matching local handler. Retries and waits happen without delay unless `delayMs`
 * says otherwise. A handler that throws fails its task as a Lambda function would: the error's
 * `name` is the task's `Error`, and `{"errorType","errorMessage"}` JSON is its `Cause`.
 */
export async function runStateMachineLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { definition, machine } = machineOf(options.template ?? (await loadDefaultTemplate()));
  const published: PublishedAlert[] = [];
  const overrides = localOverrides(definition, options.handlers, options.delayMs ?? 0, published);
  const startedAt = new Date();
  const execution = machine.run(options.event as Parameters<StateMachine['run']>[0], {
    overrides: overrides as RunOptions['overrides'],
    // The context object a real execution has, as far as the definition reads it.
    context: {
      Execution: {
        Id: LOCAL_EXECUTION_ARN,
        Input: options.event,
        StartTime: startedAt.toISOString(),
        Name: 'local',
      },
      StateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: 'exposed-keys' },
    } as RunOptions['context'],
  });
  const events: StateTransition[] = [];
  const following = follow(execution.eventLogs as EventLog, events, options.onTransition);
  // A throwing onTransition must not surface as an unhandled rejection; it is rethrown below.
  following.catch(() => undefined);
  const abort = () => execution.abort();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const ended = await execution.result
    .then(
      (output) => ({ status: 'SUCCEEDED' as const, output }),
      (error: unknown) => ({ status: 'FAILED' as const, error }),
    )
    .finally(() => options.signal?.removeEventListener('abort', abort));
  // The task under way when it was stopped is abandoned, not awaited: its calls may still be answered.
  if (options.signal?.aborted) throw new InterruptedError(`The local run was stopped${stoppedIn(events)}.`);
  const lastInput = await following;
  const durationMs = Date.now() - startedAt.getTime();
  if (ended.status === 'SUCCEEDED') {
    return { status: 'SUCCEEDED', output: ended.output as WorkflowState, events, published, startedAt, durationMs };
  }
  if (!(ended.error instanceof ExecutionError)) throw ended.error;
  const failure = ended.error.cause as Error;
  return {
    status: 'FAILED',
    output: lastInput as WorkflowState | null,
    error: failure.name,
    cause: failure.message,
    events,
    published,
    startedAt,
    durationMs,
  };
}
