import {
  CloudFormationClient,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
  type StackInstanceSummary,
  type StackSet,
} from '@aws-sdk/client-cloudformation';
import {
  type Account,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  type OrganizationsClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { stackSetProblems } from '../../../../src/cli/render/stack-set-problems.js';
import { organizationStatus } from '../../../../src/organization/deploy/organization-status.js';

type OrganizationsMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, OrganizationsClientResolvedConfig>;

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const NESTED = '333333333333';
const SUSPENDED = '444444444444';

const instance = (Account: string, more: Partial<StackInstanceSummary> = {}): StackInstanceSummary => ({
  Account,
  Region: 'us-east-1',
  Status: 'CURRENT',
  DriftStatus: 'IN_SYNC',
  ...more,
});

/** status --org of a StackSet as CloudFormation describes it, in an organisation as Organizations lists it. */
async function statusOf(
  stackSet: Partial<StackSet>,
  instances: StackInstanceSummary[],
  organization: (mock: OrganizationsMock) => void = () => undefined,
) {
  const cloudFormation = mockClient(new CloudFormationClient({ region: 'us-east-1' }));
  cloudFormation
    .on(DescribeStackSetCommand)
    .resolves({ StackSet: { Status: 'ACTIVE', AutoDeployment: { Enabled: true }, Parameters: [], ...stackSet } })
    .on(ListStackInstancesCommand)
    .resolves({ Summaries: instances });
  const organizationsClient = new OrganizationsClient({ region: 'us-east-1' });
  const organizations = mockClient(organizationsClient);
  organizations
    .on(DescribeOrganizationCommand)
    .resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: MANAGEMENT } })
    .on(ListRootsCommand)
    .resolves({ Roots: [{ Id: 'r-abcd' }] });
  organization(organizations);
  const sts = mockClient(new STSClient({ region: 'us-east-1' }));
  sts.on(GetCallerIdentityCommand).resolves({ Account: MANAGEMENT });
  const status = await organizationStatus(
    {
      cloudFormation: cloudFormation as unknown as CloudFormationClient,
      organizations: organizationsClient,
      sts: sts as unknown as STSClient,
      sqsIn: async () => Promise.reject(new Error('no queue is read: the StackSet names none')),
    },
    { stackSetName: 'exposed-keys-members' },
  );
  return { status, problems: stackSetProblems(status) };
}

const account = (Id: string, State: Account['State'] = 'ACTIVE'): Account => ({ Id, State });

/** The whole organisation, as ListAccounts gives it from the root. */
function wholeOrganization(mock: OrganizationsMock) {
  mock
    .on(ListAccountsCommand)
    .resolves({ Accounts: [account(MANAGEMENT), account(MEMBER), account(NESTED), account(SUSPENDED, 'SUSPENDED')] });
}

describe('status --org, when the member StackSet does not reach every member', () => {
  it('warns of a StackSet with no instance (deploy --org stopped before deploying it), saying what to run', async () => {
    const { status, problems } = await statusOf({}, []);

    expect(status.instances).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^The member StackSet exposed-keys-members has no instance: no member account has the member stack.*Run exposed-keys deploy --org\.$/,
      ),
    ]);
  });

  it('gives a deploy --org that keeps the responder role and the operators the StackSet was deployed with', async () => {
    const operators = 'arn:aws:iam::111111111111:role/ir-oncall,arn:aws:iam::111111111111:role/ir-lead';
    const { problems } = await statusOf(
      {
        Parameters: [
          { ParameterKey: 'ResponderRoleName', ParameterValue: 'ir-responder' },
          { ParameterKey: 'OperatorRoleArns', ParameterValue: operators },
        ],
      },
      [],
    );

    expect(problems[0]).toContain(
      `Run exposed-keys deploy --org --role-name ir-responder --operator-role-arns ${operators}.`,
    );
  });

  it('warns when automatic deployment is off: accounts that join get no member stack', async () => {
    const { problems } = await statusOf(
      { AutoDeployment: { Enabled: false }, OrganizationalUnitIds: ['r-abcd'] },
      [instance(MEMBER), instance(NESTED)],
      wholeOrganization,
    );

    expect(problems).toEqual([
      expect.stringContaining(
        'Automatic deployment of the member StackSet exposed-keys-members is off: an account that joins a targeted unit gets no member stack',
      ),
    ]);
    expect(problems[0]).toContain('Run exposed-keys deploy --org to turn it on.');
  });

  it('warns of an instance CURRENT but drifted, naming its account', async () => {
    const { status, problems } = await statusOf(
      { OrganizationalUnitIds: ['r-abcd'] },
      [instance(MEMBER, { DriftStatus: 'DRIFTED' }), instance(NESTED)],
      wholeOrganization,
    );

    expect(status.notCurrent).toEqual([]);
    expect(problems).toEqual([
      expect.stringContaining(
        `1 account(s) have a member stack changed since it was deployed (drift DRIFTED: ${MEMBER})`,
      ),
    ]);
  });

  it('names the active accounts of the targeted root with no instance, leaving out the management account and suspended ones', async () => {
    const { status, problems } = await statusOf(
      { OrganizationalUnitIds: ['r-abcd'] },
      [instance(MEMBER)],
      wholeOrganization,
    );

    expect(status.coverage).toEqual({ checked: true, missing: [NESTED] });
    expect(problems).toEqual([
      `1 active account(s) of the targeted units have no member stack (${NESTED}): their exposed keys reach no one. Run exposed-keys deploy --org: it deploys the member stack to every account of the targets that lacks one.`,
    ]);
  });

  it('lists the accounts of targeted units and of the units under them, and names the units in the command', async () => {
    const unit = 'ou-abcd-11111111';
    const nestedUnit = 'ou-abcd-22222222';
    const { status, problems } = await statusOf({ OrganizationalUnitIds: [unit] }, [instance(MEMBER)], (mock) => {
      mock
        .on(ListAccountsForParentCommand, { ParentId: unit })
        .resolves({ Accounts: [account(MEMBER)] })
        .on(ListAccountsForParentCommand, { ParentId: nestedUnit })
        .resolves({ Accounts: [account(NESTED), account(SUSPENDED, 'PENDING_CLOSURE')] })
        .on(ListOrganizationalUnitsForParentCommand, { ParentId: unit })
        .resolves({ OrganizationalUnits: [{ Id: nestedUnit }] })
        .on(ListOrganizationalUnitsForParentCommand, { ParentId: nestedUnit })
        .resolves({ OrganizationalUnits: [] });
    });

    expect(status.coverage).toEqual({ checked: true, missing: [NESTED] });
    expect(problems[0]).toContain(`Run exposed-keys deploy --org --targets ${unit}:`);
  });

  it('says the comparison was not made when Organizations refuses the listing', async () => {
    const { status, problems } = await statusOf({ OrganizationalUnitIds: ['r-abcd'] }, [instance(MEMBER)], (mock) => {
      mock
        .on(ListAccountsCommand)
        .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));
    });

    expect(status.coverage).toMatchObject({ checked: false });
    expect(problems).toEqual([
      expect.stringMatching(
        /^Whether every account of the targeted units has the member stack was not checked: .*not authorized/,
      ),
    ]);
  });

  it('has nothing to say when every active account of the targets has a current instance in sync', async () => {
    const { problems } = await statusOf(
      { OrganizationalUnitIds: ['r-abcd'] },
      [instance(MEMBER), instance(NESTED)],
      wholeOrganization,
    );

    expect(problems).toEqual([]);
  });
});
