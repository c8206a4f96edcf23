import { resourcesOf } from '../../src/activity/resources.js';

/*
 * An independent, deliberately naive reference of the activity summary, written from DESIGN.md's
 * contract without the summarizer's code: filter, then count with plain objects. Tests compare
 * the real summary against it. (Resource names follow the documented `resourcesOf` rule, which
 * has tests of its own.)
 */

type Rec = Record<string, any>;

const RISKY: Record<string, string> = {
  CreateUser: 'persistence',
  CreateAccessKey: 'persistence',
  CreateLoginProfile: 'persistence',
  UpdateLoginProfile: 'persistence',
  CreateRole: 'persistence',
  UpdateAssumeRolePolicy: 'persistence',
  AddUserToGroup: 'persistence',
  CreatePolicyVersion: 'persistence',
  AttachUserPolicy: 'persistence',
  AttachRolePolicy: 'persistence',
  AttachGroupPolicy: 'persistence',
  PutUserPolicy: 'persistence',
  PutRolePolicy: 'persistence',
  PutGroupPolicy: 'persistence',
  AssumeRole: 'credential-minting',
  GetSessionToken: 'credential-minting',
  GetFederationToken: 'credential-minting',
  StopLogging: 'defense-evasion',
  DeleteTrail: 'defense-evasion',
  UpdateTrail: 'defense-evasion',
  PutEventSelectors: 'defense-evasion',
  DeleteDetector: 'defense-evasion',
  DeleteFlowLogs: 'defense-evasion',
  RunInstances: 'resource-abuse',
  RequestSpotInstances: 'resource-abuse',
  CreateKeyPair: 'resource-abuse',
  ImportKeyPair: 'resource-abuse',
  CreateFunction20150331: 'resource-abuse',
  // Beyond DESIGN.md's minimum, as the README's table of risky calls lists them:
  CreatePolicy: 'persistence',
  SetDefaultPolicyVersion: 'persistence',
  CreateServiceSpecificCredential: 'persistence',
  UploadSSHPublicKey: 'persistence',
  CreateVirtualMFADevice: 'persistence',
  EnableMFADevice: 'persistence',
  CreateSAMLProvider: 'persistence',
  CreateOpenIDConnectProvider: 'persistence',
  GetSigninToken: 'credential-minting',
  PutInsightSelectors: 'defense-evasion',
  UpdateDetector: 'defense-evasion',
  DisassociateFromMasterAccount: 'defense-evasion',
  CreateIPSet: 'defense-evasion',
  StopConfigurationRecorder: 'defense-evasion',
  DeleteConfigurationRecorder: 'defense-evasion',
  DeleteDeliveryChannel: 'defense-evasion',
  DisableSecurityHub: 'defense-evasion',
  DeleteLogGroup: 'defense-evasion',
  RequestSpotFleet: 'resource-abuse',
  GetSecretValue: 'credential-access',
  BatchGetSecretValue: 'credential-access',
  GetParameter: 'credential-access',
  GetParameters: 'credential-access',
  GetParametersByPath: 'credential-access',
  CreateFleet: 'resource-abuse',
  UpdateAccessKey: 'persistence',
  UpdateSAMLProvider: 'persistence',
  UpdateOpenIDConnectProviderThumbprint: 'persistence',
  AddClientIDToOpenIDConnectProvider: 'persistence',
  UploadSigningCertificate: 'persistence',
  ModifySnapshotAttribute: 'persistence',
  ModifyImageAttribute: 'persistence',
  AddPermission20150331v2: 'persistence',
  CreateFunctionUrlConfig20211031: 'persistence',
  UpdateFunctionCode20150331v2: 'persistence',
  CreateAutoScalingGroup: 'resource-abuse',
  RunTask: 'resource-abuse',
  CreateService: 'resource-abuse',
  CreateStack: 'persistence',
};

function countList(values: string[]) {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return Object.entries(counts)
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => (a.count !== b.count ? b.count - a.count : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The parts of the summary that depend on the records alone. */
export function referenceSummary(records: Rec[], key: string, start: Date, end: Date) {
  const seen = new Set<string>();
  const mine = records.filter((r) => {
    if (r.userIdentity?.accessKeyId !== key) return false;
    const t = new Date(r.eventTime).getTime();
    if (t < start.getTime() || t > end.getTime()) return false;
    if (seen.has(r.eventID)) return false;
    seen.add(r.eventID);
    return true;
  });
  const times = mine.map((r) => new Date(r.eventTime).getTime());
  const or = (value: unknown) => (typeof value === 'string' && value !== '' ? value : '(unknown)');
  const resources = mine.flatMap((r) => resourcesOf(r));
  return {
    totalEvents: mine.length,
    firstSeen: mine.length ? new Date(Math.min(...times)).toISOString() : null,
    lastSeen: mine.length ? new Date(Math.max(...times)).toISOString() : null,
    eventNames: countList(mine.map((r) => or(r.eventName))),
    eventSources: countList(mine.map((r) => or(r.eventSource))),
    awsRegions: countList(mine.map((r) => or(r.awsRegion))),
    sourceIps: countList(mine.map((r) => or(r.sourceIPAddress))),
    userAgents: countList(mine.map((r) => or(r.userAgent))),
    errorCodes: countList(mine.filter((r) => r.errorCode).map((r) => r.errorCode)),
    resourceTypes: countList(resources.map((r) => r.type)),
    resourceNames: countList(resources.map((r) => r.name)),
    sessionKeys: [
      ...new Set(
        mine
          .filter((r) => ['AssumeRole', 'GetSessionToken', 'GetFederationToken'].includes(r.eventName))
          .map((r) => r.responseElements?.credentials?.accessKeyId)
          .filter(Boolean),
      ),
    ].sort(),
    riskyEvents: mine
      .filter((r) => RISKY[r.eventName])
      .map((r) => ({
        eventName: r.eventName,
        eventTime: new Date(r.eventTime).toISOString(),
        awsRegion: r.awsRegion,
        eventId: r.eventID,
        category: RISKY[r.eventName],
        errorCode: r.errorCode ?? null,
        resources: resourcesOf(r),
      }))
      .sort((a, b) =>
        a.eventTime !== b.eventTime ? (a.eventTime < b.eventTime ? -1 : 1) : a.eventId < b.eventId ? -1 : 1,
      ),
  };
}
