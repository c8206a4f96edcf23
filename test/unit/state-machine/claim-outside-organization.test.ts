import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { AccountNotFoundException, DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationAccess } from '../../../src/organization/organization-access.js';
import { CLAIM_STEP, containTask } from '../../../src/state-machine/tasks/contain-task.js';
import { containConfig } from '../../support/contain-config.js';
import { reportIn } from '../../support/contained-key.js';
import { hubOrganization, roleSession, signedWith } from '../../support/organization-access.js';
import { asCloudTrailEvent, publishedRecord } from '../../support/published.js';

const stsMock = mockClient(STSClient);
const organizationsMock = mockClient(OrganizationsClient);
const iamMock = mockClient(IAMClient);
const dbMock = mockClient(DynamoDBClient);
const HUB = '123456789012';
const OUTSIDE = '999999999999';
const ORG = 'o-exampleorg1';
const CONFIG = { ...containConfig(), incidentTable: 'incidents' };

function organization(): OrganizationAccess {
  return hubOrganization(HUB, ORG);
}

function task() {
  return containTask(
    {
      iam: new IAMClient({ region: 'us-east-1' }),
      db: new DynamoDBClient({ region: 'us-east-1' }),
      organization: organization(),
    },
    CONFIG,
  );
}

/** A report of the key in the account outside the organisation. */
function reportOutside(id: string) {
  const { event } = reportIn(OUTSIDE);
  event.id = id;
  return event;
}

/** The access keys the mocked IAM calls were signed with: a role assumed there would show. */
async function signedWithAll(): Promise<(string | undefined)[]> {
  return Promise.all(iamMock.calls().map((call) => signedWith(call)));
}

beforeEach(() => {
  for (const mock of [stsMock, organizationsMock, iamMock, dbMock]) mock.reset();
  stsMock.on(AssumeRoleCommand).resolves(roleSession('ASIAOUTSIDE000000001'));
  organizationsMock
    .on(DescribeAccountCommand)
    .rejects(new AccountNotFoundException({ message: 'no such account', $metadata: {} }));
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
  dbMock.on(GetItemCommand).resolves({});
  dbMock.on(UpdateItemCommand).resolves({
    Attributes: {
      firstEventId: { S: 'the-first-event' },
      firstSource: { S: 'trusted-advisor' },
      openedAt: { S: new Date().toISOString() },
      eventIds: { SS: ['the-first-event', 'this-event'] },
    },
  });
});

describe('ClaimIncident, for an account Organizations says is outside the organisation', () => {
  it('reads nothing there for a later report of the key, and says why the key is not known', async () => {
    const receipt = await task()({ event: reportOutside('this-event'), step: CLAIM_STEP });

    expect(receipt).toMatchObject({
      role: 'joined',
      keyNow: { status: 'unknown', error: expect.stringMatching(/not a member of organization/) },
    });
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(await signedWithAll()).toEqual([]);
  });

  it("reads nothing there for AWS's quarantine of a user of it", async () => {
    const record = publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther');
    record.recipientAccountId = OUTSIDE;

    const receipt = await task()({ event: asCloudTrailEvent(record), step: CLAIM_STEP });

    expect(receipt).toMatchObject({ role: 'quarantine', user: { keysUnknown: true } });
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(await signedWithAll()).toEqual([]);
  });
});

describe('a containment refused for an account outside the organisation', () => {
  it('is recorded, so that a later report of the key knows it was never contained', async () => {
    const result = await task()({ event: reportOutside('the-first-event') });

    expect(result).toMatchObject({ outcome: 'outside-organization', contained: false });
    const outcomes = dbMock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':outcome']?.S);
    expect(outcomes).toContain('outside-organization');
  });
});
