import { ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { CloudTrailApi, IamClient } from '../aws/narrow-clients.js';
import { shellWord } from '../common/shell-words.js';
import { DEFAULT_DELETE_AFTER_DAYS, DEFAULT_VERIFY_AFTER_MINUTES, SESSION_LIFETIME_HOURS } from '../constants.js';
import { describeError } from '../errors.js';
import { isTemporaryKey } from '../incident/access-key-id.js';
import type { Incident } from '../incident/incident.js';
import { isRootUserName } from '../incident/user-name.js';
import { disableKey, recordContainment, revokeSessions } from './containment/actions.js';
import type { ContainmentMode } from './containment/containment-modes.js';
import { containedRecord, containedTag, removalEvidence } from './containment/evidence.js';
import { deletionDue, type FollowUpsScheduled, scheduleFollowUps } from './containment/follow-ups.js';
import {
  type LostDeletion,
  planLostDeletion,
  type RecordedDeletion,
  scheduleLostDeletion,
} from './containment/lost-deletion.js';
import { type KeyOwner, listedStatus, resolveOwner, sameUser } from './containment/owner.js';
import {
  containmentRecord,
  deletionDueIn,
  deletionUnscheduled,
  isReleaseRecord,
  recordTime,
  usableSince,
} from './containment/record-text.js';
import { REVOKE_SESSIONS_POLICY_NAME } from './containment/revoke-sessions-policy.js';
import { sessionsDenied } from './containment/sessions-denied.js';
import {
  manualContainSteps,
  notFoundSteps,
  otherAccountSteps,
  ownerMismatchSteps,
  revokeSessionsStep,
  rootKeySteps,
  temporaryKeySteps,
} from './human-steps.js';
import type { ScheduleDeps } from './lifecycle/schedules.js';

export { CONTAINMENT_MODES, type ContainmentMode } from './containment/containment-modes.js';
export { REVOKE_SESSIONS_POLICY_NAME, revokeSessionsPolicy } from './containment/revoke-sessions-policy.js';

/**
 * What containment ended with:
 * - `deleted`, `deactivated`: this run made the key unusable;
 * - `already-contained`: the key was already gone, and something shows it was contained (the tag
 *   exposed-keys leaves on the user, its deletion in CloudTrail, or the owner IAM named at the
 *   claim, see {@link ContainDeps.ownerAtClaim}), or it is listed as inactive;
 * - `not-found`: IAM does not know the key and nothing shows it was ever contained here (a typo,
 *   another account's key, the wrong credentials): a human must look;
 * - `other-account`: the event names a key of another account; nothing was touched here;
 * - `outside-organization`: organisation mode, and the account the event names is not a member of
 *   the hub's organisation; nothing was touched (src/organization);
 * - `notify-only`: the mode says to leave the key alone;
 * - `manual-action-required`: a root or temporary key, which no role can contain;
 * - `owner-mismatch`: IAM says the key belongs to someone other than the event's user; nothing touched;
 * - `planned`: a dry run that would contain the key.
 */
export type ContainmentOutcome =
  | 'deleted'
  | 'deactivated'
  | 'already-contained'
  | 'not-found'
  | 'other-account'
  | 'outside-organization'
  | 'notify-only'
  | 'manual-action-required'
  | 'owner-mismatch'
  | 'planned';

/**
 * One change containment made, would make (dry run), or tried to make. `record-containment` is the
 * record of the containment left on the user (the tag `exposed-keys/contained/<key>`); like a
 * verification that cannot be scheduled, a record IAM refuses is a warning, not a failed action.
 */
export interface ContainmentAction {
  kind:
    | 'delete-access-key'
    | 'deactivate-access-key'
    | 'revoke-sessions'
    | 'record-containment'
    | 'schedule-deletion'
    | 'schedule-verification';
  /** The key id; the user for `revoke-sessions` and `record-containment`; the schedule's name for a schedule. */
  target: string;
  status: 'done' | 'planned' | 'failed';
  detail: string;
}

/** The result of {@link containKey}: plain data, safe to serialise into a Step Functions state. */
export interface ContainmentResult {
  accessKeyId: string;
  /** The IAM user that owns the key, as IAM says; null when it was not resolved. */
  userName: string | null;
  mode: ContainmentMode;
  dryRun: boolean;
  outcome: ContainmentOutcome;
  /** True when the key can no longer be used (deleted, deactivated or already contained). */
  contained: boolean;
  /** One sentence on why the outcome is what it is. */
  summary: string;
  actions: ContainmentAction[];
  /** `AWSCompromisedKeyQuarantine*` policies attached to the owner by AWS. They are never detached. */
  quarantinePolicies: string[];
  /** What a human must do now; empty when nothing is urgent. */
  humanSteps: string[];
  /** Failures that did not stop containment (a read that failed, sessions not revoked). */
  warnings: string[];
  /** When this run made the key unusable, ISO 8601. */
  containedAt?: string;
  /** When the inactive key is due to be deleted (deactivate-then-delete), ISO 8601. */
  deleteAt?: string | null;
  /** When the verification after containment runs, ISO 8601. */
  verifyAt?: string | null;
  /** Organisation mode: the name of the key's account, as Organizations gives it. */
  accountName?: string;
}

/** Options of {@link containKey}. */
export interface ContainOptions {
  /** Default `delete`. */
  mode?: ContainmentMode;
  /** Read, plan and return the plan; call no mutating API. */
  dryRun?: boolean;
  /** Deny the owner's sessions issued before now (default true). */
  revokeSessions?: boolean;
  /** deactivate-then-delete: days before the deletion (default 7). */
  deleteAfterDays?: number;
  /**
   * Minutes after containment when the verification runs, when schedules are given; 0 for none
   * (default 30). The schedules' own (the deployed stack's setting), when they carry one, replaces it.
   */
  verifyAfterMinutes?: number;
  /**
   * A dry run: look the stack's schedules up (reads only), to plan only the follow-ups the stack
   * can run (default false: a plan made before a containment that waits for nothing but IAM).
   */
  checkSchedules?: boolean;
  /** Why a dry run that does not check the stack's schedules did not look them up, for its plan (default: not yet). */
  notLookedUp?: string;
}

/** What {@link containKey} needs. */
export interface ContainDeps {
  iam: IamClient;
  /** CloudTrail in us-east-1, to show that a key IAM no longer knows was deleted. */
  cloudTrail?: CloudTrailApi;
  /** The account this runs in: a key of another account is never touched. */
  accountId?: string;
  /** The clock, for the session revocation cut-off. */
  now?: () => Date;
  /**
   * The stack's schedules, asked for only once the key is unusable: the deletion of a key left
   * inactive and the verification are scheduled there. Without them, no verification is scheduled.
   */
  schedules?: () => Promise<ScheduleDeps>;
  /**
   * The key's owner as IAM named it when this report was received (its incident's claim). A key
   * IAM no longer knows was then held here, and has gone since: a retry of containment whose first
   * attempt deleted it, its answer lost, finds it so. Evidence only for a report that names no
   * user, or names this one (IAM user names do not depend on case).
   */
  ownerAtClaim?: string;
}

/** AWS attaches managed policies with this prefix to users whose key it found exposed. */
export const QUARANTINE_POLICY_PREFIX = 'AWSCompromisedKeyQuarantine';

function result(
  incident: Incident,
  options: Required<ContainOptions>,
  fields: Pick<ContainmentResult, 'outcome' | 'summary'> & Partial<ContainmentResult>,
): ContainmentResult {
  const contained = ['deleted', 'deactivated', 'already-contained'].includes(fields.outcome);
  return {
    accessKeyId: incident.accessKeyId,
    userName: null,
    mode: options.mode,
    dryRun: options.dryRun,
    contained,
    actions: [],
    quarantinePolicies: [],
    humanSteps: [],
    warnings: [],
    ...fields,
  };
}

async function quarantinePolicies(iam: IamClient, userName: string, warnings: string[]): Promise<string[]> {
  try {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, Marker: marker }));
      for (const policy of page.AttachedPolicies ?? [])
        if (policy.PolicyName?.startsWith(QUARANTINE_POLICY_PREFIX)) names.push(policy.PolicyName);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return names;
  } catch (error) {
    warnings.push(
      `Could not check for an ${QUARANTINE_POLICY_PREFIX}* policy on ${userName}: ${describeError(toAwsCallError('iam:ListAttachedUserPolicies', error))}`,
    );
    return [];
  }
}

