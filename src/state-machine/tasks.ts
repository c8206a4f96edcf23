import type { Logger } from '@aws-lambda-powertools/logger';
import { lookupEventsSource } from '../activity/lookup-events/lookup-events-source.js';
import type { CloudTrailApi, IamClient, SnsClient } from '../aws/narrow-clients.js';
import { parseIncident } from '../incident/parse-incident.js';
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

/** The part of the Lambda context the investigation reads. */
export interface TaskContext {
  getRemainingTimeInMillis(): number;
}

/** Logging is optional, so that local runs stay quiet. */
type TaskLogger = Pick<Logger, 'info' | 'appendKeys'>;

/** Time kept back from the function's timeout to return what was read. */
const RESERVE_MS = 20_000;

/** `DeleteAccessKeyPair`: contains the key the event names; throws (for the state machine's Catch) when it cannot. */
export function containTask(deps: { iam: IamClient; logger?: TaskLogger }, config: ContainConfig) {
  return async (state: WorkflowState): Promise<ContainmentResult> => {
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const result = await containKey({ iam: deps.iam }, incident, config);
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
    logger?: TaskLogger;
    now?: () => Date;
  },
  config: InvestigateConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<Investigation> => {
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const remaining = context?.getRemainingTimeInMillis();
    const source = lookupEventsSource(
      { cloudTrail: deps.cloudTrail, listRegions: deps.listRegions },
      { regions: config.regions },
    );
    const investigation = await investigateKey(
      { source },
      {
        accessKeyId: incident.accessKeyId,
        userName: state.containment?.userName ?? incident.userName,
        window: windowEnding((deps.now ?? (() => new Date()))(), config.lookbackHours),
        deadline: remaining === undefined ? undefined : Date.now() + Math.max(remaining - RESERVE_MS, 1_000),
      },
    );
    const { activity } = investigation;
    deps.logger?.info('Investigation finished', {
      totalEvents: activity.totalEvents,
      regionsSearched: activity.regions.searched.length,
      regionsFailed: activity.regions.failed,
      truncated: activity.truncated,
      sessionKeys: activity.sessionKeys.length,
    });
    return fitInvestigation(investigation);
  };
}

/** `NotifySecurity`: sends the one message of the incident, whatever the earlier tasks did. */
export function notifyTask(deps: { sns: SnsClient; logger?: TaskLogger }, config: NotifyConfig) {
  return async (state: WorkflowState): Promise<NotificationOutput> => {
    const report = incidentReportOf(state);
    const sent = await notifySecurity({ sns: deps.sns }, { ...report, topicArn: config.topicArn });
    const output = {
      messageId: sent.messageId,
      subject: sent.subject,
      outcome: sent.outcome,
      keyContained: keyContained(report),
      failExecution: needsHuman(report),
    };
    deps.logger?.info('Notification sent', { ...output, bytes: sent.bytes, tablesTruncated: sent.tablesTruncated });
    return output;
  };
}
