import { ownEntry } from '../common/own-entry.js';
import type { CloudTrailRecord } from './cloudtrail-record.js';

/** Why an API call matters in an exposed-key incident. */
export type RiskCategory =
  | 'persistence'
  | 'credential-minting'
  | 'credential-access'
  | 'defense-evasion'
  | 'resource-abuse';

/** All risk categories, in the order a reader should look at them. */
export const RISK_CATEGORIES: readonly RiskCategory[] = [
  'defense-evasion',
  'persistence',
  'credential-minting',
  'credential-access',
  'resource-abuse',
];

/** The risky calls of each event source, by their bare name (without an API version suffix). */
export const RISKY_CALLS: Readonly<Record<string, Readonly<Record<string, RiskCategory>>>> = {
  'iam.amazonaws.com': {
    CreateUser: 'persistence',
    CreateAccessKey: 'persistence',
    CreateLoginProfile: 'persistence',
    UpdateLoginProfile: 'persistence',
    CreateRole: 'persistence',
    UpdateAssumeRolePolicy: 'persistence',
    AddUserToGroup: 'persistence',
    CreatePolicy: 'persistence',
    CreatePolicyVersion: 'persistence',
    SetDefaultPolicyVersion: 'persistence',
    CreateServiceSpecificCredential: 'persistence',
    UploadSSHPublicKey: 'persistence',
    CreateVirtualMFADevice: 'persistence',
    EnableMFADevice: 'persistence',
    CreateSAMLProvider: 'persistence',
    CreateOpenIDConnectProvider: 'persistence',
    // A key turned back on, an identity provider made to trust other signers or audiences, an
    // X.509 signing certificate: ways in that outlive the contained key.
    UpdateAccessKey: 'persistence',
    UpdateSAMLProvider: 'persistence',
    UpdateOpenIDConnectProviderThumbprint: 'persistence',
    AddClientIDToOpenIDConnectProvider: 'persistence',
    UploadSigningCertificate: 'persistence',
  },
  'sts.amazonaws.com': {
    AssumeRole: 'credential-minting',
    GetSessionToken: 'credential-minting',
    GetFederationToken: 'credential-minting',
  },
  // Secrets and parameters read: whatever they held is the attacker's now, and must be rotated.
  'secretsmanager.amazonaws.com': {
    GetSecretValue: 'credential-access',
    BatchGetSecretValue: 'credential-access',
  },
  'ssm.amazonaws.com': {
    GetParameter: 'credential-access',
    GetParameters: 'credential-access',
    GetParametersByPath: 'credential-access',
  },
  'signin.amazonaws.com': {
    GetSigninToken: 'credential-minting',
  },
  'cloudtrail.amazonaws.com': {
    StopLogging: 'defense-evasion',
    DeleteTrail: 'defense-evasion',
    UpdateTrail: 'defense-evasion',
    PutEventSelectors: 'defense-evasion',
    PutInsightSelectors: 'defense-evasion',
  },
  'guardduty.amazonaws.com': {
    DeleteDetector: 'defense-evasion',
    UpdateDetector: 'defense-evasion',
    DisassociateFromMasterAccount: 'defense-evasion',
    CreateIPSet: 'defense-evasion',
  },
  'config.amazonaws.com': {
    StopConfigurationRecorder: 'defense-evasion',
    DeleteConfigurationRecorder: 'defense-evasion',
    DeleteDeliveryChannel: 'defense-evasion',
  },
  'securityhub.amazonaws.com': {
    DisableSecurityHub: 'defense-evasion',
  },
  'logs.amazonaws.com': {
    DeleteLogGroup: 'defense-evasion',
  },
  'organizations.amazonaws.com': {
    LeaveOrganization: 'defense-evasion',
  },
  'ec2.amazonaws.com': {
    DeleteFlowLogs: 'defense-evasion',
    RunInstances: 'resource-abuse',
    RequestSpotInstances: 'resource-abuse',
    RequestSpotFleet: 'resource-abuse',
    CreateFleet: 'resource-abuse',
    CreateKeyPair: 'resource-abuse',
    ImportKeyPair: 'resource-abuse',
    // A snapshot or an image shared with another account (or everyone): a grant that outlives the key.
    ModifySnapshotAttribute: 'persistence',
    ModifyImageAttribute: 'persistence',
  },
  'lambda.amazonaws.com': {
    CreateFunction: 'resource-abuse',
    // Who may invoke a function, a public URL to it, its code: a backdoor in what already runs.
    AddPermission: 'persistence',
    CreateFunctionUrlConfig: 'persistence',
    UpdateFunctionCode: 'persistence',
  },
  'autoscaling.amazonaws.com': {
    CreateAutoScalingGroup: 'resource-abuse',
  },
  'ecs.amazonaws.com': {
    RunTask: 'resource-abuse',
    CreateService: 'resource-abuse',
  },
  // A stack makes whatever its template says: users, roles and keys as well as instances.
  'cloudformation.amazonaws.com': {
    CreateStack: 'persistence',
  },
};

/** IAM calls named `Attach…Policy` or `Put…Policy` grant permissions: persistence. */
export const IAM_POLICY_GRANT = /^(Attach|Put)(User|Role|Group)Policy$/;

/** The API version suffix some records carry (`CreateFunction20150331`). */
export const API_VERSION_SUFFIX = /\d{8}(v\d+)?$/;

/** Lambda records carry an API version suffix (`CreateFunction20150331`); match on the bare name. */
function bareEventName(name: string): string {
  const last = name.charCodeAt(name.length - 1);
  // Most names end in a letter: skip the regular expression on this hot path.
  return last >= 48 && last <= 57 ? name.replace(API_VERSION_SUFFIX, '') : name;
}

/** The risk category of a CloudTrail record, or null for an ordinary call. */
export function riskCategoryOf(record: CloudTrailRecord): RiskCategory | null {
  const { eventSource, eventName } = record;
  if (typeof eventSource !== 'string' || typeof eventName !== 'string') return null;
  const name = bareEventName(eventName);
  const calls = ownEntry(RISKY_CALLS, eventSource);
  const known = calls && ownEntry(calls, name);
  if (known) return known;
  if (eventSource === 'iam.amazonaws.com' && IAM_POLICY_GRANT.test(name)) return 'persistence';
  return null;
}
