import type { Logger } from '@aws-lambda-powertools/logger';
import type { ActivitySource } from '../activity/activity-source.js';
import { lookupEventsSource } from '../activity/lookup-events/lookup-events-source.js';
import { invocationDeadline, withDeadline } from '../aws/deadline.js';
import type { AthenaApi, CloudTrailApi, GlueApi, IamClient, SnsClient, StsApi } from '../aws/narrow-clients.js';
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

/** `DeleteAccessKeyPair`: contains the key the event names; throws (for the state machine's Catch) when it cannot. */
export function containTask(
  deps: { iam: IamClient; cloudTrail?: CloudTrailApi; accountId?: string; logger?: TaskLogger },
  config: ContainConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<ContainmentResult> => {
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
    const result = await containKey(
      {
        iam: withDeadline(deps.iam, deadline),
        cloudTrail: deps.cloudTrail && withDeadline(deps.cloudTrail, deadline),
        accountId: deps.accountId ?? accountOf(context?.invokedFunctionArn),
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

/** The clients of the Athena source, loaded only when the stack has a table. */
export interface AthenaTaskClients {
  athena: AthenaApi;
  glue: GlueApi;
  sts: StsApi;
}

/**
 * The source of the stack's investigation: LookupEvents, or, when the stack created an Athena
 * table, Athena within half the time left, then LookupEvents if Athena could not answer.
 */
async function stackSource(
  lookup: ActivitySource,
  config: InvestigateConfig,
  athenaClients: (() => Promise<AthenaTaskClients>) | undefined,
  deadline: number | undefined,
): Promise<ActivitySource> {
  if (!config.athena || !athenaClients) return lookup;
  const [{ athenaSource }, { withFallback }, { keyAccounts }, clients] = await Promise.all([
    import('../activity/athena/athena-source.js'),
    import('../activity/fallback-source.js'),
    import('../aws/key-accounts.js'),
    athenaClients(),
  ]);
  const athena = athenaSource(
    {
      athena: withDeadline(clients.athena, deadline),
      glue: withDeadline(clients.glue, deadline),
      accountsOf: keyAccounts(withDeadline(clients.sts, deadline)),
    },
    {
      table: config.athena.table,
      tableFlag: 'ATHENA_TABLE',
      workgroup: config.athena.workgroup,
      regions: config.regions,
    },
  );
  return withFallback(athena, lookup);
}

/** `LookupCloudTrailEvents`: summarises what the key did, in every region, and what its session keys did. */
export function investigateTask(
  deps: {
    cloudTrail: (region: string) => CloudTrailApi;
    listRegions?: () => Promise<string[]>;
    /** The Athena source's clients, for a stack with an Athena table. */
    athenaClients?: () => Promise<AthenaTaskClients>;
    logger?: TaskLogger;
    now?: () => Date;
  },
  config: InvestigateConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<Investigation> => {
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.investigate);
    const lookup = lookupEventsSource(
      { cloudTrail: (region) => withDeadline(deps.cloudTrail(region), deadline), listRegions: deps.listRegions },
      { regions: config.regions },
    );
    const source = await stackSource(lookup, config, deps.athenaClients, deadline);
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
