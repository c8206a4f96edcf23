import { randomUUID } from 'node:crypto';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { isAwsError, isCredentialsFailure, toAwsCallError } from '../../aws/aws-errors.js';
import type { CloudTrailApi, IamClient, StsApi } from '../../aws/narrow-clients.js';
import { ContainmentError, describeError, InvalidInputError } from '../../errors.js';
import type { Incident } from '../../incident/incident.js';
import { isRootUserName } from '../../incident/user-name.js';
import { type ContainmentMode, type ContainmentResult, containKey } from '../../steps/contain.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';
import type { StepReport } from '../../steps/step-report.js';
import { refusedCredentials } from './refused-credentials.js';

/** What planning needs: IAM, and STS to name the account (which may fail without stopping anything). */
export interface PlanDeps {
  iam: IamClient;
  sts: StsApi;
  now?: () => Date;
  /** The stack's schedules, asked for once the key is unusable (see `containKey`). */
  schedules?: () => Promise<ScheduleDeps>;
  /**
   * CloudTrail, asked only for a key IAM does not know (a deletion of it there is evidence it was
   * contained): the plan then shows what the run will do, the sessions it will deny included.
   */
  cloudTrail?: CloudTrailApi;
  /**
   * Looks the stack's schedules up for the plan (see {@link StackLookup}); without it, the plan
   * says they are not looked up yet (a dry run's still are).
   */
  stackLookup?: () => Promise<StackLookup>;
}

/**
 * The stack's schedules as the plan knows them before containment: looked up (then the plan shows
 * the follow-ups the stack will run, with its own VerifyAfterMinutes, as a dry run does; none
 * without a stack), or why not.
 */
export type StackLookup = { lookedUp: true; verifyAfterMinutes?: number } | { lookedUp: false; reason: string };

/** What a responder asked to contain. */
export interface PlanOptions {
  accessKeyId: string;
  userName?: string;
  mode: ContainmentMode;
  revokeSessions: boolean;
  /** deactivate-then-delete: days before the deletion. */
  deleteAfterDays?: number;
  /** Whether the response is a dry run (then the stack's schedules are looked up for the plan). */
  dryRun?: boolean;
  /** The account acted in (`--account`): the incident's, whatever STS answers. */
  account?: { accountId: string };
}

/**
 * What `respond` found before changing anything: who owns the key, and what containment would do;
 * or, when IAM could not be asked, why not (then nothing is changed, but the key is still
 * investigated and the failure notified). `warnings` say what failed besides IAM.
 */
export interface RespondPlan {
  incident: Incident;
  plan: StepReport<ContainmentResult>;
  warnings: string[];
  /** The stack's VerifyAfterMinutes, when the plan looked its schedules up: 0 says no verification follows. */
  verifyAfterMinutes?: number;
}

/** The caller's account; a failure of STS is a warning, never a reason not to contain (only IAM is needed). */
async function callerAccount(sts: StsApi, warnings: string[]): Promise<string | undefined> {
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    warnings.push(
      `Could not name the account (${describeError(toAwsCallError('sts:GetCallerIdentity', error))}); containment goes on with IAM alone.`,
    );
    return undefined;
  }
}

/**
 * The user given with --user, checked with IAM: bad input when there is no such IAM user (unless
 * it names the root user, which has none); an error text when IAM could not be asked.
 */
async function checkUser(iam: IamClient, userName: string, account: string): Promise<string | undefined> {
  try {
    await iam.send(new GetUserCommand({ UserName: userName }));
    return undefined;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) {
      if (isRootUserName(userName)) return undefined;
      throw new InvalidInputError('--user', `There is no IAM user ${userName} in account ${account}.`, {
        hint: 'Leave out --user: exposed-keys finds the owner of the key itself.',
      });
    }
    if (isCredentialsFailure(error)) throw refusedCredentials('iam:GetUser', error);
    return `Could not check the user ${userName}, so nothing was changed: ${describeError(toAwsCallError('iam:GetUser', error))}`;
  }
}

/**
 * Checks everything that can be checked without changing anything (the user, the key's owner) and
 * returns what containment would do. Bad input is refused here, before any change. Only IAM is
 * needed: when STS does not answer, the account is unknown and the plan goes on.
 *
 * @throws InvalidInputError when --user names no IAM user.
 * @throws CredentialsError when IAM refuses the caller's credentials: nothing was changed.
 */
export async function planResponse(deps: PlanDeps, options: PlanOptions): Promise<RespondPlan> {
  const warnings: string[] = [];
  const account = options.account?.accountId ?? (await callerAccount(deps.sts, warnings));
  const userCheck =
    options.userName === undefined ? undefined : await checkUser(deps.iam, options.userName, account ?? 'this account');
  const now = (deps.now ?? (() => new Date()))();
  const incident: Incident = {
    source: 'manual',
    accountId: account ?? 'unknown',
    accessKeyId: options.accessKeyId,
    userName: options.userName ?? null,
    location: null,
    fraudType: null,
    caseId: null,
    detectedAt: now.toISOString(),
    eventId: `manual-${randomUUID()}`,
  };
  if (userCheck !== undefined) return { incident, plan: { status: 'failed', error: userCheck }, warnings };
  const stack = await deps.stackLookup?.();
  let plan: StepReport<ContainmentResult>;
  try {
    plan = {
      status: 'done',
      result: await containKey(
        { iam: deps.iam, cloudTrail: deps.cloudTrail, now: deps.now, accountId: account, schedules: deps.schedules },
        incident,
        {
          mode: options.mode,
          dryRun: true,
          revokeSessions: options.revokeSessions,
          deleteAfterDays: options.deleteAfterDays,
          checkSchedules: (options.dryRun ?? false) || stack?.lookedUp === true,
          ...(stack?.lookedUp === false ? { notLookedUp: stack.reason } : {}),
        },
      ),
    };
  } catch (error) {
    const cause = error instanceof ContainmentError ? error.cause : error;
    if (isCredentialsFailure(cause)) throw refusedCredentials('iam:GetAccessKeyLastUsed', cause);
    plan = { status: 'failed', error: describeError(error) };
  }
  const minutes = stack?.lookedUp ? stack.verifyAfterMinutes : undefined;
  return { incident, plan, warnings, ...(minutes === undefined ? {} : { verifyAfterMinutes: minutes }) };
}

/** True when the plan would change something, so a person should confirm it first. */
export function planChangesSomething(plan: RespondPlan['plan']): boolean {
  return plan.status === 'done' && plan.result.actions.some((action) => action.status === 'planned');
}