/** Why the key cannot be contained here, before IAM is asked anything; null when it can be tried. */
function beyondReach(deps: ContainDeps, incident: Incident, opts: Required<ContainOptions>): ContainmentResult | null {
  const { accessKeyId } = incident;
  if (isTemporaryKey(accessKeyId))
    return result(incident, opts, {
      outcome: 'manual-action-required',
      userName: incident.userName,
      summary: `${accessKeyId} is a temporary key; IAM cannot delete or deactivate it.`,
      humanSteps: temporaryKeySteps(accessKeyId),
    });
  if (deps.accountId !== undefined && deps.accountId !== incident.accountId)
    return result(incident, opts, {
      outcome: 'other-account',
      userName: incident.userName,
      summary: `${accessKeyId} belongs to account ${incident.accountId}; this runs in ${deps.accountId}, so nothing was touched.`,
      humanSteps: otherAccountSteps(accessKeyId, incident.accountId),
    });
  return null;
}

/**
 * For a key contained before: its sessions are denied now unless IAM shows they were (see
 * sessionsDenied). What showed the containment (a tag, a deletion in CloudTrail) may be the
 * attacker's, or an earlier containment whose revocation failed: the sessions are what still works.
 */
async function denySessionsIfNot(
  iam: IamClient,
  key: { userName: string; accessKeyId: string; lastUsed: Date | null },
  now: Date,
  warnings: string[],
): Promise<{ actions: ContainmentAction[]; humanSteps: string[] }> {
  const { userName, accessKeyId } = key;
  const checked = await sessionsDenied(iam, userName, key.lastUsed);
  if ('denied' in checked && checked.denied) return { actions: [], humanSteps: [] };
  const revoked = await revokeSessions(iam, userName, now);
  const why =
    'unknown' in checked
      ? `whether they were denied before could not be read (${checked.unknown}): `
      : 'nothing showed them denied since the key was last used: ';
  const action: ContainmentAction = {
    kind: 'revoke-sessions',
    target: userName,
    status: revoked.done ? 'done' : 'failed',
    detail: `${why}${revoked.detail}`,
  };
  if (revoked.done) return { actions: [action], humanSteps: [] };
  warnings.push(`Sessions minted from ${accessKeyId} may still be valid (up to 36 hours): ${revoked.detail}`);
  return { actions: [action], humanSteps: [revokeSessionsStep(userName)] };
}

