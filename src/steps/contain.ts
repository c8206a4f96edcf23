import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { IamClient } from '../aws/narrow-clients.js';
import { ContainmentError, describeError } from '../errors.js';
import { isTemporaryKey } from '../incident/access-key-id.js';
import type { Incident } from '../incident/incident.js';
import { isRootUserName } from '../incident/user-name.js';
import {
  manualContainSteps,
  ownerMismatchSteps,
  revokeSessionsStep,
  rootKeySteps,
  temporaryKeySteps,
} from './human-steps.js';

/** How to contain a key: delete it (the default), deactivate it, or only report it. */
export type ContainmentMode = 'delete' | 'deactivate' | 'notify-only';

/** All containment modes, for validation of options and parameters. */
export const CONTAINMENT_MODES: readonly ContainmentMode[] = ['delete', 'deactivate', 'notify-only'];

/**
 * What containment ended with:
 * - `deleted`, `deactivated`: this run made the key unusable;
 * - `already-contained`: the key was already gone (or inactive in `deactivate` mode);
 * - `notify-only`: the mode says to leave the key alone;
 * - `manual-action-required`: a root or temporary key, which no role can contain;
 * - `owner-mismatch`: IAM says the key belongs to someone other than the event's user; nothing touched;
 * - `planned`: a dry run that would contain the key.
 */
export type ContainmentOutcome =
  | 'deleted'
  | 'deactivated'
  | 'already-contained'
  | 'notify-only'
  | 'manual-action-required'
  | 'owner-mismatch'
  | 'planned';

/** One change containment made, would make (dry run), or tried to make. */
export interface ContainmentAction {
  kind: 'delete-access-key' | 'deactivate-access-key' | 'revoke-sessions';
  /** The key id, or the user for `revoke-sessions`. */
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
}

/** Options of {@link containKey}. */
export interface ContainOptions {
  /** Default `delete`. */
  mode?: ContainmentMode;
  /** Read, plan and return the plan; call no mutating API. */
  dryRun?: boolean;
  /** Deny the owner's sessions issued before now (default true). */
  revokeSessions?: boolean;
}

/** What {@link containKey} needs. */
export interface ContainDeps {
  iam: IamClient;
  /** The clock, for the session revocation cut-off. */
  now?: () => Date;
}

/** The name of the inline policy that revokes the owner's earlier sessions. */
export const REVOKE_SESSIONS_POLICY_NAME = 'exposed-keys-revoke-sessions';
/** AWS attaches managed policies with this prefix to users whose key it found exposed. */
export const QUARANTINE_POLICY_PREFIX = 'AWSCompromisedKeyQuarantine';

/** The inline policy that denies every request made with temporary credentials issued before `cutoff`. */
export function revokeSessionsPolicy(cutoff: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ExposedKeysRevokeOlderSessions',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } },
      },
    ],
  });
}

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

/** Resolves who owns the key; `null` means IAM does not know the key (it was deleted). */
async function resolveOwner(iam: IamClient, incident: Incident): Promise<string | null> {
  try {
    const answer = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: incident.accessKeyId }));
    return answer.UserName ?? null;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return null;
    throw new ContainmentError(
      incident.accessKeyId,
      `Could not find the owner of ${incident.accessKeyId}, so nothing was changed: ${describeError(toAwsCallError('iam:GetAccessKeyLastUsed', error))}`,
      { cause: error, hint: manualContainSteps(incident.accessKeyId, incident.userName)[0] },
    );
  }
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

/** The key's status as IAM lists it for its owner, or null when the owner has no such key. */
async function keyStatus(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker }));
    const key = page.AccessKeyMetadata?.find((metadata) => metadata.AccessKeyId === accessKeyId);
    if (key) return key.Status ?? 'Active';
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return null;
}

function containmentFailure(incident: Incident, userName: string, operation: string, error: unknown): never {
  throw new ContainmentError(
    incident.accessKeyId,
    `Could not contain ${incident.accessKeyId} of ${userName}; the key is still active: ${describeError(toAwsCallError(operation, error))}`,
    { cause: error, hint: manualContainSteps(incident.accessKeyId, userName)[0] },
  );
}

/** Makes the key unusable; returns false when IAM no longer knows it. */
async function disableKey(
  iam: IamClient,
  incident: Incident,
  userName: string,
  mode: 'delete' | 'deactivate',
): Promise<boolean> {
  const { accessKeyId } = incident;
  try {
    if (mode === 'delete') {
      // UserName is always passed: without it IAM would act on the caller's own keys.
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
      return true;
    }
    const status = await keyStatus(iam, userName, accessKeyId);
    if (status === null || status === 'Inactive') return false;
    await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return false;
    return containmentFailure(
      incident,
      userName,
      mode === 'delete' ? 'iam:DeleteAccessKey' : 'iam:UpdateAccessKey',
      error,
    );
  }
}

