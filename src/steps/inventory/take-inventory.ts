import {
  GetLoginProfileCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import type { ActivitySummary } from '../../activity/activity-summary.js';
import { awsErrorCode, isAwsError } from '../../aws/aws-errors.js';
import { isRegionName } from '../../aws/aws-names.js';
import type { Ec2Api, IamClient, LambdaApi, OrganizationsApi } from '../../aws/narrow-clients.js';
import { nextMarker, pages } from '../../aws/paging.js';
import { forEachConcurrently } from '../../common/bounded-concurrency.js';
import { shellCommand } from '../../common/shell-words.js';
import { describeError } from '../../errors.js';
import { hasKeyIdShape } from '../../incident/access-key-id.js';
import { REVOKE_SESSIONS_POLICY_NAME } from '../containment/revoke-sessions-policy.js';
import { inventoryBasis } from './basis.js';
import {
  checkDefaultPolicyVersion,
  checkGroupMembership,
  checkIdentityProvider,
  checkManagedPolicy,
  checkMfaDevice,
  checkPolicyVersion,
  serviceCredentialItems,
  sshPublicKeyItems,
} from './iam-checks.js';
import {
  accessFirst,
  GONE,
  type Inventory,
  type Leftover,
  type LeftoverCheck,
  MAX_INVENTORY_ITEMS,
} from './inventory-types.js';
import { type Candidate, leftoversIn } from './leftovers.js';
import { foreignPrincipals, type TrustedAccounts, trustedAccounts } from './trust.js';

/** What an inventory reads: IAM, EC2 and Lambda of each region, and Organizations if it answers. Read only. */
export interface InventoryDeps {
  iam: IamClient;
  ec2: (region: string) => Ec2Api | Promise<Ec2Api>;
  lambda: (region: string) => LambdaApi | Promise<LambdaApi>;
  organizations?: OrganizationsApi;
  /** The account checked, for trust "outside this account". */
  accountId: string | null;
}

/** Checks run this many at a time: IAM's limits are per account, and the list is short. */
const CONCURRENCY = 4;

/** Errors that say the thing checked no longer exists (or never did, in this account). */
const GONE_ERRORS = [
  'NoSuchEntity',
  'ResourceNotFoundException',
  'InvalidInstanceID.NotFound',
  'InvalidSpotInstanceRequestID.NotFound',
  'InvalidSpotFleetRequestId.NotFound',
  'InvalidFleetId.NotFound',
  'InvalidKeyPair.NotFound',
];

/** A principal `user/alice` as the IAM CLI names it: its type and its name. */
function principal(owner: string | null): { type: 'user' | 'role' | 'group'; name: string } {
  const [type, ...rest] = (owner ?? 'user/').split('/');
  return { type: (type as 'user' | 'role' | 'group') ?? 'user', name: rest.join('/') };
}

async function attachedPolicies(iam: IamClient, owner: string | null): Promise<string[]> {
  const { type, name } = principal(owner);
  const list = (marker?: string) => {
    const input = { Marker: marker };
    if (type === 'role') return iam.send(new ListAttachedRolePoliciesCommand({ ...input, RoleName: name }));
    if (type === 'group') return iam.send(new ListAttachedGroupPoliciesCommand({ ...input, GroupName: name }));
    return iam.send(new ListAttachedUserPoliciesCommand({ ...input, UserName: name }));
  };
  return pages(async (marker) => {
    const page = await list(marker);
    return { items: (page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? ''), next: nextMarker(page) };
  });
}

async function inlinePolicies(iam: IamClient, owner: string | null, keyOwner: string | null): Promise<string[]> {
  const { type, name } = principal(owner);
  const list = (marker?: string) => {
    if (type === 'role') return iam.send(new ListRolePoliciesCommand({ RoleName: name, Marker: marker }));
    if (type === 'group') return iam.send(new ListGroupPoliciesCommand({ GroupName: name, Marker: marker }));
    return iam.send(new ListUserPoliciesCommand({ UserName: name, Marker: marker }));
  };
  const names = await pages(async (marker) => {
    const page = await list(marker);
    return { items: page.PolicyNames ?? [], next: nextMarker(page) };
  });
  // The policy exposed-keys puts on the key's user (session revocation) is not the attacker's; by
  // that name on any other principal, it is not exposed-keys' and may be the attacker's, hidden.
  const revokes = type === 'user' && keyOwner !== null && name === keyOwner;
  return revokes ? names.filter((policy) => policy !== REVOKE_SESSIONS_POLICY_NAME) : names;
}

function exists(command: string, note: string | null = null): LeftoverCheck {
  return { state: 'exists', note, command };
}

async function checkRole(deps: InventoryDeps, candidate: Candidate, trusted: TrustedAccounts): Promise<LeftoverCheck> {
  const role = await deps.iam.send(new GetRoleCommand({ RoleName: candidate.name }));
  const foreign = foreignPrincipals(role.Role?.AssumeRolePolicyDocument, trusted);
  const outside = trusted.scope === 'organization' ? 'outside the organisation' : 'outside this account';
  const note =
    foreign === null
      ? 'its trust policy could not be read: check whom it trusts'
      : foreign.length > 0
        ? `trusts ${foreign.join(', ')}, ${outside}`
        : null;
  const command =
    candidate.kind === 'role'
      ? shellCommand`aws iam delete-role --role-name ${candidate.name}`
      : shellCommand`aws iam update-assume-role-policy --role-name ${candidate.name} --policy-document file://trust-policy-before.json`;
  // A trust policy that cannot be read is never taken for one that trusts no one outside, nor
  // said to trust outside: its check failed.
  if (foreign === null) return { ...exists(command, note), foreignTrust: false, checkFailed: true };
  return { ...exists(command, note), foreignTrust: foreign.length > 0 };
}

/** Checks one candidate now; the state `gone` when AWS no longer has it. */
async function check(deps: InventoryDeps, candidate: Candidate, trusted: TrustedAccounts): Promise<LeftoverCheck> {
  const { name, owner, region } = candidate;
  const { type, name: ownerName } = principal(owner);
  switch (candidate.kind) {
    case 'user':
      await deps.iam.send(new GetUserCommand({ UserName: name }));
      return exists(
        shellCommand`aws iam delete-user --user-name ${name}`,
        'remove its keys, login profile, policies and groups first',
      );
    case 'access-key': {
      // Without a user, IAM would list the caller's own keys: the owner must be known.
      if (!owner) return { state: 'unknown', note: 'its user is not known', command: '' };
      // An id IAM never gives (a crafted or damaged record: not IAM's own shape of a key id) matches
      // no key: it proves nothing removed. The user's keys are for a person to read.
      if (!hasKeyIdShape(name))
        return {
          state: 'unknown',
          note: "the record's key id is not one IAM gives: list the user's keys",
          command: shellCommand`aws iam list-access-keys --user-name ${owner}`,
        };
      const keys = await deps.iam.send(new ListAccessKeysCommand({ UserName: owner }));
      const key = keys.AccessKeyMetadata?.find((metadata) => metadata.AccessKeyId === name);
      if (!key) return GONE;
      return exists(
        shellCommand`aws iam delete-access-key --user-name ${owner} --access-key-id ${name}`,
        `${key.Status ?? 'Active'}`,
      );
    }
    case 'login-profile':
      await deps.iam.send(new GetLoginProfileCommand({ UserName: name }));
      return exists(shellCommand`aws iam delete-login-profile --user-name ${name}`, 'a console password');
    case 'role':
    case 'role-trust':
      return checkRole(deps, candidate, trusted);
    case 'attached-policy':
      if (!(await attachedPolicies(deps.iam, owner)).includes(name)) return GONE;
      return exists(shellCommand`aws iam detach-${type}-policy --${type}-name ${ownerName} --policy-arn ${name}`);
    case 'instance': {
      const { instanceState } = await import('./compute-checks.js');
      const state = await instanceState(await deps.ec2(region ?? 'us-east-1'), name);
      if (!state) return GONE;
      return exists(shellCommand`aws ec2 terminate-instances --region ${region} --instance-ids ${name}`, state);
    }
    case 'function': {
      const { functionExists } = await import('./compute-checks.js');
      await functionExists(await deps.lambda(region ?? 'us-east-1'), name);
      return exists(shellCommand`aws lambda delete-function --region ${region} --function-name ${name}`);
    }
    case 'secret-read':
      return {
        state: 'to-rotate',
        note: 'read by the attacker',
        command: shellCommand`aws secretsmanager rotate-secret --region ${region} --secret-id ${name}`,
      };
    case 'parameter-read':
      return {
        state: 'to-rotate',
        note: 'read by the attacker',
        command: shellCommand`aws ssm put-parameter --region ${region} --name ${name} --overwrite --value <new value>`,
      };
    case 'bulk-read':
      return {
        state: 'to-rotate',
        note: `${name === 'BatchGetSecretValue' ? 'secrets' : 'parameters'} read in bulk: rotate every one these calls matched (each call's request holds its list, filters or path)`,
        command: lookupCalls(region, name),
      };
    case 'group-membership':
      return checkGroupMembership(deps.iam, candidate);
    case 'managed-policy':
      return checkManagedPolicy(deps.iam, candidate);
    case 'policy-version':
      return checkPolicyVersion(deps.iam, candidate);
    case 'default-policy-version':
      return checkDefaultPolicyVersion(deps.iam, candidate);
    case 'mfa-device':
      return checkMfaDevice(deps.iam, candidate);
    case 'identity-provider':
      return checkIdentityProvider(deps.iam, candidate);
    case 'spot-request':
    case 'spot-fleet':
    case 'fleet':
    case 'key-pair': {
      const where = region ?? 'us-east-1';
      const [checks, ec2] = await Promise.all([import('./compute-checks.js'), deps.ec2(where)]);
      const byKind = {
        'spot-request': checks.checkSpotRequest,
        'spot-fleet': checks.checkSpotFleet,
        fleet: checks.checkFleet,
        'key-pair': checks.checkKeyPair,
      };
      return byKind[candidate.kind](ec2, name, where);
    }
    case 'unchecked-call':
      return {
        state: 'unknown',
        note:
          region !== null && isRegionName(region)
            ? 'the record does not name what this call made: its records do'
            : 'the record does not name what this call made, nor a region: its records do, in the region the command is run for (add --region)',
        command: lookupCalls(region, name),
      };
    default:
      return { state: 'unknown', note: null, command: '' };
  }
}

/**
 * The command that lists a call's records in a region, when what they did is for a person to read;
 * a record's region that is no region's name (a crafted or damaged record) is left out, never put
 * in a command.
 */
function lookupCalls(region: string | null, eventName: string): string {
  if (region === null || !isRegionName(region))
    return shellCommand`aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=${eventName}`;
  return shellCommand`aws cloudtrail lookup-events --region ${region} --lookup-attributes AttributeKey=EventName,AttributeValue=${eventName}`;
}

/** The items of one candidate: most are one, checked; some list what their owner has now. */
async function itemsOf(
  deps: InventoryDeps,
  candidate: Candidate,
  trusted: TrustedAccounts,
  keyOwner: string | null,
): Promise<Leftover[]> {
  if (candidate.kind === 'inline-policy') return inlineItems(deps, candidate, keyOwner);
  if (candidate.kind === 'ssh-public-key') return sshPublicKeyItems(deps.iam, candidate);
  if (candidate.kind === 'service-credential') return serviceCredentialItems(deps.iam, candidate);
  return [{ ...candidate, ...(await check(deps, candidate, trusted)) }];
}

/** The inline policies the attacker put on a principal, as they stand: one item per policy. */
async function inlineItems(deps: InventoryDeps, candidate: Candidate, keyOwner: string | null): Promise<Leftover[]> {
  const { type, name } = principal(candidate.owner);
  const names = await inlinePolicies(deps.iam, candidate.owner, keyOwner);
  // None left: what the attacker put there is removed, and counted so, never dropped unsaid.
  if (names.length === 0) return [{ ...candidate, ...GONE }];
  return names.map((policy) =>
    // By exposed-keys' own name, it may revoke the sessions of an earlier incident's key: removing
    // it would undo that; no command is given for it.
    policy === REVOKE_SESSIONS_POLICY_NAME
      ? {
          ...candidate,
          name: policy,
          state: 'exists',
          note: `inline policy of ${type} ${name} by exposed-keys' name: it may revoke the sessions of an earlier incident's key, or be the attacker's under that name; read it (aws iam get-${type}-policy) before removing it`,
          command: '',
        }
      : {
          ...candidate,
          name: policy,
          state: 'exists',
          note: `inline policy of ${type} ${name} (the attacker put inline policies on it; check it is theirs)`,
          command: shellCommand`aws iam delete-${type}-policy --${type}-name ${name} --policy-name ${policy}`,
        },
  );
}

/**
 * What the attacker left, as it stands now: each user, key, login profile, role (and trust
 * change), policy granted, group membership, SSH key, service-specific credential, policy and
 * policy version made, MFA device, identity provider, instance, function, spot request, fleet and
 * key pair the activity shows made, checked against IAM, EC2 and Lambda, with the exact command
 * that removes it; and the secrets and parameters read, to rotate. Read only: it never deletes. A
 * check that fails, and a call whose record does not name what it made, leave their item
 * `unknown`, with why; what the search of the activity left out is in its `basis`.
 */
export async function takeInventory(
  deps: InventoryDeps,
  summaries: readonly ActivitySummary[],
  keyOwner: string | null,
): Promise<Inventory> {
  const candidates = leftoversIn(summaries, keyOwner);
  const trusted = await trustedAccounts(deps.organizations, deps.accountId);
  const items: Leftover[][] = candidates.map(() => []);
  await forEachConcurrently(candidates.entries(), CONCURRENCY, async ([index, candidate]) => {
    try {
      items[index] = await itemsOf(deps, candidate, trusted, keyOwner);
    } catch (error) {
      items[index] = isAwsError(error, ...GONE_ERRORS)
        ? [{ ...candidate, ...GONE }]
        : [
            {
              ...candidate,
              state: 'unknown',
              note: `could not check: ${awsErrorCode(error)}`,
              command: '',
              checkFailed: true,
            },
          ];
    }
  });
  const all = accessFirst(items.flat());
  return {
    items: all.slice(0, MAX_INVENTORY_ITEMS),
    trustedAccounts: trusted.scope,
    truncated: all.length > MAX_INVENTORY_ITEMS,
    basis: inventoryBasis(summaries),
  };
}

/** {@link takeInventory}, with a failure of the whole (never of one item) said in the inventory rather than thrown. */
export async function inventoryOrError(
  deps: InventoryDeps,
  summaries: readonly ActivitySummary[],
  keyOwner: string | null,
): Promise<Inventory> {
  try {
    return await takeInventory(deps, summaries, keyOwner);
  } catch (error) {
    return { items: [], trustedAccounts: 'this-account', truncated: false, error: describeError(error) };
  }
}
