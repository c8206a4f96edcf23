import { DescribeStackSetCommand, type DescribeStackSetCommandOutput } from '@aws-sdk/client-cloudformation';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import { callerAccount } from '../../aws/caller-account.js';
import type { CloudFormationApi, OrganizationsApi, StsApi } from '../../aws/narrow-clients.js';
import { describeOrganization } from './organization-info.js';
import { type InstanceStatus, listInstances, type StackSetCaller } from './stack-set.js';

/** The member StackSet and its instances, as `status --org` shows them. */
export interface OrganizationStatus {
  organizationId: string;
  managementAccountId: string;
  stackSet: { name: string; status: string; autoDeployment: boolean; callAs: StackSetCaller } | null;
  instances: InstanceStatus[];
  /** The instances that are not `CURRENT` (failed, outdated, inoperable), each with its reason. */
  notCurrent: InstanceStatus[];
}

/**
 * The StackSet of the member template and every instance by account, with its status, detailed
 * status, drift and reason; those not `CURRENT` listed apart. A StackSet that does not exist is
 * `null`, not an error: the hub may be deployed alone.
 */
export async function organizationStatus(
  deps: { cloudFormation: CloudFormationApi; organizations: OrganizationsApi; sts: StsApi },
  input: { stackSetName: string },
): Promise<OrganizationStatus> {
  const organization = await describeOrganization(deps.organizations);
  const callAs: StackSetCaller =
    (await callerAccount(deps.sts)) === organization.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
  const base = { organizationId: organization.organizationId, managementAccountId: organization.managementAccountId };
  let described: DescribeStackSetCommandOutput;
  try {
    described = await deps.cloudFormation.send(
      new DescribeStackSetCommand({ StackSetName: input.stackSetName, CallAs: callAs }),
    );
  } catch (error) {
    if (isAwsError(error, 'StackSetNotFound')) return { ...base, stackSet: null, instances: [], notCurrent: [] };
    throw toAwsCallError('cloudformation:DescribeStackSet', error);
  }
  const instances = await listInstances({ cloudFormation: deps.cloudFormation }, input.stackSetName, callAs);
  return {
    ...base,
    stackSet: {
      name: input.stackSetName,
      status: described.StackSet?.Status ?? 'UNKNOWN',
      autoDeployment: described.StackSet?.AutoDeployment?.Enabled ?? false,
      callAs,
    },
    instances,
    notCurrent: instances.filter((instance) => instance.status !== 'CURRENT'),
  };
}