/** The key's status as IAM lists it for the user; null when not listed, or IAM could not say (a plan then assumes it active). */
async function listedStatusOrNull(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  try {
    return await listedStatus(iam, userName, accessKeyId);
  } catch {
    return null;
  }
}

const SESSION_LIFETIME_MS = SESSION_LIFETIME_HOURS * 3_600_000;

/**
 * The sessions of a key IAM no longer knows, which evidence shows contained: only the user the
 * evidence ties it to (`heldBy`) has them denied, never one a report or --user names on its word
 * alone. A user named otherwise gets no policy, and the denial is a failed action with the step to
 * take, for a human to decide whose sessions they are.
 */
async function goneKeySessions(
  deps: ContainDeps,
  incident: Incident,
  opts: Required<ContainOptions>,
  evidence: { heldBy: string | null; unusableSince?: Date; now: Date },
  warnings: string[],
): Promise<{ actions: ContainmentAction[]; humanSteps: string[] }> {
  const { accessKeyId } = incident;
  const named = incident.userName;
  const { heldBy, now } = evidence;
  const none = { actions: [], humanSteps: [] };
  if (!opts.revokeSessions || (named !== null && isRootUserName(named))) return none;
  // No session outlives 36 hours (GetSessionToken's longest): a key gone longer minted none still valid.
  if (evidence.unusableSince && now.getTime() - evidence.unusableSince.getTime() > SESSION_LIFETIME_MS) return none;
  const ties = heldBy !== null && (named === null || heldBy.toLowerCase() === named.toLowerCase());
  if (ties) {
    const user = named ?? heldBy;
    if (isRootUserName(user)) return none;
    // Gone from IAM, the key has no last use to ask: a revocation counts only when its cutoff is no
    // earlier than the key stopped working, as the evidence says it (else now: one is put).
    const lastUsed = evidence.unusableSince ?? now;
    if (!opts.dryRun) return denySessionsIfNot(deps.iam, { userName: user, accessKeyId, lastUsed }, now, warnings);
    const detail = `deny ${user}'s sessions issued before the time of containment, unless IAM shows them denied (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`;
    return { actions: [{ kind: 'revoke-sessions', target: user, status: 'planned', detail }], humanSteps: [] };
  }
  if (named === null) return none;
  const why =
    heldBy === null
      ? `nothing ties ${accessKeyId} to ${named}`
      : `the evidence ties ${accessKeyId} to ${heldBy}, not to ${named}`;
  warnings.push(
    `Sessions minted from ${accessKeyId} may still be valid (up to 36 hours): ${why}, so none were denied.`,
  );
  if (opts.dryRun) return none;
  const decide =
    heldBy === null
      ? `Find whose key ${accessKeyId} was (CloudTrail: DeleteAccessKey), then deny that user's sessions: ${revokeSessionsStep('that user')}`
      : `The report names ${named}, but ${accessKeyId} was ${heldBy}'s: if so, deny ${heldBy}'s sessions: exposed-keys respond --key ${accessKeyId} --user ${shellWord(heldBy)}`;
  return {
    actions: [{ kind: 'revoke-sessions', target: heldBy ?? named, status: 'failed', detail: `not done: ${why}` }],
    humanSteps: [decide],
  };
}

