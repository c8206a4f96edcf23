import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { hubOrganization } from '../../../src/organization/hub-organization.js';
import { CLAIM_STEP, containTask } from '../../../src/state-machine/tasks/contain-task.js';
import type { ContainmentResult } from '../../../src/steps/contain.js';
import { containConfig } from '../../support/contain-config.js';
import { loadEvent } from '../../support/fixtures.js';

const stsMock = mockClient(STSClient);
const organizationsMock = mockClient(OrganizationsClient);
const iamMock = mockClient(IAMClient);
const cloudTrailMock = mockClient(CloudTrailClient);
const HUB = '123456789012';
const KEY = 'AKIAIOSFODNN7EXAMPLE';

/** The containment function of the hub, as Lambda runs it: its account named only by its ARN. */
const CONTEXT = {
  getRemainingTimeInMillis: () => 60_000,
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${HUB}:function:exposed-keys-contain`,
};

function hubKeyReport() {
  const event = loadEvent('trusted-advisor-exposed');
  event.account = HUB;
  event.detail['check-item-detail']['Access Key ID'] = KEY;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = 'alice';
  return { event };
}

beforeEach(() => {
  for (const mock of [stsMock, organizationsMock, iamMock, cloudTrailMock]) mock.reset();
  stsMock.onAnyCommand().rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
  organizationsMock.on(DescribeAccountCommand).resolves({ Account: { Id: HUB, Name: 'Security' } });
  iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
  iamMock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
  iamMock.on(DeleteAccessKeyCommand).resolves({});
  iamMock.on(PutUserPolicyCommand).resolves({});
  iamMock.on(TagUserCommand).resolves({});
  cloudTrailMock.on(LookupEventsCommand).resolves({ Events: [] });
});

describe("the hub's own key, while STS fails", () => {
  const task = () =>
    containTask(
      {
        iam: new IAMClient({ region: 'us-east-1' }),
        organization: hubOrganization(
          { organizationId: 'o-exampleorg1', responderRoleName: 'exposed-keys-responder' },
          'containment',
        ),
      },
      containConfig(),
    );

  it('is claimed and contained with IAM alone, the hub known from the function ARN', async () => {
    const contain = task();

    const receipt = await contain({ ...hubKeyReport(), step: CLAIM_STEP }, CONTEXT);
    const result = (await contain(hubKeyReport(), CONTEXT)) as ContainmentResult;

    expect(receipt).toMatchObject({ role: 'first' });
    expect(result).toMatchObject({ outcome: 'deleted', contained: true });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: KEY, UserName: 'alice' });
    expect(stsMock).not.toHaveReceivedCommand(GetCallerIdentityCommand);
    expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
  });
});
