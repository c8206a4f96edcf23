import type { ActivityProgress, ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import type { CloudTrailApi, SecurityHubApi, SnsClient } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { describeError, ExitCode, type ExitCodeValue, InterruptedError } from '../../errors.js';
import type { Incident } from '../../incident/incident.js';
import { buildNotification } from '../../message/email.js';
import { publishChannels } from '../../steps/channels/publish-channels.js';
import type { FindingOutcome } from '../../steps/channels/security-hub.js';
import { type ContainmentResult, containKey } from '../../steps/contain.js';
import { type IncidentReport, needsHuman } from '../../steps/incident-outcome.js';
import { type Inventory, inventoryIncomplete } from '../../steps/inventory/inventory-types.js';
import { type Investigation, investigateKey, type SessionKeysNotSearched } from '../../steps/investigate.js';
import { notifySecurity } from '../../steps/notify.js';
import { report, type StepReport } from '../../steps/step-report.js';
import {
  type PlanDeps,
  type PlanOptions,
  planChangesSomething,
  planResponse,
  type RespondPlan,
} from './respond-plan.js';

export type { RespondPlan } from './respond-plan.js';

/** Where to notify, found once the key is contained: a topic and its SNS client, or why there is none. */
export interface TopicToNotify {
  topicArn?: string;
  sns?: SnsClient;
  /** Why there is no topic, or what could not be checked. */
  warning?: string;
}

/** The clients `respond` uses, built by the command. */
export interface RespondDeps extends PlanDeps {
  /** Where the key's activity is read from. */
  source: ActivitySource;
  /** CloudTrail in us-east-1: shows the deletion of a key IAM no longer knows. */
  cloudTrail?: CloudTrailApi;
  /** Finds the topic; asked only after containment, so that nothing but IAM stands before it. */
  topic: () => Promise<TopicToNotify>;
  /** Security Hub of the account and region, for the incident's finding (asked after containment). */
  securityHub?: () => Promise<{ client: SecurityHubApi; region: string }>;
  /** Checks, read only, what the attacker left; without it, no inventory is taken. */
  inventory?: (summaries: ActivitySummary[], keyOwner: string | null, accountId: string | null) => Promise<Inventory>;
  /** The account's name for the message (`--account`: Organizations), asked after containment too. */
  accountName?: () => Promise<string | null>;
  /** The caller's account, when acting in another (`--account`): see IncidentReport's `actedFrom`. */
  actedFrom?: string;
  /**
   * Aborts on Ctrl-C. Before containment it stops the response with nothing changed; after, it
   * stops the investigation (and skips the inventory), and containment is still reported and notified.
   */
  signal?: AbortSignal;
}

/** What a responder asked for. */
export interface RespondOptions extends PlanOptions {
  dryRun: boolean;
  window: TimeWindow;
  followSessions?: boolean;
  /** How the plan names what is searched and who is notified: "every enabled region", "the stack's topic". */
  searchedWhere: string;
  notifiedWhom: string;
  /**
   * Where the investigation itself writes, for the plan: Athena writes every query's results, a dry
   * run's too ("s3://bucket/prefix/"); absent when it writes nothing.
   */
  investigationWritesTo?: string;
}

/** How the notification went. */
export type NotificationOutcome =
  | { status: 'sent'; topicArn: string; messageId: string; subject: string }
  | { status: 'printed'; reason: string; subject: string; message: string }
  | { status: 'failed'; topicArn: string; error: string; subject: string; message: string };

/** The result of `respond`, as `--json` prints it. */
export interface RespondResult {
  incident: Incident;
  containment: ContainmentResult | { outcome: 'containment-failed'; contained: false; error: string };
  activity: ActivitySummary | null;
  sessionActivity: ActivitySummary[];
  /** The session keys minted that were not searched (past the limit, or out of time); absent when none. */
  sessionKeysNotSearched?: SessionKeysNotSearched;
  /** What the attacker left, checked after the investigation (read only). */
  inventory?: Inventory;
  investigationError?: string;
  notification: NotificationOutcome;
  /** The incident's Security Hub finding: imported (created or updated), not enabled, skipped or failed; never a reason to fail. */
  finding?: FindingOutcome;
  /** What failed besides containment and investigation (STS, finding the topic). */
  warnings: string[];
  /** True when a human must act: the key is still usable, or part of containment failed. */
  needsHuman: boolean;
  /** The caller's account, when the response acted in another through its responder role (`--account`). */
  actedFrom?: string;
  /** True when the responder stopped the run (Ctrl-C) after containment: the investigation is not complete. */
  interrupted?: true;
}

/** Containment outcomes that say the key is not this account's: an inventory here would find nothing of it. */
const KEY_ELSEWHERE: ReadonlySet<ContainmentResult['outcome']> = new Set([
  'not-found',
  'other-account',
  'outside-organization',
]);

/**
 * Contains the key (unless this is a dry run: then the plan stands as the result), then
 * investigates what it did and finds the topic, and notifies it, or returns the message for
 * printing. Every step runs whatever the one before did, and every failure is in the result.
 */
export async function runResponse(
  deps: RespondDeps,
  options: RespondOptions,
  planned: RespondPlan,
  onProgress?: (progress: ActivityProgress) => void,
): Promise<RespondResult> {
  const { incident } = planned;
  // A plan that could not be made leaves the key alone: nothing ties it to an owner yet.
  const containment: StepReport<ContainmentResult> =
    options.dryRun || planned.plan.status !== 'done'
      ? planned.plan
      : await report(
          () =>
            containKey(
              {
                iam: deps.iam,
                cloudTrail: deps.cloudTrail,
                accountId: incident.accountId === 'unknown' ? undefined : incident.accountId,
                now: deps.now,
                schedules: deps.schedules,
              },
              incident,
              { mode: options.mode, revokeSessions: options.revokeSessions, deleteAfterDays: options.deleteAfterDays },
            ),
          describeError,
        );
  const owner = containment.status === 'done' ? containment.result.userName : incident.userName;
  const [investigation, topic, accountName] = await Promise.all([
    report<Investigation>(
      () =>
        investigateKey(
          { source: deps.source },
          {
            accessKeyId: incident.accessKeyId,
            userName: owner,
            window: options.window,
            followSessionKeys: options.followSessions ?? true,
            signal: deps.signal,
            onProgress,
            ...(deps.now ? { now: deps.now } : {}),
          },
        ),
      describeError,
    ),
    options.dryRun ? Promise.resolve<TopicToNotify>({}) : deps.topic(),
    deps.accountName?.() ?? null,
  ]);
  if (investigation.status === 'done' && deps.inventory && !deps.signal?.aborted) {
    const { activity, sessionActivity } = investigation.result;
    const account = incident.accountId === 'unknown' ? null : incident.accountId;
    const elsewhere = containment.status === 'done' && KEY_ELSEWHERE.has(containment.result.outcome);
    investigation.result.inventory = elsewhere
      ? {
          items: [],
          trustedAccounts: 'this-account',
          truncated: false,
          // Here, everything the attacker made would seem gone: the key's IAM is another account's.
          error: `not taken: IAM here does not hold key ${incident.accessKeyId} (${containment.result.outcome}), and everything the attacker made would seem gone here. Take it where the key lives: exposed-keys investigate --key ${incident.accessKeyId} --inventory with a profile (or --account) of its account.`,
        }
      : await deps.inventory([activity, ...sessionActivity], owner, account);
  }
  const named: StepReport<ContainmentResult> =
    accountName && containment.status === 'done'
      ? { status: 'done', result: { ...containment.result, accountName } }
      : containment;
  const incidentReport: IncidentReport = {
    incident: { ...incident, userName: owner },
    containment: named,
    investigation,
    ...(deps.actedFrom ? { actedFrom: deps.actedFrom } : {}),
  };
  const warnings = [...planned.warnings, ...(topic.warning ? [topic.warning] : [])];
  return {
    incident: incidentReport.incident as Incident,
    containment:
      named.status === 'done'
        ? named.result
        : {
            outcome: 'containment-failed',
            contained: false,
            error: containment.status === 'failed' ? containment.error : '',
          },
    activity: investigation.status === 'done' ? investigation.result.activity : null,
    sessionActivity: investigation.status === 'done' ? investigation.result.sessionActivity : [],
    ...(investigation.status === 'done' && investigation.result.sessionKeysNotSearched
      ? { sessionKeysNotSearched: investigation.result.sessionKeysNotSearched }
      : {}),
    ...(investigation.status === 'done' && investigation.result.inventory
      ? { inventory: investigation.result.inventory }
      : {}),
    ...(investigation.status === 'failed' ? { investigationError: investigation.error } : {}),
    notification: await notifyOrPrint(topic, incidentReport, options.dryRun),
    ...(options.dryRun ? {} : { finding: await finding(deps, incidentReport) }),
    warnings,
    needsHuman: needsHuman(incidentReport),
    ...(deps.actedFrom ? { actedFrom: deps.actedFrom } : {}),
    ...(deps.signal?.aborted ? { interrupted: true as const } : {}),
  };
}

/** The incident's finding, as the stack would import it; Security Hub failing is reported, never thrown. */
async function finding(deps: RespondDeps, report: IncidentReport): Promise<FindingOutcome> {
  if (!deps.securityHub) return { status: 'skipped', reason: 'no Security Hub client' };
  try {
    const { client, region } = await deps.securityHub();
    return (await publishChannels({ securityHub: client, now: deps.now }, report, { findings: true, region })).finding;
  } catch (error) {
    return { status: 'skipped', reason: `Security Hub could not be reached: ${describeError(error)}` };
  }
}

/**
 * Sends the report's message to the topic; or, on a dry run or without a topic, returns it for
 * printing. A failure to send is in the outcome, with the message.
 */
export async function notifyOrPrint(
  topic: TopicToNotify,
  report: IncidentReport,
  dryRun: boolean,
): Promise<NotificationOutcome> {
  const built = buildNotification(report);
  const printed = (reason: string): NotificationOutcome => ({
    status: 'printed',
    reason,
    subject: built.subject,
    message: built.message,
  });
  if (dryRun) return printed('dry run: nothing is sent');
  if (!topic.topicArn || !topic.sns) return printed('no topic: give --topic, or deploy the stack');
  try {
    const sent = await notifySecurity({ sns: topic.sns }, { ...report, topicArn: topic.topicArn });
    return { status: 'sent', topicArn: topic.topicArn, messageId: sent.messageId, subject: sent.subject };
  } catch (error) {
    return {
      status: 'failed',
      topicArn: topic.topicArn,
      error: describeError(error),
      subject: built.subject,
      message: built.message,
    };
  }
}

/** What `respond` tells its host as it goes. */
export type RespondMessage =
  | { kind: 'plan'; planned: RespondPlan; options: RespondOptions }
  | { kind: 'step'; text: string }
  | { kind: 'progress'; progress: ActivityProgress };

/** How `respond` ended: with a result, or stopped by the responder before any change. */
export type RespondOutcome = { aborted: false; result: RespondResult } | { aborted: true; planned: RespondPlan };

/**
 * The manual incident response in one call: plan (changing nothing), tell the host the plan, ask
 * before a change, then contain, investigate and notify. A dry run asks nothing and changes nothing.
 */
export async function respondToKey(
  deps: RespondDeps,
  options: RespondOptions,
  io: IoHost<RespondMessage>,
): Promise<RespondOutcome> {
  io.notify({ kind: 'step', text: `Checking ${options.accessKeyId}…` });
  const planned = await planResponse(deps, options);
  io.notify({ kind: 'plan', planned, options });
  const stopIfInterrupted = () => {
    if (deps.signal?.aborted) throw new InterruptedError('Stopped before containment: nothing was changed.');
  };
  stopIfInterrupted();
  if (
    !options.dryRun &&
    planChangesSomething(planned.plan) &&
    !(await io.confirm({ question: 'Proceed?', consequence: 'changes the account' }))
  )
    return { aborted: true, planned };
  stopIfInterrupted();
  io.notify({
    kind: 'step',
    text: options.dryRun ? 'Investigating (dry run)…' : 'Containing, investigating, notifying…',
  });
  const result = await runResponse(deps, options, planned, (progress) => io.notify({ kind: 'progress', progress }));
  return { aborted: false, result };
}

/**
 * The exit code of a response: 4 when a human must act; 130 when the responder stopped it (Ctrl-C)
 * after containment; 3 when anything else failed (the notification, the whole investigation, a
 * region of the key or of a session key it minted not searched, a session key minted not searched, a warning of containment such as
 * its record not left on the user, STS, finding the topic, an inventory not taken, an item of it
 * not checked, or one taken from a search cut short); else 0.
 */
export function responseExitCode(result: RespondResult): ExitCodeValue {
  if (result.needsHuman) return ExitCode.needsHuman;
  if (result.interrupted) return ExitCode.interrupted;
  const notSearched =
    result.sessionKeysNotSearched !== undefined ||
    [result.activity, ...result.sessionActivity].some((summary) => (summary?.regions.failed.length ?? 0) > 0);
  const containmentWarned = 'warnings' in result.containment && result.containment.warnings.length > 0;
  if (
    inventoryIncomplete(result.inventory) ||
    result.notification.status === 'failed' ||
    result.investigationError ||
    result.warnings.length > 0 ||
    notSearched ||
    containmentWarned
  )
    return ExitCode.awsFailed;
  return ExitCode.ok;
}

/** The incident report a response's result holds: what its notification said, for any renderer. */
export function incidentReportOf(result: RespondResult): IncidentReport {
  const containment: IncidentReport['containment'] =
    'error' in result.containment
      ? { status: 'failed', error: result.containment.error }
      : { status: 'done', result: result.containment };
  const investigation: IncidentReport['investigation'] = result.activity
    ? {
        status: 'done',
        result: {
          activity: result.activity,
          sessionActivity: result.sessionActivity,
          ...(result.sessionKeysNotSearched ? { sessionKeysNotSearched: result.sessionKeysNotSearched } : {}),
          ...(result.inventory ? { inventory: result.inventory } : {}),
        },
      }
    : { status: 'failed', error: result.investigationError ?? 'unknown' };
  return {
    incident: result.incident,
    containment,
    investigation,
    ...(result.actedFrom ? { actedFrom: result.actedFrom } : {}),
  };
}
