import type { Logger } from '@aws-lambda-powertools/logger';
import { accountBudget } from '../activity/lookup-events/account-budget.js';
import { lookupEventsSource } from '../activity/lookup-events/lookup-events-source.js';
import { invocationDeadline, withDeadline } from '../aws/deadline.js';
import type { CloudTrailApi, IamClient, SnsClient } from '../aws/narrow-clients.js';
import { GLOBAL_EVENTS_REGION } from '../constants.js';
import { parseIncident } from '../incident/parse-incident.js';
import { containTarget, inAccount } from '../organization/contain-target.js';
import { incidentAccount, type OrganizationAccess } from '../organization/organization-access.js';
import type { ContainConfig, InvestigateConfig, NotifyConfig } from '../settings/function-settings.js';
import { type ContainmentResult, containKey } from '../steps/contain.js';
import { keyContained, needsHuman } from '../steps/incident-outcome.js';
import { type Investigation, investigateKey, windowEnding } from '../steps/investigate.js';
import { notifySecurity } from '../steps/notify.js';
import { fitInvestigation } from './fit-state.js';
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
 * `DeleteAccessKeyPair`: contains the key the event names; throws (for the state machine's Catch)
 * when it cannot. In organisation mode (`organization` given) it acts in the account the event
 * names, through that account's responder role, and refuses accounts outside the organisation.
 */
export function containTask(
  deps: {
    iam: IamClient;
    cloudTrail?: CloudTrailApi;
    accountId?: string;
    organization?: OrganizationAccess;
    logger?: TaskLogger;
  },
  config: ContainConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<ContainmentResult> => {
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
    const target = deps.organization && (await containTarget(deps.organization, incident, config));
    if (target && 'refused' in target) {
      deps.logger?.info('Containment refused', { outcome: target.refused.outcome, account: incident.accountId });
      return target.refused;
    }
    const member = target?.account.clients;
    const cloudTrail = member ? member.cloudTrail(GLOBAL_EVENTS_REGION) : deps.cloudTrail;
    const contained = await containKey(
      {
        iam: withDeadline(member ? member.iam() : deps.iam, deadline),
        cloudTrail: cloudTrail && withDeadline(cloudTrail, deadline),
        accountId: member ? member.accountId : (deps.accountId ?? accountOf(context?.invokedFunctionArn)),
      },
      incident,
      config,
    );
    const result = target ? inAccount(contained, target.account) : contained;
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
    organization?: OrganizationAccess;
    logger?: TaskLogger;
    now?: () => Date;
  },
  config: InvestigateConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<Investigation> => {
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.investigate);
    // Organisation mode: the CloudTrail of the key's account (an account outside it throws, for the Catch).
    const member = deps.organization && (await incidentAccount(deps.organization, incident)).clients;
    const cloudTrail = member ? member.cloudTrail : deps.cloudTrail;
    const source = lookupEventsSource(
      {
        cloudTrail: (region) => withDeadline(cloudTrail(region), deadline),
        listRegions: member ? member.listRegions : deps.listRegions,
        // Investigations of one account share its LookupEvents budget.
        limiter: accountBudget(incident.accountId),
      },
      { regions: config.regions },
    );
    const investigation = await investigateKey(
      { source },
      {
        accessKeyId: incident.accessKeyId,
        userName: state.containment?.userName ?? incident.userName,
        window: windowEnding((deps.now ?? (() => new Date()))(), config.lookbackHours),
        deadline,
      },
    );
    const fitted = fitInvestigation(investigation);
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