/**
 * The owner IAM named at the claim, when it may tie a key gone since to the incident: the report
 * names no user, or names that one. One naming another user ties nothing: the first attempt would
 * have refused that key, so its going is no containment of ours.
 */
function ownerAtClaimOf(deps: ContainDeps, incident: Incident): string | null {
  const { ownerAtClaim } = deps;
  if (ownerAtClaim === undefined) return null;
  const named = incident.userName;
  return named === null || named.toLowerCase() === ownerAtClaim.toLowerCase() ? ownerAtClaim : null;
}

/** The outcome when IAM does not know the key: contained before, if something shows it; else not found. */
async function unknownKey(deps: ContainDeps, incident: Incident, opts: Required<ContainOptions>, now: Date) {
  const claimed = ownerAtClaimOf(deps, incident);
  const found = await removalEvidence(
    { iam: deps.iam, cloudTrail: deps.cloudTrail, now },
    incident.accessKeyId,
    incident.userName ?? claimed,
  );
  // IAM knew the key when the report was received, and knows it no more: it is gone, whoever
  // deleted it (this response's first attempt, its answer lost, or someone since).
  const evidence =
    found.shown || claimed === null
      ? found
      : {
          ...found,
          shown: `IAM named ${claimed} as its holder when this report was received, and no longer knows it`,
          heldBy: claimed,
        };
  if (evidence.shown) {
    const warnings = [...evidence.warnings];
    const { heldBy = null, unusableSince } = evidence;
    const sessions = await goneKeySessions(
      deps,
      incident,
      opts,
      { heldBy, ...(unusableSince ? { unusableSince } : {}), now },
      warnings,
    );
    return result(incident, opts, {
      outcome: 'already-contained',
      // A report that names no user: the one the evidence ties the key to.
      userName: incident.userName ?? heldBy,
      summary: `${incident.accessKeyId} no longer exists in IAM: ${evidence.shown}${sessions.actions.length ? `; ${sessionsDeniedNow(sessions.actions)}` : ''}`,
      warnings,
      actions: sessions.actions,
      humanSteps: sessions.humanSteps,
    });
  }
  // IAM lists no root key: when the event says the key is the root user's, the root user must act.
  if (incident.userName !== null && isRootUserName(incident.userName))
    return result(incident, opts, {
      outcome: 'manual-action-required',
      userName: incident.userName,
      summary: `IAM does not know ${incident.accessKeyId}, and the event says it belongs to the root user: only the root user can delete it.`,
      humanSteps: rootKeySteps(incident.accessKeyId),
      warnings: evidence.warnings,
    });

  return result(incident, opts, {
    outcome: 'not-found',
    userName: incident.userName,
    summary: `IAM does not know ${incident.accessKeyId} in account ${deps.accountId ?? incident.accountId}, and nothing shows it was deleted here.`,
    humanSteps: notFoundSteps(incident.accessKeyId, deps.accountId ?? incident.accountId),
    warnings: evidence.warnings,
  });
}

