import { invocationDeadline, withDeadline } from '../../aws/deadline.js';
import type { CloudTrailApi, DynamoDbApi, IamClient, SchedulerApi } from '../../aws/narrow-clients.js';
import { GLOBAL_EVENTS_REGION } from '../../constants.js';
import { describeError } from '../../errors.js';
import type { Incident } from '../../incident/incident.js';
import { parseIncident, parseSignal } from '../../incident/parse-incident.js';
import { userNameProblem } from '../../incident/user-name.js';
import { containTarget, inAccount } from '../../organization/contain-target.js';
import { memberOrRefused, type OrganizationAccess } from '../../organization/organization-access.js';
import { OutsideOrganizationError } from '../../organization/organization-errors.js';
import type { ContainConfig } from '../../settings/function-settings.js';
import { type ContainmentResult, containKey } from '../../steps/contain.js';
import { isFollowUpEvent } from '../../steps/lifecycle/follow-up.js';
import type { ScheduledDeletionResult } from '../../steps/lifecycle/follow-up-result.js';
import { deleteAsScheduled } from '../../steps/lifecycle/scheduled-deletion.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';
import { type RecordDeps, recordResponse } from '../../steps/signals/incident-record.js';
import { receiveSignal, type SignalReceipt } from '../../steps/signals/receive-signal.js';
import { eventOf, type WorkflowState } from '../workflow-state.js';
import {
  clientsIn,
  followUpClients,
  followUpRequest,
  ownAccount,
  TASK_MARGIN_MS,
  type TaskContext,
  type TaskLogger,
} from './task-common.js';

/** What a failed containment leaves for recording itself on the incident record (within the contain margin). */
const RECORD_MARGIN_MS = 4_000;

/** The state `ClaimIncident` gives the containment function: the event, and which step to run. */
export const CLAIM_STEP = 'ClaimIncident';

/** What the containment function needs: IAM, CloudTrail, the incident record's table, the schedules. */
interface ContainTaskDeps {
  iam: IamClient;
  cloudTrail?: CloudTrailApi;
  db?: DynamoDbApi;
  scheduler?: SchedulerApi;
  accountId?: string;
  /** Organisation mode: the hub acts in the account an event names, through its responder role. */
  organization?: OrganizationAccess;
  logger?: TaskLogger;
  now?: () => Date;
}

function recordDeps(
  deps: ContainTaskDeps,
  config: ContainConfig,
  deadline: number | undefined,
): RecordDeps | undefined {
  return deps.db && config.incidentTable
    ? { db: withDeadline(deps.db, deadline), table: config.incidentTable }
    : undefined;
}

/**
 * The IAM a signal is received with: the function's own; in organisation mode, the named account's
 * through its responder role, once Organizations has not said the account is outside (then every
 * call is refused here, unsent: the hub reads nothing there, and the receipt says why).
 */
async function claimIam(deps: ContainTaskDeps, named: { accountId: string; name: string }): Promise<IamClient> {
  const { organization } = deps;
  if (!organization) return deps.iam;
  try {
    await memberOrRefused(organization, named.accountId);
  } catch (error) {
    if (!(error instanceof OutsideOrganizationError)) throw error;
    return { send: async () => Promise.reject(error) } as IamClient;
  }
  return (await clientsIn(organization, named.accountId, named.name))?.iam() ?? deps.iam;
}

/** `ClaimIncident`: the first signal about a key claims its incident; later ones join it; a quarantine names no key. */
async function claimStep(deps: ContainTaskDeps, config: ContainConfig, state: WorkflowState, context?: TaskContext) {
  const signal = parseSignal(eventOf(state));
  const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
  // Organisation mode: IAM of the account the signal names, where the key (or the user) is.
  const named =
    signal.kind === 'user'
      ? { accountId: signal.quarantine.accountId, name: signal.quarantine.userName }
      : { accountId: signal.incident.accountId, name: signal.incident.accessKeyId };
  const iam = await claimIam(deps, named);
  const receipt: SignalReceipt = await receiveSignal(
    {
      iam: withDeadline(iam, deadline),
      record: recordDeps(deps, config, deadline),
      now: deps.now,
      mode: config.mode,
    },
    signal,
  );
  deps.logger?.info('Signal received', {
    role: receipt.role,
    ...(receipt.role === 'first' && receipt.again ? { again: true } : {}),
  });
  return receipt;
}

/** Leaves on the incident record what containment did; a failure is a warning of the result. */
async function recordContainment(record: RecordDeps | undefined, incident: Incident, result: ContainmentResult) {
  if (!record || result.dryRun) return result;
  try {
    await recordResponse(record, incident, result);
    return result;
  } catch (error) {
    const warning = `Could not record the response on the incident record, so later reports of the key will not know it: ${describeError(error)}`;
    return { ...result, warnings: [...result.warnings, warning] };
  }
}

