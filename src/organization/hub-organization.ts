import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { lambdaClientConfig } from '../aws/client-config.js';
import { STACK_REGION } from '../constants.js';
import type { OrganizationConfig } from '../settings/function-settings.js';
import { accountAccess } from './account-clients.js';
import { OrganizationMembers } from './membership.js';
import type { OrganizationAccess } from './organization-access.js';
import { type HubFunction, sessionPolicy } from './session-policies.js';

/**
 * Organisation mode as a Lambda function of the hub runs it: its clients have the functions'
 * time-outs and retries, and act in a member with only what `hubFunction` does there.
 */
export function hubOrganization(config: OrganizationConfig, hubFunction: HubFunction): OrganizationAccess {
  // STS and Organizations answer in us-east-1 for the whole account; the hub lives there.
  const settings = lambdaClientConfig(STACK_REGION);
  return {
    organizationId: config.organizationId,
    access: accountAccess({
      sts: new STSClient(settings),
      roleName: config.responderRoleName,
      sessionPolicy: sessionPolicy(hubFunction),
      context: { region: STACK_REGION, maxAttempts: settings.maxAttempts, requestTimeoutMs: 10_000 },
    }),
    members: new OrganizationMembers(new OrganizationsClient(settings), config.organizationId),
  };
}