async function revokeSessions(iam: IamClient, userName: string, cutoff: Date): Promise<ContainmentAction> {
  const detail = `denied sessions issued before ${cutoff.toISOString()} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`;
  try {
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: REVOKE_SESSIONS_POLICY_NAME,
        PolicyDocument: revokeSessionsPolicy(cutoff),
      }),
    );
    return { kind: 'revoke-sessions', target: userName, status: 'done', detail };
  } catch (error) {
    return {
      kind: 'revoke-sessions',
      target: userName,
      status: 'failed',
      detail: `could not revoke sessions: ${describeError(toAwsCallError('iam:PutUserPolicy', error))}`,
    };
  }
}

/**
 * Contains the incident's access key: checks who owns it, then deletes or deactivates it and
 * revokes the sessions minted from it, as the options say. Never touches a key whose owner differs
 * from the event's user, nor root or temporary keys; those come back as outcomes with the steps a
 * human must take. A repeated incident comes back `already-contained`.
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
  };
  const { accessKeyId } = incident;

  if (isTemporaryKey(accessKeyId))
    return result(incident, opts, {
      outcome: 'manual-action-required',
      userName: incident.userName,
      summary: `${accessKeyId} is a temporary key; IAM cannot delete or deactivate it.`,
      humanSteps: temporaryKeySteps(accessKeyId),
    });
  if (incident.userName !== null && isRootUserName(incident.userName))
    return result(incident, opts, {
      outcome: 'manual-action-required',
      userName: incident.userName,
      summary: `${accessKeyId} belongs to the root user; only the root user can delete it.`,
      humanSteps: rootKeySteps(accessKeyId),
    });

  const owner = await resolveOwner(deps.iam, incident);
  if (owner === null)
    return result(incident, opts, {
      outcome: 'already-contained',
      userName: incident.userName,
      summary: `${accessKeyId} no longer exists in IAM: it was already deleted.`,
    });
  if (isRootUserName(owner))
    return result(incident, opts, {
      outcome: 'manual-action-required',
      userName: owner,
      summary: `${accessKeyId} belongs to the root user; only the root user can delete it.`,
      humanSteps: rootKeySteps(accessKeyId),
    });
  if (incident.userName !== null && incident.userName !== owner)
    return result(incident, opts, {
      outcome: 'owner-mismatch',
      userName: owner,
      summary: `The event names ${incident.userName} but ${accessKeyId} belongs to ${owner}; nothing was changed.`,
      humanSteps: ownerMismatchSteps(accessKeyId, incident.userName, owner),
    });

  const warnings: string[] = [];
  const quarantine = await quarantinePolicies(deps.iam, owner, warnings);
  const common = { userName: owner, quarantinePolicies: quarantine, warnings };

  if (opts.mode === 'notify-only')
    return result(incident, opts, {
      ...common,
      outcome: 'notify-only',
      summary: `Mode notify-only: ${accessKeyId} of ${owner} was left ACTIVE.`,
      humanSteps: manualContainSteps(accessKeyId, owner),
    });

  const keyAction: ContainmentAction['kind'] = opts.mode === 'delete' ? 'delete-access-key' : 'deactivate-access-key';
  const cutoff = (deps.now ?? (() => new Date()))();
  if (opts.dryRun) {
    const actions: ContainmentAction[] = [
      {
        kind: keyAction,
        target: accessKeyId,
        status: 'planned',
        detail: `${opts.mode} ${accessKeyId} of ${owner}`,
      },
    ];
    if (opts.revokeSessions)
      actions.push({
        kind: 'revoke-sessions',
        target: owner,
        status: 'planned',
        detail: `deny ${owner}'s sessions issued before the time of containment (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`,
      });
    return result(incident, opts, {
      ...common,
      outcome: 'planned',
      summary: `Dry run: would ${opts.mode} ${accessKeyId} of ${owner}; nothing was changed.`,
      actions,
    });
  }

  const changed = await disableKey(deps.iam, incident, owner, opts.mode);
  if (!changed)
    return result(incident, opts, {
      ...common,
      outcome: 'already-contained',
      summary:
        opts.mode === 'delete'
          ? `${accessKeyId} of ${owner} was already deleted.`
          : `${accessKeyId} of ${owner} was already inactive or deleted.`,
    });

  const actions: ContainmentAction[] = [
    {
      kind: keyAction,
      target: accessKeyId,
      status: 'done',
      detail: `${opts.mode === 'delete' ? 'deleted' : 'deactivated'} ${accessKeyId} of ${owner}`,
    },
  ];
  const humanSteps: string[] = [];
  if (opts.revokeSessions) {
    const revoke = await revokeSessions(deps.iam, owner, cutoff);
    actions.push(revoke);
    if (revoke.status === 'failed') {
      warnings.push(`Sessions minted from ${accessKeyId} are still valid (up to 36 hours): ${revoke.detail}`);
      humanSteps.push(revokeSessionsStep(owner));
    }
  }
  return result(incident, opts, {
    ...common,
    outcome: opts.mode === 'delete' ? 'deleted' : 'deactivated',
    summary: `${opts.mode === 'delete' ? 'Deleted' : 'Deactivated'} ${accessKeyId} of ${owner}.`,
    actions,
    humanSteps,
  });
}
