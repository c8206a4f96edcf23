import type { Logger } from '@aws-lambda-powertools/logger';
import { lookupEventsSource } from '../activity/lookup-events/lookup-events-source.js';
import { invocationDeadline, withDeadline } from '../aws/deadline.js';
import type { CloudTrailApi, IamClient, SchedulerApi, SnsClient } from '../aws/narrow-clients.js';
import { InvalidEventError } from '../errors.js';
import { parseIncident } from '../incident/parse-incident.js';
import type { ContainConfig, InvestigateConfig, NotifyConfig } from '../settings/function-settings.js';
import { type ContainmentResult, containKey } from '../steps/contain.js';
import { keyContained, needsHuman } from '../steps/incident-outcome.js';
import { type InventoryDeps, inventoryOrError } from '../steps/inventory/take-inventory.js';
import { type Investigation, investigateKey, windowEnding } from '../steps/investigate.js';
import {
  type FollowUpKind,
  type FollowUpRequest,
  isFollowUpEvent,
  readFollowUp,
} from '../steps/lifecycle/follow-up.js';
import type { ScheduledDeletionResult, VerificationResult } from '../steps/lifecycle/follow-up-result.js';
import { deleteAsScheduled } from '../steps/lifecycle/scheduled-deletion.js';
import type { ScheduleDeps } from '../steps/lifecycle/schedules.js';
import { verifyContainment } from '../steps/lifecycle/verification.js';
import { notifySecurity } from '../steps/notify.js';
import { fitInventory, fitInvestigation } from './fit-state.js';
import { eventOf, incidentReportOf, type NotificationOutput, type WorkflowState } from './workflow-state.js';

/*
 * The three tasks of the state machine, as functions of their clients and settings. The Lambda
 * handlers wrap them with clients built from the environment; `simulate --local` wraps them with
 * the CLI's clients. Either way the same code runs.
 */

/** The part of the Lambda context the tasks read. */
export interface TaskContext {
  getRemainingTimeInMillis(): number;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: the account the function runs in. */
  invokedFunctionArn?: string;
}

/** Logging is optional, so that local runs stay quiet. */
type TaskLogger = Pick<Logger, 'info' | 'appendKeys'>;

/**
 * Time each task keeps back from its function's timeout: every AWS call it makes is abandoned by
 * then, so that it returns (or throws its typed error) before Lambda stops it. The investigation
 * keeps more, to return what it read. A test checks these against the template's timeouts.
 */
export const TASK_MARGIN_MS = { contain: 10_000, investigate: 20_000, notify: 10_000 } as const;

/** The account in a function ARN. */
function accountOf(functionArn: string | undefined): string | undefined {
  return /^arn:[\w-]+:lambda:[\w-]+:(\d{12}):function:/.exec(functionArn ?? '')?.[1];
}

/**
 * The follow-up a follow-up task must run, read from its event.
 *
 * @throws InvalidEventError when the event is not a follow-up of that kind.
 */
