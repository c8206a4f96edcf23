import { DescribeStackSetCommand, type DescribeStackSetCommandOutput } from '@aws-sdk/client-cloudformation';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import { callerAccount } from '../../aws/caller-account.js';
import type { CloudFormationApi, OrganizationsApi, StsApi } from '../../aws/narrow-clients.js';
import { DEFAULT_RESPONDER_ROLE_NAME } from '../../constants.js';
import { describeError } from '../../errors.js';
import { type AccountSqs, type ForwardingQueues, forwardingQueues } from './forwarding-queues.js';
import { describeOrganization } from './organization-info.js';
import { type InstanceStatus, listInstances, type StackSetCaller } from './stack-set.js';
import { targetAccounts } from './target-accounts.js';

/**
 * Whether every active account of the targeted units has an instance: those without one (the
 * management account aside, where a service-managed StackSet never deploys), or why that could not
 * be told.
 */
export type TargetCoverage = { checked: true; missing: string[] } | { checked: false; reason: string };

/** The member StackSet and its instances, as `status --org` shows them. */
export interface OrganizationStatus {
  organizationId: string;
  managementAccountId: string;
  stackSet: {
    name: string;
    status: string;
    autoDeployment: boolean;
    callAs: StackSetCaller;
    /** The responder role the StackSet gives the members. */
    responderRoleName: string;
    /** The operators' roles the members' responder role trusts besides the hub (comma-separated), as deployed. */
    operatorRoleArns: string;
    /** The roots and organizational units it deploys to, as CloudFormation lists them. */
    targets: string[];
  } | null;
  instances: InstanceStatus[];
  /** The instances that are not `CURRENT` (failed, outdated, inoperable), each with its reason. */
  notCurrent: InstanceStatus[];
  /**
   * What waits in the members' queues of events they could not forward to the hub; null when the
   * StackSet predates those queues (it gives the members no `UndeliveredQueueName`) or is missing.
   */
  forwarding: ForwardingQueues | null;
  /** Accounts of the targeted units with no instance; null when the StackSet is missing. */
  coverage: TargetCoverage | null;
}

/** A client of SQS acting in an account, through the responder role `roleName` there. */
export type SqsIn = (accountId: string, roleName: string) => Promise<AccountSqs>;

/**
 * The StackSet of the member template and every instance by account, with its status, detailed
 * status, drift and reason; those not `CURRENT` listed apart; and, through each member's
 * responder role, what waits in its queue of events not forwarded to the hub (the management
 * account's too, when the hub is elsewhere: its member stack is deployed apart); and the active
 * accounts of the targeted units that have no instance, as Organizations lists them. A StackSet
 * that does not exist is `null`, not an error: the hub may be deployed alone.
 */
export async function organizationStatus(
  deps: {
    cloudFormation: CloudFormationApi;
    organizations: OrganizationsApi;
    sts: StsApi;
    sqsIn: SqsIn;
    /** Told as each member's queue is read: thousands of accounts take a minute or more. */
    onMemberRead?: (read: number, total: number) => void;
  },
  input: { stackSetName: string },
): Promise<OrganizationStatus> {
  const organization = await describeOrganization(deps.organizations);
  const hubAccountId = await callerAccount(deps.sts);
  const callAs: StackSetCaller = hubAccountId === organization.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
  const base = { organizationId: organization.organizationId, managementAccountId: organization.managementAccountId };
  let described: DescribeStackSetCommandOutput;
  try {
    described = await deps.cloudFormation.send(
      new DescribeStackSetCommand({ StackSetName: input.stackSetName, CallAs: callAs }),
    );
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFound'))
      return { ...base, stackSet: null, instances: [], notCurrent: [], forwarding: null, coverage: null };
    throw toAwsCallError('cloudformation:DescribeStackSet', error);
  }
  const instances = await listInstances({ cloudFormation: deps.cloudFormation }, input.stackSetName, callAs);
  const parameters = new Map(
    (described.StackSet?.Parameters ?? []).map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]),
  );
  const responderRoleName = parameters.get('ResponderRoleName') || DEFAULT_RESPONDER_ROLE_NAME;
  const queueName = parameters.get('UndeliveredQueueName');
  // The hub's own account forwards nothing (its rules start the state machine): it has no queue.
  const accountIds = [
    ...new Set([...instances.map((instance) => instance.account), organization.managementAccountId]),
  ].filter((accountId) => accountId !== hubAccountId);
  const forwarding = queueName
    ? await forwardingQueues((accountId) => deps.sqsIn(accountId, responderRoleName), {
        accountIds,
        queueName,
        ...(deps.onMemberRead ? { onRead: deps.onMemberRead } : {}),
      })
    : null;
  // The units CloudFormation records once instances were asked for; before that, those of the instances.
  const listed = described.StackSet?.OrganizationalUnitIds ?? [];
  const targets = [
    ...new Set(listed.length > 0 ? listed : instances.flatMap((instance) => instance.organizationalUnitId ?? [])),
  ];
  const coverage = await coverageOf(deps.organizations, targets, instances, organization.managementAccountId);
  return {
    ...base,
    stackSet: {
      name: input.stackSetName,
      status: described.StackSet?.Status ?? 'UNKNOWN',
      autoDeployment: described.StackSet?.AutoDeployment?.Enabled ?? false,
      callAs,
      responderRoleName,
      operatorRoleArns: parameters.get('OperatorRoleArns') ?? '',
      targets,
    },
    instances,
    notCurrent: instances.filter((instance) => instance.status !== 'CURRENT'),
    forwarding,
    coverage,
  };
}

/** The active accounts of the targets with no instance, the management account aside; or why they could not be listed. */
async function coverageOf(
  organizations: OrganizationsApi,
  targets: string[],
  instances: InstanceStatus[],
  managementAccountId: string,
): Promise<TargetCoverage> {
  if (targets.length === 0)
    return { checked: false, reason: 'the StackSet names no root or organizational unit it deploys to' };
  try {
    const reached = new Set(instances.map((instance) => instance.account));
    const accounts = await targetAccounts(organizations, targets);
    return {
      checked: true,
      missing: accounts.filter((accountId) => accountId !== managementAccountId && !reached.has(accountId)),
    };
  } catch (error) {
    return { checked: false, reason: describeError(error) };
  }
}
