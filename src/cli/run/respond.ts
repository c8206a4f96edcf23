import { randomUUID } from 'node:crypto';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ActivityProgress, ActivitySource } from '../../activity/activity-source.js';
import type { ActivitySummary, TimeWindow } from '../../activity/activity-summary.js';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient, SnsClient, StsApi } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { describeError, ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import type { Incident } from '../../incident/incident.js';
import { type ContainmentMode, type ContainmentResult, containKey } from '../../steps/contain.js';
import { type IncidentReport, needsHuman } from '../../steps/incident-outcome.js';
import { type Investigation, investigateKey } from '../../steps/investigate.js';
import { buildNotification } from '../../steps/notification-message.js';
import { notifySecurity } from '../../steps/notify.js';
import { report, type StepReport } from '../../steps/step-report.js';

/** The clients `respond` uses, built by the command. */
export interface RespondDeps {
  iam: IamClient;
  sts: StsApi;
  /** Where the key's activity is read from. */
  source: ActivitySource;
  /** The SNS client of the topic's region. */
  sns?: SnsClient;
  now?: () => Date;
}

/** What a responder asked for. */
export interface RespondOptions {
  accessKeyId: string;
  userName?: string;
  mode: ContainmentMode;
  dryRun: boolean;
  revokeSessions: boolean;
  window: TimeWindow;
  /** Where the activity is searched, as the plan says it: "every enabled region", "us-east-1". */
  searchedWhere: string;
  /** Where to publish; without one, the message is printed. */
  topicArn?: string;
  followSessions?: boolean;
}

/**
 * What `respond` found before changing anything: who owns the key, and what containment would do;
 * or, when IAM could not be asked, why not (then nothing is changed, but the key is still
 * investigated and the failure notified).
 */
export interface RespondPlan {
  incident: Incident;
  plan: StepReport<ContainmentResult>;
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
  investigationError?: string;
  notification: NotificationOutcome;
  /** True when the key is still usable and a human must act. */
  needsHuman: boolean;
}

/**
 * Checks everything that can be checked without changing anything (credentials, the user, the
 * key's owner) and returns what containment would do. Bad input is refused here, before any change.
 */
export async function planResponse(deps: RespondDeps, options: RespondOptions): Promise<RespondPlan> {
  let accountId: string;
  try {
    const identity = await deps.sts.send(new GetCallerIdentityCommand({}));
    accountId = identity.Account ?? 'unknown';
  } catch (error) {
    throw toAwsCallError('sts:GetCallerIdentity', error);
  }
  let userCheck: string | undefined;
  if (options.userName !== undefined && options.userName !== 'root') {
    try {
      await deps.iam.send(new GetUserCommand({ UserName: options.userName }));
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntity'))
        throw new InvalidInputError('--user', `There is no IAM user ${options.userName} in account ${accountId}.`, {
          hint: 'Leave out --user: exposed-keys finds the owner of the key itself.',
        });
      userCheck = `Could not check the user ${options.userName}, so nothing was changed: ${describeError(toAwsCallError('iam:GetUser', error))}`;
    }
  }
  const now = (deps.now ?? (() => new Date()))();
  const incident: Incident = {
    source: 'manual',
    accountId,
    accessKeyId: options.accessKeyId,
    userName: options.userName ?? null,
    location: null,
    fraudType: null,
    caseId: null,
    detectedAt: now.toISOString(),
    eventId: `manual-${randomUUID()}`,
  };
  if (userCheck !== undefined) return { incident, plan: { status: 'failed', error: userCheck } };
  const plan = await report(
    () =>
      containKey({ iam: deps.iam, now: deps.now }, incident, {
        mode: options.mode,
        dryRun: true,
        revokeSessions: options.revokeSessions,
      }),
    describeError,
  );
  return { incident, plan };
}

/** True when the plan would change something, so a person should confirm it first. */
export function planChangesSomething(plan: RespondPlan['plan']): boolean {
  return plan.status === 'done' && plan.result.actions.some((action) => action.status === 'planned');
}

/**
 * Contains the key (unless this is a dry run: then the plan stands as the result), investigates
 * what it did, and notifies the topic, or returns the message for printing. Every step runs
 * whatever the one before did, and every failure is in the result.
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
            containKey({ iam: deps.iam, now: deps.now }, incident, {
              mode: options.mode,
              revokeSessions: options.revokeSessions,
            }),
          describeError,
        );
  const owner = containment.status === 'done' ? containment.result.userName : incident.userName;
  const investigation: StepReport<Investigation> = await report(
    () =>
      investigateKey(
        { source: deps.source },
        {
          accessKeyId: incident.accessKeyId,
          userName: owner,
          window: options.window,
          followSessionKeys: options.followSessions ?? true,
          onProgress,
        },
      ),
    describeError,
  );
  const incidentReport: IncidentReport = { incident: { ...incident, userName: owner }, containment, investigation };
  const notification = await notify(deps, options, incidentReport);
  return {
    incident: incidentReport.incident as Incident,
    containment:
      containment.status === 'done'
        ? containment.result
        : {
            outcome: 'containment-failed',
            contained: false,
            error: containment.status === 'failed' ? containment.error : '',
          },
    activity: investigation.status === 'done' ? investigation.result.activity : null,
    sessionActivity: investigation.status === 'done' ? investigation.result.sessionActivity : [],
    ...(investigation.status === 'failed' ? { investigationError: investigation.error } : {}),
    notification,
    needsHuman: needsHuman(incidentReport),
  };
}

async function notify(
  deps: RespondDeps,
  options: RespondOptions,
  report: IncidentReport,
): Promise<NotificationOutcome> {
  const built = buildNotification(report);
  if (options.dryRun)
    return { status: 'printed', reason: 'dry run: nothing is sent', subject: built.subject, message: built.message };
  if (!options.topicArn || !deps.sns)
    return {
      status: 'printed',
      reason: 'no topic: give --topic, or deploy the stack',
      subject: built.subject,
      message: built.message,
    };
  try {
    const sent = await notifySecurity({ sns: deps.sns }, { ...report, topicArn: options.topicArn });
    return { status: 'sent', topicArn: options.topicArn, messageId: sent.messageId, subject: sent.subject };
  } catch (error) {
    return {
      status: 'failed',
      topicArn: options.topicArn,
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
  if (
    !options.dryRun &&
    planChangesSomething(planned.plan) &&
    !(await io.confirm({ question: 'Proceed?', consequence: 'changes the account' }))
  )
    return { aborted: true, planned };
  io.notify({
    kind: 'step',
    text: options.dryRun ? 'Investigating (dry run)…' : 'Containing, investigating, notifying…',
  });
  const result = await runResponse(deps, options, planned, (progress) => io.notify({ kind: 'progress', progress }));
  return { aborted: false, result };
}

/**
 * The exit code of a response: 4 when a human must act, 3 when the notification or the whole
 * investigation failed (nothing is known of what the key did when no region could be searched).
 */
export function responseExitCode(result: RespondResult): ExitCodeValue {
  if (result.needsHuman) return ExitCode.needsHuman;
  if (result.notification.status === 'failed' || result.investigationError) return ExitCode.awsFailed;
  return ExitCode.ok;
}