function followUpRequest(state: WorkflowState, kind: FollowUpKind): FollowUpRequest {
  const read = readFollowUp(eventOf(state));
  if ('problem' in read) throw new InvalidEventError('detail', read.problem);
  if (read.request.kind !== kind) throw new InvalidEventError('detail.followUp', `is not ${kind}`);
  return read.request;
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
 * `DeleteAccessKeyPair`: contains the key the event names; throws (for the state machine's Catch)
 * when it cannot. On the follow-up path (`DeleteAsScheduled`), deletes the key its schedule names.
 */
export function containTask(
  deps: {
    iam: IamClient;
    cloudTrail?: CloudTrailApi;
    scheduler?: SchedulerApi;
    accountId?: string;
    logger?: TaskLogger;
  },
  config: ContainConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<ContainmentResult | ScheduledDeletionResult> => {
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
    if (isFollowUpEvent(eventOf(state))) {
      const request = followUpRequest(state, 'scheduled-deletion');
      deps.logger?.appendKeys({ accessKeyId: request.accessKeyId, followUp: request.kind });
      const deleted = await deleteAsScheduled({ iam: withDeadline(deps.iam, deadline) }, request);
      deps.logger?.info('Scheduled deletion finished', { outcome: deleted.outcome, warnings: deleted.warnings });
      return deleted;
    }
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const result = await containKey(
      {
        iam: withDeadline(deps.iam, deadline),
        cloudTrail: deps.cloudTrail && withDeadline(deps.cloudTrail, deadline),
        accountId: deps.accountId ?? accountOf(context?.invokedFunctionArn),
        schedules: schedulesOf(deps.scheduler, config, state, deadline),
      },
      incident,
      config,
    );
    deps.logger?.info('Containment finished', {
      outcome: result.outcome,
      actions: result.actions,
      warnings: result.warnings,
    });
    return result;
  };
}

/** `LookupCloudTrailEvents`: summarises what the key did, in every region, and what its session keys did. */
export function investigateTask(
  deps: {
    cloudTrail: (region: string) => CloudTrailApi;
    listRegions?: () => Promise<string[]>;
    /** The clients of the inventory of what the attacker left; without them, none is taken. */
    inventory?: Omit<InventoryDeps, 'accountId'>;
    logger?: TaskLogger;
    now?: () => Date;
  },
  config: InvestigateConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<Investigation | VerificationResult> => {
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.investigate);
    const source = lookupEventsSource(
      { cloudTrail: (region) => withDeadline(deps.cloudTrail(region), deadline), listRegions: deps.listRegions },
      { regions: config.regions },
    );
    if (isFollowUpEvent(eventOf(state))) {
      const request = followUpRequest(state, 'verification');
      deps.logger?.appendKeys({ accessKeyId: request.accessKeyId, followUp: request.kind });
      const verified = await verifyContainment({ source, now: deps.now }, request, {
        lookbackHours: config.lookbackHours,
        deadline,
      });
      deps.logger?.info('Verification finished', { quiet: verified.quiet, activity: verified.activity });
      return verified;
    }
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const investigation = await investigateKey(
      { source },
      {
        accessKeyId: incident.accessKeyId,
        userName: state.containment?.userName ?? incident.userName,
        window: windowEnding((deps.now ?? (() => new Date()))(), config.lookbackHours),
        deadline,
      },
    );
    const fitted: Investigation = fitInvestigation(investigation);
    if (deps.inventory) {
      const { iam, ec2, lambda, organizations } = deps.inventory;
      const inventory = await inventoryOrError(
        {
          iam: withDeadline(iam, deadline),
          ec2: async (region) => withDeadline(await ec2(region), deadline),
          lambda: async (region) => withDeadline(await lambda(region), deadline),
          organizations: organizations && withDeadline(organizations, deadline),
          accountId: accountOf(context?.invokedFunctionArn) ?? incident.accountId,
        },
        [investigation.activity, ...investigation.sessionActivity],
        state.containment?.userName ?? incident.userName,
      );
      fitted.inventory = fitInventory(inventory);
    }
    // The summary as the state carries it, in one entry within CloudWatch's 256 KB event size.
    deps.logger?.info('Investigation finished', { investigation: fitted });
    return fitted;
  };
}

/** `NotifySecurity`: sends the one message of the incident, whatever the earlier tasks did. */
export function notifyTask(deps: { sns: SnsClient; logger?: TaskLogger }, config: NotifyConfig) {
  return async (state: WorkflowState, context?: TaskContext): Promise<NotificationOutput> => {
    const report = incidentReportOf(state);
    const sns = withDeadline(deps.sns, invocationDeadline(context, TASK_MARGIN_MS.notify));
    const sent = await notifySecurity({ sns }, { ...report, topicArn: config.topicArn });
    const output = {
      messageId: sent.messageId,
      subject: sent.subject,
      outcome: sent.outcome,
      keyContained: keyContained(report),
      failExecution: needsHuman(report),
    };
    deps.logger?.info('Notification sent', {
      ...output,
      bytes: sent.bytes,
      tablesTruncated: sent.tablesTruncated,
      ...(sent.fullMessageRefused ? { fullMessageRefused: sent.fullMessageRefused } : {}),
    });
    return output;
  };
}
