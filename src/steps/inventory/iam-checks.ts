import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetSAMLProviderCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListPolicyVersionsCommand,
  ListServiceSpecificCredentialsCommand,
  ListSSHPublicKeysCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import type { IamClient } from '../../aws/narrow-clients.js';
import { nextMarker, pages } from '../../aws/paging.js';
import { shellCommand } from '../../common/shell-words.js';
import { GONE, type Leftover, type LeftoverCheck, UNNAMED } from './inventory-types.js';
import type { Candidate } from './leftovers.js';

/*
 * The checks of what the attacker left in IAM beyond users, keys, roles and grants: group
 * memberships, SSH keys and service-specific credentials, managed policies and their versions, MFA
 * devices and identity providers. Each only reads.
 */

const NO_USER: LeftoverCheck = { state: 'unknown', note: 'its user is not known', command: '' };

function exists(command: string, note: string | null = null): LeftoverCheck {
  return { state: 'exists', note, command };
}

/** The user in the group the attacker added it to, with what the group's managed policies grant. */
export async function checkGroupMembership(iam: IamClient, { name: group, owner: user }: Candidate) {
  if (!user) return NO_USER;
  const groups = await pages(async (marker) => {
    const page = await iam.send(new ListGroupsForUserCommand({ UserName: user, Marker: marker }));
    return { items: (page.Groups ?? []).map((each) => each.GroupName), next: nextMarker(page) };
  });
  // IAM names do not depend on case: the record has the group as the caller typed it, IAM as it was made.
  const named = groups.find((each) => each?.toLowerCase() === group.toLowerCase());
  if (named === undefined) return GONE;
  const attached = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: named }));
  const policies = (attached.AttachedPolicies ?? []).map((policy) => policy.PolicyName ?? '').filter(Boolean);
  return exists(
    shellCommand`aws iam remove-user-from-group --group-name ${named} --user-name ${user}`,
    policies.length > 0 ? `the group grants ${policies.join(', ')}` : null,
  );
}

/** A credential of a user, as its listing gives it. */
interface Credential {
  id: string;
  note: string;
}

/** Each credential the record names, or every one the user has when it names none ("check which is theirs"). */
function credentialItems(candidate: Candidate, credentials: Credential[], command: (id: string) => string): Leftover[] {
  if (candidate.name !== UNNAMED) {
    const found = credentials.find((credential) => credential.id === candidate.name);
    return [{ ...candidate, ...(found ? exists(command(found.id), found.note) : GONE) }];
  }
  if (credentials.length === 0) return [{ ...candidate, ...GONE }];
  return credentials.map((credential) => ({
    ...candidate,
    name: credential.id,
    ...exists(command(credential.id), `${credential.note}; the record names none: check it is the attacker's`),
  }));
}

/** The SSH public keys (for CodeCommit) the attacker uploaded for a user, as they stand. */
export async function sshPublicKeyItems(iam: IamClient, candidate: Candidate): Promise<Leftover[]> {
  const user = candidate.owner;
  if (!user) return [{ ...candidate, ...NO_USER }];
  const keys = await pages(async (marker) => {
    const page = await iam.send(new ListSSHPublicKeysCommand({ UserName: user, Marker: marker }));
    return {
      items: (page.SSHPublicKeys ?? []).map((key) => ({ id: key.SSHPublicKeyId ?? '', note: key.Status ?? 'Active' })),
      next: nextMarker(page),
    };
  });
  return credentialItems(
    candidate,
    keys,
    (id) => shellCommand`aws iam delete-ssh-public-key --user-name ${user} --ssh-public-key-id ${id}`,
  );
}

/** The service-specific credentials (CodeCommit, Keyspaces…) the attacker made for a user, as they stand. */
export async function serviceCredentialItems(iam: IamClient, candidate: Candidate): Promise<Leftover[]> {
  const user = candidate.owner;
  if (!user) return [{ ...candidate, ...NO_USER }];
  const listed = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: user }));
  const credentials = (listed.ServiceSpecificCredentials ?? []).map((credential) => ({
    id: credential.ServiceSpecificCredentialId ?? '',
    note: `${credential.Status ?? 'Active'}, for ${credential.ServiceName ?? 'a service'}`,
  }));
  return credentialItems(
    candidate,
    credentials,
    (id) =>
      shellCommand`aws iam delete-service-specific-credential --user-name ${user} --service-specific-credential-id ${id}`,
  );
}

