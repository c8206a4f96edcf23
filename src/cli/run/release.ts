import type { IamClient, SchedulerApi } from '../../aws/narrow-clients.js';
import type { IoHost } from '../../common/io-host.js';
import { shownText } from '../../common/untrusted-text.js';
import { describeError, ExitCode, type ExitCodeValue, KeyGoneError } from '../../errors.js';
import type { IncidentReport } from '../../steps/incident-outcome.js';
import type { ReleaseResult } from '../../steps/lifecycle/follow-up-result.js';
import { planRelease, type ReleasePlan, releaseKey } from '../../steps/lifecycle/release.js';
import { report, type StepReport } from '../../steps/step-report.js';
import type { AccountTarget } from '../options.js';
import { type NotificationOutcome, notifyOrPrint, type TopicToNotify } from './respond.js';

/** What a responder asked to release. */
export interface ReleaseRequest {
  accessKeyId: string;
  userName?: string;
  /** Also make the key active again: a false alarm. */
  reactivate: boolean;
  /** The member account the key belongs to (`--account`), acted in through its responder role. */
  account?: AccountTarget;
}

/** What `release` needs: IAM, the stack's schedules when there is a stack, and where to notify. */
export interface ReleaseFlowDeps {
  iam: IamClient;
  scheduler?: SchedulerApi;
  /** The stack's schedule group; null without a stack (the tag on the user is then the only evidence). */
  groupName: string | null;
  topic: () => Promise<TopicToNotify>;
  /** The account the key is in, for the notification; null when it cannot be told. */
  accountId: () => Promise<string | null>;
  /** The caller's account, when acting in another (`--account`): see IncidentReport's `actedFrom`. */
  actedFrom?: string;
  now?: () => Date;
}

/** What `release` tells its host as it goes. */
export type ReleaseMessage = { kind: 'step'; text: string } | { kind: 'plan'; plan: ReleasePlan; reactivate: boolean };

/** The result of `release`, as `--json` prints it. */
export interface ReleaseCommandResult {
  plan: ReleasePlan;
  release: StepReport<ReleaseResult>;
  notification: NotificationOutcome;
  /** The account the key belongs to, as the message names it; null when unknown. */
  accountId: string | null;
  /** The caller's account, when the release acted in another through its responder role (`--account`). */
  actedFrom?: string;
  /** What could not be checked besides the release: the stack's topic not found for a failure, say. */
  warnings: string[];
  /** Whether the release was to make the key active again (`--reactivate`): the steps to retry it say so. */
  reactivate?: boolean;
  /** Present when the release failed because the key is gone: its scheduled deletion ran first. */
  keyGone?: true;
}

/** How `release` ended: with a result, or stopped by the responder before any change. */
export type ReleaseOutcome = { aborted: false; result: ReleaseCommandResult } | { aborted: true; plan: ReleasePlan };

/** The question `release` asks before changing anything; it names the evidence. */
function question(plan: ReleasePlan, reactivate: boolean): string {
  // The tag's value is anyone's with iam:TagUser: made inert before it reaches the terminal.
  const evidence = `Evidence that exposed-keys contained it: ${plan.evidence.map((line) => shownText(line, 300)).join('; ')}.`;
  return reactivate
    ? `${evidence}\nMake ${plan.accessKeyId} of ${plan.userName} ACTIVE again (a false alarm)?`
    : `${evidence}\nCancel the scheduled deletion of ${plan.accessKeyId} of ${plan.userName} (it stays ${plan.status === 'Active' ? 'ACTIVE: someone made it active again since' : 'inactive'})?`;
}

/**
 * `exposed-keys release` in one call: finds the key and the evidence that exposed-keys contained
 * it (refusing any other key, before any change), asks, removes the scheduled deletion (and, with
 * reactivate, the verification, and makes the key active again), and notifies either way.
 *
 * @throws InvalidInputError when nothing shows exposed-keys contained the key.
 */
export async function releaseFlow(
  deps: ReleaseFlowDeps,
  request: ReleaseRequest,
  io: IoHost<ReleaseMessage>,
): Promise<ReleaseOutcome> {
  io.notify({ kind: 'step', text: `Checking ${request.accessKeyId}…` });
  const stepDeps = { iam: deps.iam, scheduler: deps.scheduler, groupName: deps.groupName, now: deps.now };
  const plan = await planRelease(stepDeps, request);
  io.notify({ kind: 'plan', plan, reactivate: request.reactivate });
  const consequence = request.reactivate
    ? 'makes an exposed key usable again'
    : 'cancels the deletion of a contained key';
  if (!(await io.confirm({ question: question(plan, request.reactivate), consequence })))
    return { aborted: true, plan };
  io.notify({ kind: 'step', text: 'Releasing, notifying…' });
  let keyGone = false;
  const release = await report(
    () => releaseKey(stepDeps, plan, { reactivate: request.reactivate }),
    (error) => {
      keyGone = error instanceof KeyGoneError;
      return describeError(error);
    },
  );
  const accountId = await deps.accountId();
  const incidentReport: IncidentReport = {
    incident: null,
    containment: { status: 'skipped', reason: 'a release contains nothing' },
    investigation: { status: 'skipped', reason: 'a release investigates nothing' },
    followUp: {
      kind: 'release',
      accessKeyId: plan.accessKeyId,
      userName: plan.userName,
      accountId,
      containedAt: plan.containedAt,
      step: release,
      reactivate: request.reactivate,
      ...(keyGone ? { keyGone } : {}),
    },
    ...(deps.actedFrom ? { actedFrom: deps.actedFrom } : {}),
  };
  const topic = await deps.topic();
  const notification = await notifyOrPrint(topic, incidentReport, false);
  const warnings = topic.warning ? [topic.warning] : [];
  return {
    aborted: false,
    result: {
      plan,
      release,
      notification,
      accountId,
      ...(deps.actedFrom ? { actedFrom: deps.actedFrom } : {}),
      warnings,
      reactivate: request.reactivate,
      ...(keyGone ? { keyGone: true as const } : {}),
    },
  };
}

/**
 * The exit code of a release: 4 when it left the key active without reactivating it (someone made
 * it active again: a human must look), or found the key gone (its scheduled deletion ran first),
 * whatever else failed, as for respond; 3 when the release or its notification failed (the stack's
 * topic not found for a failure included); else 0.
 */
export function releaseExitCode(result: ReleaseCommandResult): ExitCodeValue {
  const done = result.release.status === 'done' ? result.release.result : null;
  if (done && !done.reactivated && done.status === 'Active') return ExitCode.needsHuman;
  if (result.keyGone) return ExitCode.needsHuman;
  if (!done || result.notification.status === 'failed') return ExitCode.awsFailed;
  // Printed because the stack's topic could not be looked up: nobody was notified.
  if (result.notification.status === 'printed' && result.warnings.length > 0) return ExitCode.awsFailed;
  return ExitCode.ok;
}