/** The outcome when the owner rules out acting: the root user, or another user than the event named. */
function refusedOwner(incident: Incident, opts: Required<ContainOptions>, owner: KeyOwner): ContainmentResult | null {
  const { accessKeyId } = incident;
  if (owner.kind === 'root')
    return result(incident, opts, {
      outcome: 'manual-action-required',
      userName: owner.said,
      summary: `${accessKeyId} belongs to the root user; only the root user can delete it.`,
      humanSteps: rootKeySteps(accessKeyId),
    });
  // By hand (respond), the user was the responder's --user: there is no event to check it in.
  const byHand = incident.source === 'manual';
  if (owner.kind === 'user' && incident.userName !== null && !sameUser(incident.userName, owner))
    return result(incident, opts, {
      outcome: 'owner-mismatch',
      userName: owner.userName,
      summary: `${byHand ? '--user' : 'The event'} names ${incident.userName} but ${accessKeyId} belongs to ${owner.userName}; nothing was changed.`,
      humanSteps: ownerMismatchSteps(accessKeyId, incident.userName, owner.userName, byHand),
    });
  return null;
}

/**
 * Contains the incident's access key: checks who owns it, then deletes or deactivates it, revokes
 * the sessions minted from it and records what was done on the user, as the options say. Never
 * touches a key whose owner differs from the event's user, a key of another account, nor root or
 * temporary keys; those come back as outcomes with the steps a human must take. A key IAM no
 * longer knows is `already-contained` only when something shows it was contained, else `not-found`.
 * The result does not depend on retries: a delete whose answer was lost and is retried still reports
 * the key deleted, and its sessions revoked.
 *
 * @throws ContainmentError when IAM fails before the key is contained.
 */
