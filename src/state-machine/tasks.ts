import type { Logger } from '@aws-lambda-powertools/logger';
import type { ActivitySource } from '../activity/activity-source.js';
import { lookupEventsSource } from '../activity/lookup-events/lookup-events-source.js';
import { invocationDeadline, withDeadline } from '../aws/deadline.js';
import type {
  AthenaApi,
  CloudTrailApi,
  DynamoDbApi,
  GlueApi,
  IamClient,
  SecretsApi,
  SecurityHubApi,
  SnsClient,
  StsApi,
} from '../aws/narrow-clients.js';
import { describeError } from '../errors.js';
import type { Incident } from '../incident/incident.js';
import { parseIncident, parseSignal } from '../incident/parse-incident.js';
import type { ContainConfig, InvestigateConfig, NotifyConfig } from '../settings/function-settings.js';
import { publishChannels } from '../steps/channels/publish-channels.js';
import { type ContainmentResult, containKey } from '../steps/contain.js';
import { keyContained, needsHuman } from '../steps/incident-outcome.js';
import { type Investigation, investigateKey, windowEnding } from '../steps/investigate.js';
import { notifySecurity } from '../steps/notify.js';
import { type RecordDeps, recordResponse } from '../steps/signals/incident-record.js';
import { receiveSignal, type SignalReceipt } from '../steps/signals/receive-signal.js';
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

/** The state `ClaimIncident` gives the containment function: the event, and which step to run. */
export const CLAIM_STEP = 'ClaimIncident';

/** What the containment function needs: IAM, CloudTrail, and the incident record's table. */
interface ContainTaskDeps {
  iam: IamClient;
  cloudTrail?: CloudTrailApi;
  db?: DynamoDbApi;
  accountId?: string;
  logger?: TaskLogger;
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

/** `ClaimIncident`: the first signal about a key claims its incident; later ones join it; a quarantine names no key. */
async function claimStep(deps: ContainTaskDeps, config: ContainConfig, state: WorkflowState, context?: TaskContext) {
  const signal = parseSignal(eventOf(state));
  const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
  const receipt: SignalReceipt = await receiveSignal(
    { iam: withDeadline(deps.iam, deadline), record: recordDeps(deps, config, deadline) },
    signal,
  );
  deps.logger?.info('Signal received', { role: receipt.role });
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
 * `DeleteAccessKeyPair`: contains the key the event names; throws (for the state machine's Catch)
 * when it cannot. Given `step: ClaimIncident` (the state before it), it claims the incident instead.
 */
export function containTask(deps: ContainTaskDeps, config: ContainConfig) {
  return async (state: WorkflowState, context?: TaskContext): Promise<ContainmentResult | SignalReceipt> => {
    if (state.step === CLAIM_STEP) return claimStep(deps, config, state, context);
    const incident = parseIncident(eventOf(state));
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
    const contained = await containKey(
      {
        iam: withDeadline(deps.iam, deadline),
        cloudTrail: deps.cloudTrail && withDeadline(deps.cloudTrail, deadline),
        accountId: deps.accountId ?? accountOf(context?.invokedFunctionArn),
      },
      incident,
      config,
    );
    const result = await recordContainment(recordDeps(deps, config, deadline), incident, contained);
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

/** What the notification function needs: SNS, and the clients of the channels it is configured for. */
interface NotifyTaskDeps {
  sns: SnsClient;
  securityHub?: SecurityHubApi;
  secrets?: SecretsApi;
  fetch?: typeof fetch;
  /** The region findings are imported into (the function's). */
  region?: string;
  accountId?: string;
  logger?: TaskLogger;
  now?: () => Date;
}

/**
 * `NotifySecurity`: sends the one message of the incident (a full one, a follow-up, or a
 * quarantined user's), whatever the earlier tasks did; then the Security Hub finding, the chat
 * notification and the webhook, whose failures are logged and reported, never thrown.
 */
export function notifyTask(deps: NotifyTaskDeps, config: NotifyConfig) {
  return async (state: WorkflowState, context?: TaskContext): Promise<NotificationOutput> => {
    const report = incidentReportOf(state);
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.notify);
    const sns = withDeadline(deps.sns, deadline);
    const sent = await notifySecurity({ sns }, { ...report, topicArn: config.topicArn });
    const channels = await publishChannels(
      {
        sns,
        securityHub: deps.securityHub && withDeadline(deps.securityHub, deadline),
        secrets: deps.secrets && withDeadline(deps.secrets, deadline),
        fetch: deps.fetch,
        accountId: deps.accountId ?? accountOf(context?.invokedFunctionArn),
        now: deps.now,
      },
      report,
      {
        findings: config.findings ?? false,
        chatTopicArn: config.chatTopicArn,
        webhookSecretArn: config.webhookSecretArn,
        region: deps.region ?? 'us-east-1',
      },
    );
    const output = {
      messageId: sent.messageId,
      subject: sent.subject,
      outcome: sent.outcome,
      keyContained: keyContained(report),
      failExecution: needsHuman(report),
      channels: { finding: channels.finding.status, chat: channels.chat.status, webhook: channels.webhook.status },
    };
    deps.logger?.info('Notification sent', {
      ...output,
      channelDetail: channels,
      bytes: sent.bytes,
      tablesTruncated: sent.tablesTruncated,
      ...(sent.fullMessageRefused ? { fullMessageRefused: sent.fullMessageRefused } : {}),
    });
    return output;
  };
}
