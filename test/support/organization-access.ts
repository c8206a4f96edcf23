import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { accountAccess } from '../../src/organization/account-clients.js';
import { OrganizationMembers } from '../../src/organization/membership.js';
import type { OrganizationAccess } from '../../src/organization/organization-access.js';

/** The hub's access to organisation `organizationId`, through `exposed-keys-responder`, with clients a test mocks. */
export function hubOrganization(hubAccountId: string, organizationId: string): OrganizationAccess {
  return {
    organizationId,
    access: accountAccess({
      sts: new STSClient({ region: 'us-east-1' }),
      roleName: 'exposed-keys-responder',
      context: { region: 'us-east-1', maxAttempts: 1 },
      hubAccountId,
    }),
    members: new OrganizationMembers(new OrganizationsClient({ region: 'us-east-1' }), organizationId),
  };
}

/**
 * The access key a mocked call would have been signed with: the client's own credentials (the mock
 * skips resolving them, so a role assumed for the call shows only here).
 */
export async function signedWith(call: { thisValue: unknown } | undefined): Promise<string | undefined> {
  const client = call?.thisValue as { config: { credentials: () => Promise<{ accessKeyId: string }> } };
  return (await client.config.credentials()).accessKeyId;
}