export async function containKey(
  deps: ContainDeps,
  incident: Incident,
  options: ContainOptions = {},
): Promise<ContainmentResult> {
  const opts: Required<ContainOptions> = {
    mode: options.mode ?? 'delete',
    dryRun: options.dryRun ?? false,
    revokeSessions: options.revokeSessions ?? true,
    deleteAfterDays: options.deleteAfterDays ?? DEFAULT_DELETE_AFTER_DAYS,
    verifyAfterMinutes: options.verifyAfterMinutes ?? DEFAULT_VERIFY_AFTER_MINUTES,
    checkSchedules: options.checkSchedules ?? false,
    notLookedUp: options.notLookedUp ?? '',
  };
  const { accessKeyId } = incident;
  const now = (deps.now ?? (() => new Date()))();
  const unreachable = beyondReach(deps, incident, opts);
  if (unreachable) return unreachable;

  const owner = await resolveOwner(deps.iam, accessKeyId, incident.userName);
  if (owner.kind === 'unknown') return unknownKey(deps, incident, opts, now);
  const refused = refusedOwner(incident, opts, owner);
  if (refused || owner.kind !== 'user') return refused as ContainmentResult;
  const { userName } = owner;

  const warnings: string[] = [];
  const quarantine = await quarantinePolicies(deps.iam, userName, warnings);
  const common = { userName, quarantinePolicies: quarantine, warnings };

  if (opts.mode === 'notify-only')
    return result(incident, opts, {
      ...common,
      outcome: 'notify-only',
      summary: `Mode notify-only: ${accessKeyId} of ${userName} was left ACTIVE.`,
      humanSteps: manualContainSteps(accessKeyId, userName),
    });

  const keyAction: ContainmentAction['kind'] = opts.mode === 'delete' ? 'delete-access-key' : 'deactivate-access-key';
  const followUps = (dryRun: boolean, gone = false, unrecorded: string | null = null) =>
    scheduleFollowUps(deps.schedules, {
      accessKeyId,
      userName,
      accountId: followUpAccount(deps, incident),
      now,
      deleteAfterDays: opts.mode === 'deactivate-then-delete' && !gone ? opts.deleteAfterDays : null,
      verifyAfterMinutes: opts.verifyAfterMinutes,
      dryRun,
      checkSchedules: opts.checkSchedules,
      notLookedUp: opts.notLookedUp,
      unrecorded,
    });
  // The deletion's time, when one is to be scheduled: the record names it before it is.
  const deletionAt = (gone = false) =>
    opts.mode === 'deactivate-then-delete' && !gone && deps.schedules
      ? deletionDue(now, opts.deleteAfterDays).toISOString()
      : null;
  if (opts.dryRun) {
    // A key already inactive is not deactivated again: the plan says so, as the run would find it.
    const inactive =
      opts.mode !== 'delete' && (await listedStatusOrNull(deps.iam, userName, accessKeyId)) === 'Inactive';
    // The run does only what is left of a containment exposed-keys' record shows: so does the plan.
    const earlier = inactive ? await earlierContainment(deps.iam, userName, accessKeyId, warnings) : null;
    const actions: ContainmentAction[] = inactive
      ? []
      : [
          {
            kind: keyAction,
            target: accessKeyId,
            status: 'planned',
            detail: `${opts.mode} ${accessKeyId} of ${userName}`,
          },
        ];
    if (opts.revokeSessions)
      actions.push({
        kind: 'revoke-sessions',
        target: userName,
        status: 'planned',
        detail: `deny ${userName}'s sessions issued before the time of containment${inactive ? ', unless IAM shows them denied' : ''} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`,
      });
    // After an earlier containment, the run records again only a deletion it schedules now.
    const unscheduled = earlier === null || deletionUnscheduled(opts.mode, earlier);
    if (earlier === null)
      actions.push(
        plannedRecord(
          userName,
          accessKeyId,
          inactive ? 'found inactive' : opts.mode === 'delete' ? 'deleted' : 'deactivated',
        ),
      );
    else if (unscheduled && deletionAt()) actions.push(plannedRecord(userName, accessKeyId, 'deactivated'));
    if (unscheduled) actions.push(...(await followUps(true)).actions);
    else if (earlier !== null) {
      // The run schedules again a deletion the record names that no schedule holds: so does the plan.
      const recorded = recordedDeletion(deps, incident, userName, earlier, now);
      const planned = recorded && (await planLostDeletion(deps.schedules, recorded, opts.checkSchedules === true));
      if (planned) actions.push(planned);
    }
    return result(incident, opts, {
      ...common,
      outcome: 'planned',
      summary: inactive
        ? `Dry run: ${accessKeyId} of ${userName} is already inactive, and stays so; ${earlier === null ? 'nothing shows exposed-keys contained it, so the rest of its containment would be done' : `exposed-keys contained it earlier (${earlier || 'no detail'}), so only what is left of it would be done`}; nothing was changed.`
        : `Dry run: would ${opts.mode} ${accessKeyId} of ${userName}; nothing was changed.`,
      actions,
    });
  }

  const disabled = await disableKey(deps.iam, accessKeyId, userName, opts.mode === 'delete' ? 'delete' : 'deactivate');
  /*
   * An inactive key was contained by exposed-keys before only when its record is on the user: then
   * nothing more is done (its sessions were denied then). Otherwise someone deactivated it by hand
   * (the console, say), which leaves the sessions it minted working: the rest of containment is
   * done all the same (sessions denied, deletion and verification scheduled, containment recorded).
   */
  const foundInactive = disabled === 'already';
  if (foundInactive) {
    const earlier = await earlierContainment(deps.iam, userName, accessKeyId, warnings);
    if (earlier !== null) {
      const sessions = opts.revokeSessions
        ? await denySessionsIfNot(deps.iam, { userName, accessKeyId, lastUsed: owner.lastUsed }, now, warnings)
        : { actions: [], humanSteps: [] };
      // Its deletion was to be scheduled, and the record names none (scheduling failed then): scheduled now.
      const unscheduled = deletionUnscheduled(opts.mode, earlier);
      const due = deletionAt();
      const scheduled = unscheduled
        ? await recordThenSchedule(
            deps.iam,
            { userName, accessKeyId },
            {
              first: due && containmentRecord('deactivated', new Date(recordTime(earlier) ?? now), due),
              withoutDeletion: earlier,
            },
            due,
            (unrecorded) => followUps(false, false, unrecorded),
            warnings,
          )
        : null;
      // The containment that left a record naming the deletion may have died before scheduling it.
      const lost = unscheduled ? null : await recordedDeletionScheduled(deps, incident, userName, earlier, now);
      const followUp = scheduled ?? lost;
      return result(incident, opts, {
        ...common,
        outcome: 'already-contained',
        summary: `${accessKeyId} of ${userName} was already inactive: exposed-keys contained it earlier (${earlier || 'no detail'})${sessions.actions.length ? `; ${completedBy(sessions.actions)}` : ''}${scheduled?.deleteAt ? `; its deletion, not scheduled then, is now, at ${scheduled.deleteAt}, unless released` : ''}${lost ? `; ${lost.said}` : ''}.`,
        actions: [...sessions.actions, ...(followUp?.actions ?? [])],
        humanSteps: [...sessions.humanSteps, ...(followUp?.humanSteps ?? [])],
        ...(followUp ? { deleteAt: followUp.deleteAt, verifyAt: followUp.verifyAt } : {}),
      });
    }
  }
  const done = opts.mode === 'delete' || disabled === 'gone' ? 'deleted' : 'deactivated';
  const actions: ContainmentAction[] = foundInactive
    ? []
    : [
        {
          kind: keyAction,
          target: accessKeyId,
          status: 'done',
          detail:
            disabled === 'gone'
              ? `${accessKeyId} of ${userName} is gone: IAM no longer had it when asked to ${opts.mode} it (an earlier attempt, or someone else)`
              : `${done} ${accessKeyId} of ${userName}`,
        },
      ];
  const humanSteps: string[] = [];
  if (opts.revokeSessions) {
    // The cutoff is taken once the key is unusable: a session minted while IAM was being asked is denied too.
    const revoked = await revokeSessions(deps.iam, userName, (deps.now ?? (() => new Date()))());
    actions.push({
      kind: 'revoke-sessions',
      target: userName,
      status: revoked.done ? 'done' : 'failed',
      detail: revoked.detail,
    });
    if (!revoked.done) {
      warnings.push(`Sessions minted from ${accessKeyId} are still valid (up to 36 hours): ${revoked.detail}`);
      humanSteps.push(revokeSessionsStep(userName));
    }
  }
  const what = foundInactive ? 'found inactive' : done;
  const due = deletionAt(disabled === 'gone');
  const scheduled = await recordThenSchedule(
    deps.iam,
    { userName, accessKeyId },
    { first: containmentRecord(what, now, due), withoutDeletion: containmentRecord(what, now) },
    due,
    (unrecorded) => followUps(false, disabled === 'gone', unrecorded),
    warnings,
  );
  actions.push(...scheduled.actions);
  humanSteps.push(...scheduled.humanSteps);
  if (foundInactive)
    return result(incident, opts, {
      ...common,
      outcome: 'already-contained',
      summary: `${accessKeyId} of ${userName} was already inactive, not by exposed-keys; ${completedBy(actions)}${scheduled.deleteAt ? `; it will be deleted at ${scheduled.deleteAt} unless released` : ''}.`,
      actions,
      humanSteps,
      deleteAt: scheduled.deleteAt,
      verifyAt: scheduled.verifyAt,
    });
  return result(incident, opts, {
    ...common,
    outcome: done,
    summary: `${done === 'deleted' ? 'Deleted' : 'Deactivated'} ${accessKeyId} of ${userName}${scheduled.deleteAt ? `; it will be deleted at ${scheduled.deleteAt} unless released` : ''}.`,
    actions,
    humanSteps,
    containedAt: now.toISOString(),
    deleteAt: scheduled.deleteAt,
    verifyAt: scheduled.verifyAt,
  });
}

