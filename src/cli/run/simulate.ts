import { GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type {
  CloudFormationApi,
  CloudTrailApi,
  IamClient,
  SchedulerApi,
  SfnApi,
  SnsClient,
} from '../../aws/narrow-clients.js';
import { shownText } from '../../common/untrusted-text.js';
import { GLOBAL_EVENTS_REGION, LOGICAL_IDS, SIMULATION_INTERRUPTED } from '../../constants.js';
import { describeStack, type StackDescription } from '../../deploy/stack-description.js';
import { describeError, InterruptedError, StackNotFoundError } from '../../errors.js';
import { parseIncident } from '../../incident/parse-incident.js';
import { buildNotification } from '../../message/email.js';
import { readContainConfig, readInvestigateConfig } from '../../settings/function-settings.js';
import { functionEnvironment } from '../../settings/settings.js';
import { followExecution, type RemoteExecutionResult, startExecution } from '../../state-machine/follow-execution.js';
import { runStateMachineLocally, type StateTransition } from '../../state-machine/run-local.js';
import { type SimulatedSource, simulatedEvent } from '../../state-machine/simulated-event.js';
import { containTask } from '../../state-machine/tasks/contain-task.js';
import { investigateTask } from '../../state-machine/tasks/investigate-task.js';
import { notifyTask } from '../../state-machine/tasks/notify-task.js';
import { incidentReportOf, type NotificationOutput, type WorkflowState } from '../../state-machine/workflow-state.js';
import { keyContained, needsHuman } from '../../steps/incident-outcome.js';
import type { InventoryDeps } from '../../steps/inventory/take-inventory.js';
import { cancelFollowUp, scheduleName } from '../../steps/lifecycle/schedules.js';
import { createTestUser, removeTestUser, type TestUser, testKeyStatus } from './test-user.js';

/** The clients `simulate` uses. */
export interface SimulateDeps {
  iam: IamClient;
  sfn: SfnApi;
  cloudFormation: CloudFormationApi;
  cloudTrail: (region: string) => CloudTrailApi;
  listRegions: () => Promise<string[]>;
  /** The SNS client of the topic's region, for --local with a topic. */
  sns?: SnsClient;
  /** Scheduler, to cancel the follow-ups the run scheduled for a test key, which would alert once it is gone. */
  scheduler?: () => Promise<SchedulerApi>;
  /** The clients of the inventory of what the attacker left, which the stack's investigation takes too. */
  inventory?: Omit<InventoryDeps, 'accountId'>;
}

/** What was asked of `simulate`. */
export interface SimulateRequest {
  accountId: string;
  /** Absent with `createTestUser` or `event`. */
  accessKeyId?: string;
  /** An event to replay as it was delivered, instead of a simulated one. */
  event?: Record<string, unknown>;
  userName?: string;
  source: SimulatedSource;
  createTestUser: boolean;
  local: boolean;
  wait: boolean;
  stackName: string;
  region: string;
  /** For --local: where to publish (else the stack's topic, else the message is printed). */
  topicArn?: string;
  onTransition?: (transition: StateTransition) => void;
  onStep?: (message: string) => void;
  /**
   * Ctrl-C: following stops (a remote execution goes on, unless it is a test user's: then it is
   * stopped), the test user is removed, and {@link InterruptedError} is thrown.
   */
  signal?: AbortSignal;
}

/** What the test user went through. */
export interface TestUserReport extends TestUser {
  /** The key's status after the execution: null when it is gone, as it should be. */
  keyStatusAfter: string | null;
  removed: boolean;
  removalError?: string;
  /**
   * The follow-ups (deletion, verification) the run scheduled for the test key, cancelled with the
   * user: run against a key that is gone, they would alert ACTION REQUIRED days later.
   */
  followUpsCancelled?: number;
  /** Why they could not be cancelled: they are then to delete by hand. */
  followUpsError?: string;
}

/** The result of `simulate`, as `--json` prints it. */
export interface SimulateResult {
  mode: 'remote' | 'local';
  event: Record<string, unknown>;
  execution: {
    status: string;
    executionArn?: string;
    error?: string;
    cause?: string;
    durationMs: number;
    transitions: StateTransition[];
  };
  /** The final state: containment, investigation and notification as the tasks left them. */
  output: WorkflowState | null;
  /** For --local without a topic: the message that would have been sent. */
  printedNotification?: { subject: string; message: string };
  testUser?: TestUserReport;
}

function stackResource(stack: StackDescription | undefined, logicalId: string): string | undefined {
  return stack?.resources.find((resource) => resource.logicalId === logicalId)?.physicalId;
}

/** The event's user: the one given, else the key's owner as IAM says (Trusted Advisor names it). */
async function eventUser(iam: IamClient, accessKeyId: string, given: string | undefined): Promise<string | null> {
  if (given !== undefined) return given;
  try {
    const owner = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    return owner.UserName ?? null;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity', 'AccessDenied')) return null;
    throw error;
  }
}

/** The simulated event: of the test user's key, or of the key given (naming its owner, as Trusted Advisor does). */
async function eventFor(deps: SimulateDeps, request: SimulateRequest, testUser: TestUser | undefined) {
  const accessKeyId = testUser?.accessKeyId ?? (request.accessKeyId as string);
  const userName = testUser?.userName ?? (await eventUser(deps.iam, accessKeyId, request.userName));
  return simulatedEvent({ source: request.source, accountId: request.accountId, accessKeyId, userName });
}

/** How one run of the state machine went, remote or local. */
type RunOutcome = SimulateResult['execution'] & {
  output: WorkflowState | null;
  printed?: { subject: string; message: string };
};

async function runRemote(
  deps: SimulateDeps,
  request: SimulateRequest,
  stack: StackDescription | undefined,
  event: Record<string, unknown>,
): Promise<RunOutcome> {
  const stateMachineArn = stackResource(stack, LOGICAL_IDS.stateMachine);
  if (!stateMachineArn) throw new StackNotFoundError(request.stackName, request.region);
  const started = await startExecution(deps.sfn, stateMachineArn, event, `simulate-${Date.now()}`);
  request.onStep?.(`Started ${started.executionArn}`);
  if (!request.wait)
    return { status: 'RUNNING', executionArn: started.executionArn, output: null, transitions: [], durationMs: 0 };
  let result: RemoteExecutionResult;
  // Whether the containment task was running: stopping the execution does not stop its function.
  let containing = false;
  const onTransition = (transition: StateTransition) => {
    if (transition.state === CONTAIN_STATE) containing = transition.phase === 'entered';
    request.onTransition?.(transition);
  };
  try {
    result = await followExecution(deps.sfn, started, { onTransition, signal: request.signal });
  } catch (error) {
    // A test user's execution is stopped before its user is removed: run on, it would alert on a key gone.
    if (error instanceof InterruptedError && request.createTestUser) {
      const stopped = await stopTestExecution(deps.sfn, started.executionArn);
      throw new InterruptedError(containing ? `${stopped} ${stillScheduling(request.stackName, event)}` : stopped);
    }
    throw error;
  }
  return {
    status: result.status,
    executionArn: result.executionArn,
    ...(result.error ? { error: result.error } : {}),
    ...(result.cause ? { cause: result.cause } : {}),
    durationMs: result.durationMs,
    transitions: result.transitions,
    output: (typeof result.output === 'object' ? result.output : null) as WorkflowState | null,
  };
}

/** The state whose function contains the key, and schedules its follow-ups. */
const CONTAIN_STATE = 'DeleteAccessKeyPair';

/** What a containment function still running after its execution was stopped may leave, and how to remove it. */
function stillScheduling(stackName: string, event: Record<string, unknown>): string {
  let key = '<key>';
  try {
    key = parseIncident(event).accessKeyId;
  } catch {
    // The simulated event always names its key; the words stand without it.
  }
  const names = (['scheduled-deletion', 'verification'] as const).map((kind) => scheduleName(kind, key));
  return `Its containment task was running, and may still schedule the test key's follow-ups after the test user is gone: if ${names.join(' or ')} appears in the schedule group ${stackName}, delete it (aws scheduler delete-schedule --group-name ${stackName} --name <name>).`;
}

/** Stops a test user's execution: what became of it, in words. */
async function stopTestExecution(sfn: SfnApi, executionArn: string): Promise<string> {
  try {
    await sfn.send(
      new StopExecutionCommand({
        executionArn,
        // Told apart by the stack's alert on executions that end with no report.
        error: SIMULATION_INTERRUPTED,
        cause: 'exposed-keys simulate was interrupted (Ctrl-C).',
      }),
    );
    return `Stopped the execution ${executionArn}.`;
  } catch (error) {
    return `Could not stop the execution ${executionArn} (${shownText(describeError(toAwsCallError('states:StopExecution', error)))}): it goes on, and may alert on the test key once it is gone.`;
  }
}

async function runLocal(
  deps: SimulateDeps,
  request: SimulateRequest,
  stack: StackDescription | undefined,
  event: Record<string, unknown>,
): Promise<RunOutcome> {
  // The deployed stack's settings when there is one, else the template's defaults.
  const settings = functionEnvironment(stack?.parameters);
  const topicArn = request.topicArn ?? stackResource(stack, LOGICAL_IDS.topic);
  let printed: { subject: string; message: string } | undefined;
  const notify =
    topicArn && deps.sns
      ? notifyTask({ sns: deps.sns }, { topicArn })
      : async (state: WorkflowState): Promise<NotificationOutput> => {
          const report = incidentReportOf(state);
          const notification = buildNotification(report);
          printed = { subject: notification.subject, message: notification.message };
          return {
            messageId: '',
            subject: notification.subject,
            outcome: notification.outcome,
            keyContained: keyContained(report),
            failExecution: needsHuman(report),
          };
        };
  const result = await runStateMachineLocally({
    event,
    ...(request.signal ? { signal: request.signal } : {}),
    handlers: {
      contain: containTask(
        { iam: deps.iam, cloudTrail: deps.cloudTrail(GLOBAL_EVENTS_REGION), accountId: request.accountId },
        readContainConfig(settings),
      ),
      investigate: investigateTask(
        {
          cloudTrail: deps.cloudTrail,
          listRegions: deps.listRegions,
          accountId: request.accountId,
          ...(deps.inventory ? { inventory: deps.inventory } : {}),
        },
        readInvestigateConfig(settings),
      ),
      notify,
      // The state machine's own alert when the notification failed: to the topic, as the stack's
      // goes; else printed, as the report would have been.
      publish: async (alert) => {
        if (topicArn && deps.sns) {
          const { PublishCommand } = await import('@aws-sdk/client-sns');
          return deps.sns.send(
            new PublishCommand({ TopicArn: topicArn, Subject: alert.Subject, Message: alert.Message }),
          );
        }
        printed ??= { subject: alert.Subject, message: alert.Message };
        return { MessageId: 'printed' };
      },
    },
    onTransition: request.onTransition,
  });
  return {
    status: result.status,
    ...(result.error ? { error: result.error } : {}),
    ...(result.cause ? { cause: result.cause } : {}),
    durationMs: result.durationMs,
    transitions: result.events,
    output: result.output,
    ...(printed ? { printed } : {}),
  };
}

/**
 * Fires a realistic exposed-key event at the deployed state machine (or at its definition run on
 * this machine) and follows it. With a test user, it creates the user and key first, checks
 * afterwards that the key is gone, and removes the user whatever happened.
 */
export async function runSimulation(deps: SimulateDeps, request: SimulateRequest): Promise<SimulateResult> {
  const stack = await describeStack(deps.cloudFormation, request.stackName);
  if (!request.local && !stackResource(stack, LOGICAL_IDS.stateMachine))
    throw new StackNotFoundError(request.stackName, request.region);
  // Said before anything runs: the template's defaults (mode delete) may not be the deployed settings.
  if (request.local && !stack)
    request.onStep?.(
      `No stack ${request.stackName} in ${request.region}: the local run takes the template's default settings (containment mode delete); give --stack-name to take a deployed stack's.`,
    );
  let testUser: TestUser | undefined;
  if (request.createTestUser) {
    testUser = await createTestUser(deps.iam);
    request.onStep?.(`Created test user ${testUser.userName} with key ${testUser.accessKeyId}`);
  }
  try {
    if (request.signal?.aborted) throw new InterruptedError('Stopped before the incident was simulated.');
    const event = request.event ?? (await eventFor(deps, request, testUser));
    const run = request.local
      ? await runLocal(deps, request, stack, event)
      : await runRemote(deps, request, stack, event);
    const { output, printed, ...execution } = run;
    const result: SimulateResult = {
      mode: request.local ? 'local' : 'remote',
      event,
      execution,
      output,
      ...(printed ? { printedNotification: printed } : {}),
    };
    if (testUser && request.wait) {
      const status = await testKeyStatus(deps.iam, testUser);
      result.testUser = { ...testUser, keyStatusAfter: status, removed: false };
    }
    return await finish(deps, result, testUser, request);
  } catch (error) {
    if (testUser) await removeQuietly(deps, testUser, request);
    throw error;
  }
}

/** Cancels the follow-ups scheduled for the test key in the stack's group: how many, or why not. */
async function cancelTestFollowUps(
  deps: SimulateDeps,
  testUser: TestUser,
  request: Pick<SimulateRequest, 'stackName' | 'local'>,
): Promise<{ cancelled: number } | { error: string }> {
  // A local run schedules nothing (its tasks get no scheduler): nothing to cancel.
  if (!deps.scheduler || request.local) return { cancelled: 0 };
  const { stackName } = request;
  try {
    const scheduler = await deps.scheduler();
    let cancelled = 0;
    for (const kind of ['scheduled-deletion', 'verification'] as const)
      if (await cancelFollowUp(scheduler, stackName, kind, testUser.accessKeyId)) cancelled += 1;
    return { cancelled };
  } catch (error) {
    return { error: describeError(error) };
  }
}

async function finish(
  deps: SimulateDeps,
  result: SimulateResult,
  testUser: TestUser | undefined,
  request: Pick<SimulateRequest, 'stackName' | 'local'>,
): Promise<SimulateResult> {
  if (!testUser) return result;
  const report: TestUserReport = result.testUser ?? { ...testUser, keyStatusAfter: null, removed: false };
  try {
    await removeTestUser(deps.iam, testUser);
    report.removed = true;
  } catch (error) {
    report.removalError = describeError(error);
  }
  const followUps = await cancelTestFollowUps(deps, testUser, request);
  if ('error' in followUps) report.followUpsError = followUps.error;
  else if (followUps.cancelled > 0) report.followUpsCancelled = followUps.cancelled;
  return { ...result, testUser: report };
}

async function removeQuietly(deps: SimulateDeps, testUser: TestUser, request: SimulateRequest): Promise<void> {
  const followUps = await cancelTestFollowUps(deps, testUser, request);
  if ('error' in followUps)
    request.onStep?.(
      `Could not cancel the follow-ups of test key ${testUser.accessKeyId}: ${shownText(followUps.error)}; delete its schedules by hand.`,
    );
  try {
    await removeTestUser(deps.iam, testUser);
    request.onStep?.(`Removed test user ${testUser.userName}`);
  } catch (error) {
    // Progress lines are shown as they are: an AWS error in one is made inert here.
    request.onStep?.(
      `Could not remove test user ${testUser.userName}: ${shownText(describeError(error))}; delete it by hand.`,
    );
  }
}
