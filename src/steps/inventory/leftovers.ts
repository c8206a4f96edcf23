import type { ActivitySummary, RiskyEvent } from '../../activity/activity-summary.js';
import type { RiskCategory } from '../../activity/risky-events.js';
import { type Leftover, type LeftoverKind, UNNAMED } from './inventory-types.js';

/** Something to check: a leftover before it is checked. */
export type Candidate = Omit<Leftover, 'state' | 'note' | 'command' | 'foreignTrust'>;

const USER = 'AWS::IAM::User';
const ROLE = 'AWS::IAM::Role';
const GROUP = 'AWS::IAM::Group';
const POLICY = 'AWS::IAM::Policy';
const MFA_DEVICE = 'AWS::IAM::MFADevice';

/** Calls that make something: one the inventory cannot name is listed as not checked, never left out. */
const MAKING: readonly RiskCategory[] = ['persistence', 'resource-abuse'];

function bare(eventName: string): string {
  return eventName.replace(/\d{8}(v\d+)?$/, '');
}

function named(event: RiskyEvent, type: string): string[] {
  return event.resources.filter((resource) => resource.type === type).map((resource) => resource.name);
}

function orUnnamed(names: string[]): string[] {
  return names.length > 0 ? names : [UNNAMED];
}

/**
 * A call that made something the inventory cannot name: the call itself, to look at, by the name
 * its records carry (`AddPermission20150331v2`), which is what LookupEvents finds them by.
 */
function uncheckedCall(event: RiskyEvent): Candidate {
  return { kind: 'unchecked-call', name: event.eventName, owner: null, region: event.awsRegion };
}

/** A role's name from its name or ARN (`arn:aws:iam::1:role/path/name`). */
function roleName(name: string): string {
  return name.includes(':role/') ? (name.split('/').at(-1) ?? name) : name;
}

const PRINCIPALS: Readonly<Record<string, string>> = { User: USER, Role: ROLE, Group: GROUP };

function candidatesOf(event: RiskyEvent, keyOwner: string | null): Candidate[] {
  const name = bare(event.eventName);
  const of = (kind: LeftoverKind, names: string[], owner: string | null = null, region: string | null = null) =>
    names.map((each) => ({ kind, name: each, owner, region }));
  const users = named(event, USER);
  switch (name) {
    case 'CreateUser':
      return of('user', users);
    case 'CreateAccessKey':
      // Without a user name, the key was made for the caller: the exposed key's own user.
      return of('access-key', named(event, 'AWS::IAM::AccessKey'), users[0] ?? keyOwner);
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return of('login-profile', users.length ? users : keyOwner ? [keyOwner] : [], null);
    case 'CreateRole':
      return of('role', named(event, ROLE).map(roleName));
    case 'UpdateAssumeRolePolicy':
      return of('role-trust', named(event, ROLE).map(roleName));
    case 'GetSecretValue':
      return of('secret-read', named(event, 'AWS::SecretsManager::Secret'), null, event.awsRegion);
    case 'GetParameter':
    case 'GetParameters':
      return of('parameter-read', named(event, 'AWS::SSM::Parameter'), null, event.awsRegion);
    case 'BatchGetSecretValue':
    case 'GetParametersByPath':
      // What these read is chosen by a list, filters or a path in the request, which the summary
      // does not keep: the calls are what to look at, one item per call and region.
      return of('bulk-read', [name], null, event.awsRegion);
    case 'RunInstances':
      return of('instance', named(event, 'AWS::EC2::Instance'), null, event.awsRegion);
    case 'CreateFunction':
      return of('function', named(event, 'AWS::Lambda::Function'), null, event.awsRegion);
    case 'AddUserToGroup':
      return users.flatMap((user) => of('group-membership', named(event, GROUP), user));
    // Credentials that outlive the access key; a record that names none still names the user.
    case 'UploadSSHPublicKey':
      return users.flatMap((user) => of('ssh-public-key', orUnnamed(named(event, 'AWS::IAM::SSHPublicKey')), user));
    case 'CreateServiceSpecificCredential':
      return users.flatMap((user) =>
        of('service-credential', orUnnamed(named(event, 'AWS::IAM::ServiceSpecificCredential')), user),
      );
    case 'CreatePolicy':
      return of('managed-policy', named(event, POLICY));
    case 'CreatePolicyVersion':
    case 'SetDefaultPolicyVersion': {
      const kind = name === 'CreatePolicyVersion' ? 'policy-version' : 'default-policy-version';
      const versions = orUnnamed(named(event, 'AWS::IAM::PolicyVersion'));
      return named(event, POLICY).flatMap((policy) => of(kind, versions, policy));
    }
    case 'CreateVirtualMFADevice':
      return of('mfa-device', named(event, MFA_DEVICE));
    case 'EnableMFADevice':
      return users.flatMap((user) => of('mfa-device', named(event, MFA_DEVICE), user));
    case 'CreateSAMLProvider':
    case 'CreateOpenIDConnectProvider':
      return of('identity-provider', [
        ...named(event, 'AWS::IAM::SAMLProvider'),
        ...named(event, 'AWS::IAM::OIDCProvider'),
      ]);
    case 'RequestSpotInstances':
      return of('spot-request', named(event, 'AWS::EC2::SpotInstanceRequest'), null, event.awsRegion);
    case 'RequestSpotFleet':
      return of('spot-fleet', named(event, 'AWS::EC2::SpotFleet'), null, event.awsRegion);
    case 'CreateFleet':
      return of('fleet', named(event, 'AWS::EC2::EC2Fleet'), null, event.awsRegion);
    case 'CreateKeyPair':
    case 'ImportKeyPair':
      return of('key-pair', named(event, 'AWS::EC2::KeyPair'), null, event.awsRegion);
  }
  const grant = /^(Attach|Put)(User|Role|Group)Policy$/.exec(name);
  if (!grant) return [];
  const [, verb, principal] = grant as unknown as [string, string, string];
  const owners = named(event, PRINCIPALS[principal] as string).map(
    (owner) => `${principal.toLowerCase()}/${roleName(owner)}`,
  );
  if (verb === 'Attach') return owners.flatMap((owner) => of('attached-policy', named(event, POLICY), owner));
  // The inline policy's name is not among the resources a record names: the principal is what is known.
  return owners.map((owner) => ({ kind: 'inline-policy' as const, name: '(inline)', owner, region: null }));
}

/**
 * What the activity (the key's, and its sessions') says the attacker made or read: users, keys,
 * login profiles, roles and trust changes, policies granted, group memberships, SSH keys and
 * service-specific credentials, policies and policy versions made (or made the default), MFA
 * devices, identity providers, instances, functions, spot requests, fleets and key pairs launched,
 * and secrets and parameters read, each once. A call that made something the record does not name
 * is listed as a call not checked. Calls that were refused made nothing and are left out.
 */
export function leftoversIn(summaries: readonly ActivitySummary[], keyOwner: string | null): Candidate[] {
  const seen = new Set<string>();
  const found: Candidate[] = [];
  for (const summary of summaries)
    for (const event of summary.riskyEvents) {
      if (event.errorCode !== null) continue;
      const made = candidatesOf(event, summary.userName ?? keyOwner);
      if (made.length === 0 && MAKING.includes(event.category)) made.push(uncheckedCall(event));
      for (const candidate of made) {
        const key = JSON.stringify([candidate.kind, candidate.name, candidate.owner, candidate.region]);
        if (seen.has(key)) continue;
        seen.add(key);
        found.push(candidate);
      }
    }
  return found;
}
