/** The hub's functions that act in a member through its responder role. */
export type HubFunction = 'containment' | 'investigation' | 'notification';

/**
 * What each hub function may do in a member: the calls its code sends there, and nothing else.
 * The member's responder role trusts the three functions alike (cloudformation/member.yaml), so
 * each session is narrowed to its function's calls: the investigation and the notification then
 * hold none of containment's writes. A test checks each list against the code and the role.
 */
export const SESSION_ACTIONS: Readonly<Record<HubFunction, readonly string[]>> = {
  // The claim of an incident, containment and the scheduled deletion; a deleted key's trail.
  containment: [
    'iam:GetAccessKeyLastUsed',
    'iam:ListAccessKeys',
    'iam:ListAttachedUserPolicies',
    'iam:ListUserTags',
    'iam:GetUserPolicy',
    'iam:DeleteAccessKey',
    'iam:UpdateAccessKey',
    'iam:PutUserPolicy',
    'iam:TagUser',
    'cloudtrail:LookupEvents',
  ],
  // The search of CloudTrail, the verification, and the inventory of what the attacker left: reads only.
  investigation: [
    'cloudtrail:LookupEvents',
    'ec2:DescribeRegions',
    'iam:GetUser',
    'iam:GetLoginProfile',
    'iam:ListAccessKeys',
    'iam:ListAttachedUserPolicies',
    'iam:ListUserPolicies',
    'iam:ListGroupsForUser',
    'iam:ListSSHPublicKeys',
    'iam:ListServiceSpecificCredentials',
    'iam:ListMFADevices',
    'iam:GetRole',
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:ListAttachedGroupPolicies',
    'iam:ListGroupPolicies',
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
    'iam:ListPolicyVersions',
    'iam:GetSAMLProvider',
    'iam:GetOpenIDConnectProvider',
    'iam:ListVirtualMFADevices',
    'lambda:GetFunctionConcurrency',
    'ec2:DescribeInstances',
    'ec2:DescribeSpotInstanceRequests',
    'ec2:DescribeSpotFleetRequests',
    'ec2:DescribeFleets',
    'ec2:DescribeKeyPairs',
  ],
  // The member's finding, imported in the member.
  notification: ['securityhub:BatchImportFindings', 'securityhub:GetFindings'],
};

/**
 * The session policy `function` assumes a member's responder role with. STS gives the session
 * only what both this and the role allow, so `Resource: *` here keeps the role's own resources
 * and conditions. Compact JSON: STS takes at most 2,048 characters of it.
 */
export function sessionPolicy(hubFunction: HubFunction): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: SESSION_ACTIONS[hubFunction], Resource: '*' }],
  });
}