/** The account a follow-up of the key names: this one, or the incident's when it is an account id. */
function followUpAccount(deps: ContainDeps, incident: Incident): string | null {
  return deps.accountId ?? (/^\d{12}$/.test(incident.accountId) ? incident.accountId : null);
}

/**
 * The deletion an earlier containment's record names (`earlier`), whose schedule the run looks up
 * (that containment may have died between leaving the record and scheduling it); null when the
 * record names none (or a release), or the stack's schedules are not given.
 */
function recordedDeletion(
  deps: ContainDeps,
  incident: Incident,
  userName: string,
  earlier: string,
  now: Date,
): RecordedDeletion | null {
  const due = isReleaseRecord(earlier) ? null : deletionDueIn(earlier);
  // A time no containment of exposed-keys wrote (the tag is anyone's to write) schedules nothing.
  if (due === null || Number.isNaN(Date.parse(due)) || !deps.schedules) return null;
  return {
    accessKeyId: incident.accessKeyId,
    userName,
    accountId: followUpAccount(deps, incident),
    containedAt: new Date(recordTime(earlier) ?? now).toISOString(),
    deleteAt: new Date(due).toISOString(),
    now,
  };
}

/** The recorded deletion (see {@link recordedDeletion}) scheduled again when no schedule holds it; null when one does. */
async function recordedDeletionScheduled(
  deps: ContainDeps,
  incident: Incident,
  userName: string,
  earlier: string,
  now: Date,
): Promise<LostDeletion | null> {
  const recorded = recordedDeletion(deps, incident, userName, earlier, now);
  return recorded && deps.schedules ? scheduleLostDeletion(deps.schedules, recorded) : null;
}