/**
 * Leaves on the incident record that containment failed, so that a later report of the key does
 * not take the response for one still under way. Best effort: the failure itself is what matters.
 */
async function recordFailedContainment(record: RecordDeps | undefined, incident: Incident): Promise<void> {
  if (!record) return;
  try {
    await recordResponse(record, incident, { outcome: 'containment-failed', contained: false, userName: null });
  } catch {
    // The failure goes on to the notification; a later report then says the response is under way.
  }
}

/** The stack's schedules, with the state machine this execution runs: where follow-ups are scheduled. */
function schedulesOf(
  scheduler: SchedulerApi | undefined,
  config: ContainConfig,
  state: WorkflowState,
  deadline: number | undefined,
): (() => Promise<ScheduleDeps>) | undefined {
  const { schedule } = config;
  if (!scheduler || !schedule) return undefined;
  return async () => {
    const stateMachineArn = state.execution?.stateMachineArn;
    if (!stateMachineArn) throw new Error('the execution did not say which state machine it runs ($.execution)');
    return { scheduler: withDeadline(scheduler, deadline), target: { ...schedule, stateMachineArn } };
  };
}

/**
 * The owner IAM named when `ClaimIncident` received the report (the state's `signal`, which only
 * that task writes: the execution's input is put under `event`).
 */
function ownerAtClaim(state: WorkflowState): { ownerAtClaim?: string } {
  const { signal } = state;
  const name = signal?.role === 'first' ? signal.ownerName : undefined;
  return typeof name === 'string' && userNameProblem(name) === null ? { ownerAtClaim: name } : {};
}

/**
 * `DeleteAccessKeyPair`: contains the key the event names; throws (for the state machine's Catch)
 * when it cannot. Given `step: ClaimIncident` (the state before it), it claims the incident instead;
 * on the follow-up path (`DeleteAsScheduled`), it deletes the key its schedule names.
 */
export function containTask(deps: ContainTaskDeps, config: ContainConfig) {
  return async (
    state: WorkflowState,
    context?: TaskContext,
  ): Promise<ContainmentResult | SignalReceipt | ScheduledDeletionResult> => {
    const own = ownAccount(deps.organization, deps.accountId, context);
    if (state.step === CLAIM_STEP) return claimStep(deps, config, state, context);
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
    if (isFollowUpEvent(eventOf(state))) {
      const request = followUpRequest(state, 'scheduled-deletion');
      deps.logger?.appendKeys({ accessKeyId: request.accessKeyId, followUp: request.kind });
      const member = await followUpClients(deps.organization, request, own);
      const deleted = await deleteAsScheduled(
        { iam: withDeadline(member ? member.iam() : deps.iam, deadline) },
        request,
      );
      deps.logger?.info('Scheduled deletion finished', { outcome: deleted.outcome, warnings: deleted.warnings });
      return deleted;
    }
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const contain = async () => {
      const target = deps.organization && (await containTarget(deps.organization, incident, config));
      if (target && 'refused' in target) {
        deps.logger?.info('Containment refused', { outcome: target.refused.outcome, account: incident.accountId });
        return { target, contained: target.refused };
      }
      const member = target?.account.clients;
      const cloudTrail = member ? member.cloudTrail(GLOBAL_EVENTS_REGION) : deps.cloudTrail;
      const contained = await containKey(
        {
          iam: withDeadline(member ? member.iam() : deps.iam, deadline),
          cloudTrail: cloudTrail && withDeadline(cloudTrail, deadline),
          accountId: member ? member.accountId : own,
          schedules: schedulesOf(deps.scheduler, config, state, deadline),
          ...ownerAtClaim(state),
        },
        incident,
        config,
      );
      return { target, contained };
    };
    const { target, contained } = await contain().catch(async (error: unknown) => {
      // Containment may have failed by using up its time: the record gets the margin kept for it.
      const recordDeadline = invocationDeadline(context, RECORD_MARGIN_MS);
      await recordFailedContainment(recordDeps(deps, config, recordDeadline), incident);
      throw error;
    });
    // Refused too is recorded: a later report of the key then knows the key was never contained here.
    if (target && 'refused' in target)
      return recordContainment(recordDeps(deps, config, deadline), incident, contained);
    const recorded = await recordContainment(recordDeps(deps, config, deadline), incident, contained);
    const result = target ? inAccount(recorded, target.account) : recorded;
    deps.logger?.info('Containment finished', {
      outcome: result.outcome,
      actions: result.actions,
      warnings: result.warnings,
    });
    return result;
  };
}
