import { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AwsClientStub } from 'aws-sdk-client-mock';
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

/** STS's answer to AssumeRole: a session of an hour, whose access key is `accessKeyId`. */
export function roleSession(accessKeyId: string): Pick<AssumeRoleCommandOutput, 'Credentials'> {
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  };
}

/**
 * Has STS answer a caller of account `hub` that assumes a member's role: AssumeRole gives the
 * session `session`, and GetCallerIdentity names `member` for a call signed with it, `hub` for
 * any other.
 */
export function callerInHub(stsMock: AwsClientStub<STSClient>, hub: string, member: string, session: string): void {
  stsMock.on(AssumeRoleCommand).resolves(roleSession(session));
  stsMock.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
    const credentials = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
    return { Account: credentials.accessKeyId === session ? member : hub };
  });
}
