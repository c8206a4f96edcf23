import type { Logger } from '@aws-lambda-powertools/logger';
import type { ActivitySource } from '../activity/activity-source.js';
import { accountBudget } from '../activity/lookup-events/account-budget.js';
import { lookupEventsSource } from '../activity/lookup-events/lookup-events-source.js';
import { invocationDeadline, withDeadline } from '../aws/deadline.js';
import type {
  AthenaApi,
  CloudTrailApi,
  DynamoDbApi,
  GlueApi,
  IamClient,
  SchedulerApi,
  SecretsApi,
  SecurityHubApi,
  SnsClient,
  StsApi,
} from '../aws/narrow-clients.js';
import { perRegion } from '../aws/per-region.js';
import { GLOBAL_EVENTS_REGION } from '../constants.js';
import { describeError, InvalidEventError } from '../errors.js';
import type { Incident } from '../incident/incident.js';
import { parseIncident, parseSignal } from '../incident/parse-incident.js';
import type { AccountClients } from '../organization/account-clients.js';
import { containTarget, inAccount } from '../organization/contain-target.js';
import { incidentAccount, type OrganizationAccess } from '../organization/organization-access.js';
import type { ContainConfig, InvestigateConfig, NotifyConfig } from '../settings/function-settings.js';
import { type ChannelsResult, publishChannels } from '../steps/channels/publish-channels.js';
import { type ContainmentResult, containKey } from '../steps/contain.js';
import { type IncidentReport, incidentOutcome, keyContained, needsHuman } from '../steps/incident-outcome.js';
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
import { type RecordDeps, recordResponse } from '../steps/signals/incident-record.js';
import { receiveSignal, type SignalReceipt } from '../steps/signals/receive-signal.js';
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

/** What a failed containment leaves for recording itself on the incident record (within the contain margin). */
const RECORD_MARGIN_MS = 4_000;

/** The account in a function ARN. */
function accountOf(functionArn: string | undefined): string | undefined {
  return /^arn:[\w-]+:lambda:[\w-]+:(\d{12}):function:/.exec(functionArn ?? '')?.[1];
}

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

/**
 * Organisation mode: clients acting in `accountId` for the key (or user) `name`. No membership
 * check: this is for reads and follow-ups of an incident whose containment checked it, and the
 * hub may assume roles only in accounts of its organisation. Undefined outside organisation mode.
 */
async function clientsIn(
  organization: OrganizationAccess | undefined,
  accountId: string | null | undefined,
  name: string,
): Promise<AccountClients | undefined> {
  if (!organization || !accountId) return undefined;
  return organization.access.accountClients(accountId, name);
}

/**
 * Organisation mode: the clients a follow-up (scheduled deletion, verification) acts with, in the
 * account its schedule names. One that names none is refused: the hub's own account is not where
 * a member's key lives, and acting there would delete or verify nothing, or the wrong key.
 *
 * @throws InvalidEventError when, in organisation mode, the follow-up names no account.
 */
