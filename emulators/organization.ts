import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** Clients acting in one account of the emulated organisation. */
export interface AccountClientsForTest {
  accountId: string;
  iam: IAMClient;
  events: EventBridgeClient;
  sqs: SQSClient;
}

/*
 * An AWS Organization in moto, for the tests, the benchmarks and the demonstration: moto's own
 * account is the management account; members are created with the role moto puts in each new
 * account (OrganizationAccountAccessRole), through which the helpers act there.
 */

/** An organisation in moto: the management account (moto's own) and one member. */
export interface TestOrganization {
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  member: AccountClientsForTest & { name: string };
}

/** Clients acting in `accountId` through the role moto creates in every new member. */
export async function actingIn(endpoint: string, accountId: string): Promise<AccountClientsForTest> {
  const sts = new STSClient({ region: 'us-east-1', endpoint });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'test-admin',
    }),
  );
  const config = {
    region: 'us-east-1',
    endpoint,
    credentials: {
      accessKeyId: Credentials?.AccessKeyId as string,
      secretAccessKey: Credentials?.SecretAccessKey as string,
      sessionToken: Credentials?.SessionToken,
    },
  };
  return { accountId, iam: new IAMClient(config), events: new EventBridgeClient(config), sqs: new SQSClient(config) };
}

/** Creates a member account of the organisation moto's account manages; returns its id. */
export async function createMember(endpoint: string, name: string): Promise<string> {
  const organizations = new OrganizationsClient({ region: 'us-east-1', endpoint });
  const created = await organizations.send(
    new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
  );
  return created.CreateAccountStatus?.AccountId as string;
}

/** Creates the organisation (moto's account is its management account) and one member account. */
export async function createOrganization(endpoint: string, memberName = 'member-one'): Promise<TestOrganization> {
  const organizations = new OrganizationsClient({ region: 'us-east-1', endpoint });
  const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const { Roots } = await organizations.send(new ListRootsCommand({}));
  const memberId = await createMember(endpoint, memberName);
  return {
    organizationId: Organization?.Id as string,
    rootId: Roots?.[0]?.Id as string,
    managementAccountId: Organization?.MasterAccountId as string,
    member: { ...(await actingIn(endpoint, memberId)), name: memberName },
  };
}
