import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { organizationFromEnvironment } from '../../../src/organization/from-environment.js';
import { type HubFunction, sessionPolicy } from '../../../src/organization/session-policies.js';
import { roleSession } from '../../support/organization-access.js';

const stsMock = mockClient(STSClient);
const HUB = '123456789012';
const MEMBER = '210987654321';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const ENV = { ORGANIZATION_ID: 'o-abcdefghij', RESPONDER_ROLE_NAME: 'exposed-keys-responder' };

beforeEach(() => {
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: HUB });
  stsMock.on(AssumeRoleCommand).resolves(roleSession('ASIAMEMBERKEY0000001'));
});

/** The actions of the session policy the function assumed the member's role with. */
async function sessionActions(hubFunction: HubFunction): Promise<string[]> {
  const organization = await organizationFromEnvironment(ENV, hubFunction);
  await (await organization?.access.accountClients(MEMBER, KEY))?.credentials?.();
  const input = stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
  expect(input).toMatchObject({ RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-keys-responder` });
  expect(input?.Policy).toBe(sessionPolicy(hubFunction));
  return JSON.parse(input?.Policy ?? '{}').Statement.flatMap((statement: { Action: string[] }) => statement.Action);
}

describe('organizationFromEnvironment', () => {
  it('is undefined for a stack that guards its own account only', async () => {
    expect(await organizationFromEnvironment({ ORGANIZATION_ID: '' }, 'containment')).toBeUndefined();
  });

  it('assumes a member’s role for containment with a session that may contain keys there', async () => {
    const actions = await sessionActions('containment');

    expect(actions).toEqual(
      expect.arrayContaining(['iam:DeleteAccessKey', 'iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:TagUser']),
    );
    expect(actions.filter((action) => action.startsWith('securityhub:'))).toEqual([]);
  });

  it('assumes a member’s role for the investigation with a session that may only read', async () => {
    const actions = await sessionActions('investigation');

    expect(actions).toEqual(
      expect.arrayContaining(['cloudtrail:LookupEvents', 'iam:GetUser', 'ec2:DescribeInstances']),
    );
    expect(actions.filter((action) => /^iam:(Delete|Update|Put|Attach|Detach|Tag|Create)/.test(action))).toEqual([]);
  });

  it('assumes a member’s role for the notification with a session that may only import its finding', async () => {
    expect((await sessionActions('notification')).sort()).toEqual([
      'securityhub:BatchImportFindings',
      'securityhub:GetFindings',
    ]);
  });
});
