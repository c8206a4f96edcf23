import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteAccessKeyCommand, IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { hubOrganization } from '../../../src/organization/hub-organization.js';
import { CLAIM_STEP, containTask } from '../../../src/state-machine/tasks/contain-task.js';
import type { ContainmentResult } from '../../../src/steps/contain.js';
import { containConfig } from '../../support/contain-config.js';
import { aliceHoldsTheKey, CONTAINED_KEY as KEY, reportIn } from '../../support/contained-key.js';

const stsMock = mockClient(STSClient);
const organizationsMock = mockClient(OrganizationsClient);
const iamMock = mockClient(IAMClient);
const cloudTrailMock = mockClient(CloudTrailClient);
const HUB = '123456789012';

/** The containment function of the hub, as Lambda runs it: its account named only by its ARN. */
const CONTEXT = {
  getRemainingTimeInMillis: () => 60_000,
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${HUB}:function:exposed-keys-contain`,
};

beforeEach(() => {
  for (const mock of [stsMock, organizationsMock, iamMock, cloudTrailMock]) mock.reset();
  stsMock.onAnyCommand().rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
  organizationsMock.on(DescribeAccountCommand).resolves({ Account: { Id: HUB, Name: 'Security' } });
  aliceHoldsTheKey(iamMock);
  iamMock.on(ListUserTagsCommand).resolves({ Tags: [] });
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

    const receipt = await contain({ ...reportIn(HUB), step: CLAIM_STEP }, CONTEXT);
    const result = (await contain(reportIn(HUB), CONTEXT)) as ContainmentResult;

    expect(receipt).toMatchObject({ role: 'first' });
    expect(result).toMatchObject({ outcome: 'deleted', contained: true });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: KEY, UserName: 'alice' });
    expect(stsMock).not.toHaveReceivedCommand(GetCallerIdentityCommand);
    expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
  });
});