async function followUpClients(
  organization: OrganizationAccess | undefined,
  request: { accountId: string | null; accessKeyId: string },
): Promise<AccountClients | undefined> {
  if (organization && !request.accountId)
    throw new InvalidEventError(
      'account',
      `The follow-up of ${request.accessKeyId} names no account, so it was not done: in organisation mode a follow-up acts only in the key's own account.`,
      {
        hint: `Find the key's account (aws sts get-access-key-info --access-key-id ${request.accessKeyId}), then do the follow-up by hand there, or with exposed-keys release --key ${request.accessKeyId} --account <that account>.`,
      },
    );
  return clientsIn(organization, request.accountId, request.accessKeyId);
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
  // Organisation mode: IAM of the account the signal names, where the key (or the user) is.
  const named =
    signal.kind === 'user'
      ? { accountId: signal.quarantine.accountId, name: signal.quarantine.userName }
      : { accountId: signal.incident.accountId, name: signal.incident.accessKeyId };
  const member = await clientsIn(deps.organization, named.accountId, named.name);
  const receipt: SignalReceipt = await receiveSignal(
    {
      iam: withDeadline(member ? member.iam() : deps.iam, deadline),
      record: recordDeps(deps, config, deadline),
      now: deps.now,
    },
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
 * when it cannot. Given `step: ClaimIncident` (the state before it), it claims the incident instead;
 * on the follow-up path (`DeleteAsScheduled`), it deletes the key its schedule names.
 */
export function containTask(deps: ContainTaskDeps, config: ContainConfig) {
  return async (
    state: WorkflowState,
    context?: TaskContext,
  ): Promise<ContainmentResult | SignalReceipt | ScheduledDeletionResult> => {
    if (state.step === CLAIM_STEP) return claimStep(deps, config, state, context);
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.contain);
    if (isFollowUpEvent(eventOf(state))) {
      const request = followUpRequest(state, 'scheduled-deletion');
      deps.logger?.appendKeys({ accessKeyId: request.accessKeyId, followUp: request.kind });
      const member = await followUpClients(deps.organization, request);
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
          accountId: member ? member.accountId : (deps.accountId ?? accountOf(context?.invokedFunctionArn)),
          schedules: schedulesOf(deps.scheduler, config, state, deadline),
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
    if (target && 'refused' in target) return contained;
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

/**
 * The inventory's clients, under the deadline: the function's own, or, in organisation mode, the
 * member's (through its responder role); Organizations stays the hub's, which knows the accounts.
 */
async function inventoryIn(
  own: Omit<InventoryDeps, 'accountId'>,
  member: AccountClients | undefined,
  deadline: number | undefined,
): Promise<Omit<InventoryDeps, 'accountId'>> {
  const clients = member && !member.own ? await memberInventory(member) : own;
  return {
    iam: withDeadline(clients.iam, deadline),
    ec2: async (region) => withDeadline(await clients.ec2(region), deadline),
    lambda: async (region) => withDeadline(await clients.lambda(region), deadline),
    organizations: own.organizations && withDeadline(own.organizations, deadline),
  };
}

/** IAM of the member, and its EC2 and Lambda of each region (one client per region, built on first use). */
async function memberInventory(member: AccountClients): Promise<Pick<InventoryDeps, 'iam' | 'ec2' | 'lambda'>> {
  const [{ EC2Client }, { LambdaClient }] = await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-lambda'),
  ]);
  return {
    iam: member.iam(),
    ec2: perRegion((region) => new EC2Client(member.config(region))),
    lambda: perRegion((region) => new LambdaClient(member.config(region))),
  };
}

/** `LookupCloudTrailEvents`: summarises what the key did, in every region, and what its session keys did. */
export function investigateTask(
  deps: {
    cloudTrail: (region: string) => CloudTrailApi;
    listRegions?: () => Promise<string[]>;
    /** The Athena source's clients, for a stack with an Athena table. */
    athenaClients?: () => Promise<AthenaTaskClients>;
    /** The clients of the inventory of what the attacker left; without them, none is taken. */
    inventory?: Omit<InventoryDeps, 'accountId'>;
    /** Organisation mode: the hub reads the account an incident names, through its responder role. */
    organization?: OrganizationAccess;
    logger?: TaskLogger;
    now?: () => Date;
  },
  config: InvestigateConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<Investigation | VerificationResult> => {
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.investigate);
    const event = eventOf(state);
    const followUp = isFollowUpEvent(event) ? followUpRequest(state, 'verification') : undefined;
    const incident = followUp ? undefined : parseIncident(event);
    const accountId = followUp ? followUp.accountId : (incident?.accountId ?? null);
    // Organisation mode: the CloudTrail of the key's account (an account outside it throws, for the Catch).
    const member =
      deps.organization && incident
        ? (await incidentAccount(deps.organization, incident)).clients
        : followUp && (await followUpClients(deps.organization, followUp));
    const cloudTrail = member ? member.cloudTrail : deps.cloudTrail;
    const lookup = lookupEventsSource(
      {
        cloudTrail: (region) => withDeadline(cloudTrail(region), deadline),
        listRegions: member ? member.listRegions : deps.listRegions,
        // Investigations of one account share its LookupEvents budget.
        ...(accountId ? { limiter: accountBudget(accountId) } : {}),
      },
      // The task's own clock: the 90 days LookupEvents holds are counted from the window's "now".
      { regions: config.regions, ...(deps.now ? { clock: deps.now } : {}) },
    );
    if (followUp) {
      // The verification reads LookupEvents, which has a call minutes after it is made; a trail's
      // files reach S3 (and Athena) later than that.
      deps.logger?.appendKeys({ accessKeyId: followUp.accessKeyId, followUp: followUp.kind });
      const verified = await verifyContainment({ source: lookup, now: deps.now }, followUp, {
        lookbackHours: config.lookbackHours,
        deadline,
      });
      deps.logger?.info('Verification finished', { quiet: verified.quiet, activity: verified.activity });
      return verified;
    }
    if (!incident) throw new InvalidEventError('detail', 'names no incident');
    const source = await stackSource(lookup, config, deps.athenaClients, deadline);
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const owner = state.containment?.userName ?? incident.userName;
    const investigation = await investigateKey(
      { source },
      {
        accessKeyId: incident.accessKeyId,
        userName: owner,
        window: windowEnding((deps.now ?? (() => new Date()))(), config.lookbackHours),
        deadline,
      },
    );
    const fitted: Investigation = fitInvestigation(investigation);
    if (deps.inventory) {
      const inventoryDeps = await inventoryIn(deps.inventory, member, deadline);
      const inventory = await inventoryOrError(
        {
          ...inventoryDeps,
          accountId: member?.accountId ?? accountOf(context?.invokedFunctionArn) ?? incident.accountId,
        },
        [investigation.activity, ...investigation.sessionActivity],
        owner,
      );
      fitted.inventory = fitInventory(inventory);
    }
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
  /** Organisation mode: a member's finding is imported in the member, through its responder role. */
  organization?: OrganizationAccess;
  logger?: TaskLogger;
  now?: () => Date;
}

/** The account (and the key, or the user) a report is about: an incident's, a quarantined user's, a follow-up's. */
function reportedAccount(report: IncidentReport): { accountId?: string; name: string } {
  if (report.incident) return { accountId: report.incident.accountId, name: report.incident.accessKeyId };
  if (report.signal?.role === 'quarantine')
    return { accountId: report.signal.quarantine.accountId, name: report.signal.quarantine.userName };
  return { accountId: report.followUp?.accountId ?? undefined, name: report.followUp?.accessKeyId ?? 'notify' };
}

/**
 * Where the incident's finding goes: Security Hub of the account that owns the key, the only one
 * that may import it under its default product. That is the function's own, or, in organisation
 * mode, the member's through its responder role. A failure to tell is a problem to log, never a
 * reason for the notification to fail: the message has gone out already.
 */
async function findingsIn(
  deps: NotifyTaskDeps,
  report: IncidentReport,
): Promise<{ securityHub?: SecurityHubApi; accountId?: string; problem?: string }> {
  const { accountId, name } = reportedAccount(report);
  // The hub refused to act there: not even a finding is imported in an account outside it.
  if (incidentOutcome(report) === 'outside-organization')
    return { problem: `Account ${accountId} is outside the organisation: no finding is imported there.` };
  const known = accountId !== undefined && /^\d{12}$/.test(accountId);
  try {
    const member = deps.securityHub && known && (await clientsIn(deps.organization, accountId, name));
    if (!member || member.own) return { securityHub: deps.securityHub, accountId: deps.accountId };
    const { SecurityHubClient } = await import('@aws-sdk/client-securityhub');
    return {
      securityHub: new SecurityHubClient(member.config(deps.region ?? 'us-east-1')),
      accountId: member.accountId,
    };
  } catch (error) {
    return { problem: `Could not reach Security Hub of account ${accountId}: ${describeError(error)}` };
  }
}

/** How each channel beside the security topic went, in a word. */
function channelStatus(channels: ChannelsResult): NotificationOutput['channels'] {
  return { finding: channels.finding.status, chat: channels.chat.status, webhook: channels.webhook.status };
}

/**
 * `NotifySecurity`: sends the one message of the incident (a full one, a follow-up, or a
 * quarantined user's), whatever the earlier tasks did; then the Security Hub finding, the chat
 * notification and the webhook, whose failures are logged and reported, never thrown.
 */
export function notifyTask(deps: NotifyTaskDeps, config: NotifyConfig) {
  return async (state: WorkflowState, context?: TaskContext): Promise<NotificationOutput> => {
    const hub = deps.organization && (deps.accountId ?? accountOf(context?.invokedFunctionArn));
    const report: IncidentReport = { ...incidentReportOf(state), ...(hub ? { actedFrom: hub } : {}) };
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.notify);
    const sns = withDeadline(deps.sns, deadline);
    // The finding, chat and webhook: sent after the e-mail, and also when the security topic
    // refused it (its key's policy, say), each attempt, so that some alert goes out.
    const sendChannels = async (): Promise<ChannelsResult> => {
      const findings = await findingsIn(deps, report);
      if (findings.problem) deps.logger?.info('Finding not imported', { problem: findings.problem });
      return publishChannels(
        {
          sns,
          securityHub: findings.securityHub && withDeadline(findings.securityHub, deadline),
          secrets: deps.secrets && withDeadline(deps.secrets, deadline),
          fetch: deps.fetch,
          accountId: findings.accountId ?? accountOf(context?.invokedFunctionArn),
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
    };
    let sent: Awaited<ReturnType<typeof notifySecurity>>;
    try {
      sent = await notifySecurity({ sns }, { ...report, topicArn: config.topicArn });
    } catch (error) {
      const channels = channelStatus(await sendChannels());
      deps.logger?.info('Notification to the security topic failed; other channels tried', {
        error: describeError(error),
        channels,
      });
      throw error;
    }
    const channels = await sendChannels();
    const output = {
      messageId: sent.messageId,
      subject: sent.subject,
      outcome: sent.outcome,
      keyContained: keyContained(report),
      failExecution: needsHuman(report),
      channels: channelStatus(channels),
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