/** What {@link recordThenSchedule} did: the follow-ups scheduled, after the record left on the user, if any. */
type RecordedThenScheduled = Omit<FollowUpsScheduled, 'actions'> & { actions: ContainmentAction[] };

/**
 * Leaves the record of a containment on the user (`first`, when there is one), then schedules its
 * follow-ups. A scheduled deletion deletes only a key whose record names it, so the deletion due
 * at `deleteAt` is scheduled only once its record is there: one whose record could not be left is
 * a failed action, with the command to delete the key by hand. A record naming a deletion that
 * could not be scheduled is written again without it (`withoutDeletion`), so that a later
 * containment of the key schedules it. A schedule of the same name left by an earlier attempt is
 * moved to the time the record names, or, when no record could be left, acts only if the record
 * it finds names it.
 */
async function recordThenSchedule(
  iam: IamClient,
  key: { userName: string; accessKeyId: string },
  record: { first: string | null; withoutDeletion: string },
  deleteAt: string | null,
  schedule: (unrecorded: string | null) => Promise<FollowUpsScheduled>,
  warnings: string[],
): Promise<RecordedThenScheduled> {
  const { userName, accessKeyId } = key;
  const recordFailure =
    record.first === null ? null : await recordContainment(iam, userName, accessKeyId, record.first);
  if (recordFailure) warnings.push(recordFailure);
  const scheduled = await schedule(deleteAt ? recordFailure : null);
  warnings.push(...scheduled.warnings);
  let left = recordFailure ? null : record.first;
  if (deleteAt && !recordFailure && scheduled.deleteAt === null) {
    const rewritten = await recordContainment(iam, userName, accessKeyId, record.withoutDeletion);
    if (rewritten)
      warnings.push(
        `${rewritten}; it names a deletion at ${deleteAt}, which was not scheduled, so a later containment will not schedule it`,
      );
    else left = record.withoutDeletion;
  }
  const recorded: ContainmentAction[] =
    left === null
      ? []
      : [
          {
            kind: 'record-containment',
            target: userName,
            status: 'done',
            detail: `recorded "${left}" on ${userName} (tag ${containedTag(accessKeyId)})`,
          },
        ];
  return { ...scheduled, actions: [...recorded, ...scheduled.actions] };
}

/** The record a plan says the run will leave on the user: what it records, as the run will (its time is the run's). */
function plannedRecord(userName: string, accessKeyId: string, what: string): ContainmentAction {
  return {
    kind: 'record-containment',
    target: userName,
    status: 'planned',
    detail: `record "${what}" on ${userName}, with the time of containment (tag ${containedTag(accessKeyId)})`,
  };
}

/**
 * What exposed-keys recorded on the user when it contained the key before (`''` for a record
 * without detail), or null when there is none, or the record says it was reactivated since. A record that cannot be read counts as none, with
 * a warning: containing again is safer than trusting a key someone else deactivated.
 */
async function earlierContainment(
  iam: IamClient,
  userName: string,
  accessKeyId: string,
  warnings: string[],
): Promise<string | null> {
  try {
    const record = await containedRecord(iam, userName, accessKeyId);
    return record === null || usableSince(record) ? null : record;
  } catch (error) {
    warnings.push(
      `Could not read the tags of ${userName}, where exposed-keys records a containment: ${describeError(toAwsCallError('iam:ListUserTags', error))}`,
    );
    return null;
  }
}

/** Whether the sessions of a key gone from IAM were denied now, in a few words. */
function sessionsDeniedNow(actions: readonly ContainmentAction[]): string {
  const revoked = actions.find((action) => action.kind === 'revoke-sessions');
  if (revoked?.status === 'done') return `the sessions of ${revoked.target} minted before now are denied`;
  if (revoked?.status === 'planned') return `the sessions of ${revoked.target} minted before now would be denied`;
  return revoked?.detail.startsWith('not done')
    ? `the sessions were NOT denied: ${revoked.detail.slice('not done: '.length)}`
    : 'the sessions minted before now could not be denied';
}

/** What completing the containment of a key found inactive did, in a few words. */
function completedBy(actions: readonly ContainmentAction[]): string {
  const revoked = actions.find((action) => action.kind === 'revoke-sessions');
  if (!revoked) return 'it was left inactive';
  return revoked.status === 'done'
    ? 'it was left inactive and the sessions minted before now are denied'
    : 'it was left inactive, but the sessions minted before now could not be denied';
}