/** A managed policy the attacker created, and how many principals it is attached to. */
export async function checkManagedPolicy(iam: IamClient, { name: arn }: Candidate): Promise<LeftoverCheck> {
  const { Policy: policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const attached = policy?.AttachmentCount ?? 0;
  return exists(
    shellCommand`aws iam delete-policy --policy-arn ${arn}`,
    attached > 0
      ? `attached to ${attached} user(s), group(s) or role(s): detach it, and delete its other versions, first`
      : 'delete its other versions first, if it has any',
  );
}

/** The newest version of a policy other than `version`, by when it was made: most likely the one before. */
async function newestOther(iam: IamClient, arn: string, version: string): Promise<string | undefined> {
  const versions = await pages(async (marker) => {
    const page = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, Marker: marker }));
    return { items: page.Versions ?? [], next: nextMarker(page) };
  });
  return versions
    .filter((each) => each.VersionId && each.VersionId !== version)
    .sort((a, b) => (b.CreateDate?.getTime() ?? 0) - (a.CreateDate?.getTime() ?? 0))[0]?.VersionId;
}

/** How to make the default a version other than the attacker's: the newest other one, or the policy as it was. */
function restoreDefault(arn: string, other: string | undefined): string {
  return other
    ? shellCommand`aws iam set-default-policy-version --policy-arn ${arn} --version-id ${other}`
    : shellCommand`aws iam create-policy-version --policy-arn ${arn} --policy-document file://policy-before.json --set-as-default`;
}

function restoredNote(other: string | undefined): string {
  return other
    ? `${other} is the newest other version: check it is the one to restore`
    : 'it has no other version: write the policy as it was';
}

/** A policy version the record does not name: the versions to compare. */
function unnamedVersion(arn: string): LeftoverCheck {
  return {
    state: 'unknown',
    note: "the record names no version: compare the policy's versions",
    command: shellCommand`aws iam list-policy-versions --policy-arn ${arn}`,
  };
}

/** A version the attacker added to a policy (`owner`): removed, after another is made the default if it is. */
export async function checkPolicyVersion(iam: IamClient, { name: version, owner }: Candidate): Promise<LeftoverCheck> {
  const arn = owner ?? '';
  if (version === UNNAMED) return unnamedVersion(arn);
  const found = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }));
  const remove = shellCommand`aws iam delete-policy-version --policy-arn ${arn} --version-id ${version}`;
  if (!found.PolicyVersion?.IsDefaultVersion) return exists(remove, 'not the default version');
  const other = await newestOther(iam, arn, version);
  return exists(
    `${restoreDefault(arn, other)} && ${remove}`,
    `the default version: what the policy grants now; ${restoredNote(other)}`,
  );
}

/** A version the attacker made a policy's default (`owner`): while it still is, the default to restore. */
export async function checkDefaultPolicyVersion(
  iam: IamClient,
  { name: version, owner }: Candidate,
): Promise<LeftoverCheck> {
  const arn = owner ?? '';
  if (version === UNNAMED) return unnamedVersion(arn);
  const { Policy: policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  if (policy?.DefaultVersionId !== version) return GONE;
  const other = await newestOther(iam, arn, version);
  return exists(restoreDefault(arn, other), `still the default: what the policy grants now; ${restoredNote(other)}`);
}

/**
 * An MFA device the attacker enabled for a user (`owner`), or created (no owner): a device of
 * theirs passes the MFA conditions of the user's policies, and a console sign-in.
 */
export async function checkMfaDevice(iam: IamClient, { name: serial, owner: user }: Candidate): Promise<LeftoverCheck> {
  const deactivate = (name: string) =>
    shellCommand`aws iam deactivate-mfa-device --user-name ${name} --serial-number ${serial}`;
  if (user) {
    const devices = await pages(async (marker) => {
      const page = await iam.send(new ListMFADevicesCommand({ UserName: user, Marker: marker }));
      return { items: (page.MFADevices ?? []).map((device) => device.SerialNumber), next: nextMarker(page) };
    });
    return devices.includes(serial) ? exists(deactivate(user), 'enabled for the user by the attacker') : GONE;
  }
  const virtual = await pages(async (marker) => {
    const page = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any', Marker: marker }));
    return { items: page.VirtualMFADevices ?? [], next: nextMarker(page) };
  });
  const device = virtual.find((each) => each.SerialNumber === serial);
  if (!device) return GONE;
  const remove = shellCommand`aws iam delete-virtual-mfa-device --serial-number ${serial}`;
  const assigned = device.User?.UserName;
  if (!assigned) return exists(remove, 'a virtual MFA device, not assigned to a user');
  return exists(`${deactivate(assigned)} && ${remove}`, `a virtual MFA device, assigned to user ${assigned}`);
}

/** A SAML or OIDC identity provider the attacker added: roles that trust it let in whoever it vouches for. */
export async function checkIdentityProvider(iam: IamClient, { name: arn }: Candidate): Promise<LeftoverCheck> {
  const trusted = 'a role trusting it lets in whoever it vouches for';
  if (/:saml-provider\//.test(arn)) {
    await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    return exists(shellCommand`aws iam delete-saml-provider --saml-provider-arn ${arn}`, `SAML; ${trusted}`);
  }
  const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  return exists(
    shellCommand`aws iam delete-open-id-connect-provider --open-id-connect-provider-arn ${arn}`,
    `OIDC${provider.Url ? ` ${provider.Url}` : ''}; ${trusted}`,
  );
}
