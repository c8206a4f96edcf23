import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { AccountNotFoundException, DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../src/errors.js';
import { accountAccess } from '../../../src/organization/account-clients.js';
import type { OrganizationAccess } from '../../../src/organization/organization-access.js';
import { AccountAccessError, OutsideOrganizationError } from '../../../src/organization/organization-errors.js';
import { CLAIM_STEP, containTask } from '../../../src/state-machine/tasks/contain-task.js';
import { investigateTask } from '../../../src/state-machine/tasks/investigate-task.js';
import { notifyTask } from '../../../src/state-machine/tasks/notify-task.js';
import type { ContainmentResult } from '../../../src/steps/contain.js';
import type { Investigation } from '../../../src/steps/investigate.js';
import { type FollowUpRequest, followUpEvent } from '../../../src/steps/lifecycle/follow-up.js';
import { containConfig } from '../../support/contain-config.js';
import { aliceHoldsTheKey, CONTAINED_KEY as KEY, keyListed, reportIn, tagged } from '../../support/contained-key.js';
import { hubOrganization, roleSession, signedWith } from '../../support/organization-access.js';
import { asCloudTrailEvent, publishedRecord } from '../../support/published.js';

const stsMock = mockClient(STSClient);
const organizationsMock = mockClient(OrganizationsClient);
const iamMock = mockClient(IAMClient);
const cloudTrailMock = mockClient(CloudTrailClient);
const securityHubMock = mockClient(SecurityHubClient);
const snsMock = mockClient(SNSClient);
const HUB = '123456789012';
const MEMBER = '210987654321';
const OUTSIDE = '999999999999';
const ORG = 'o-exampleorg1';

function organization(): OrganizationAccess {
  return hubOrganization(HUB, ORG);
}

const CONFIG = containConfig();

beforeEach(() => {
  for (const mock of [stsMock, organizationsMock, iamMock, cloudTrailMock, securityHubMock, snsMock]) mock.reset();
  stsMock.on(AssumeRoleCommand).resolves(roleSession('ASIAMEMBERKEY0000001'));
  organizationsMock.on(DescribeAccountCommand).callsFake(({ AccountId }: { AccountId: string }) => {
    if (AccountId === OUTSIDE) throw new AccountNotFoundException({ message: 'no such account', $metadata: {} });
    return {
      Account: { Id: AccountId, Name: 'Payments', Arn: `arn:aws:organizations::${HUB}:account/${ORG}/${AccountId}` },
    };
  });
  aliceHoldsTheKey(iamMock);
  cloudTrailMock.on(LookupEventsCommand).resolves({ Events: [] });
});

describe('the containment task in organisation mode', () => {
  const hubIam = new IAMClient({ region: 'us-east-1' });

  it("contains a member's key in the member account, through its responder role, and names the account", async () => {
    const task = containTask({ iam: hubIam, organization: organization() }, CONFIG);

    const result = (await task(reportIn(MEMBER))) as ContainmentResult;

    expect(result).toMatchObject({ outcome: 'deleted', contained: true, accountName: 'Payments' });
    expect(await signedWith(iamMock.commandCalls(DeleteAccessKeyCommand)[0])).toBe('ASIAMEMBERKEY0000001');
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-keys-responder`,
      RoleSessionName: `exposed-keys-${KEY}`,
    });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: KEY, UserName: 'alice' });
  });

  it('refuses a key of an account outside the organisation, touching nothing and assuming no role', async () => {
    const task = containTask({ iam: hubIam, organization: organization() }, CONFIG);

    const result = (await task(reportIn(OUTSIDE))) as ContainmentResult;

    expect(result).toMatchObject({ outcome: 'outside-organization', contained: false, actions: [] });
    expect(result.humanSteps[0]).toContain(`Account ${OUTSIDE} is not a member of organization ${ORG}`);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(iamMock.calls()).toHaveLength(0);
  });

  it("contains a key of the hub's own account with the hub's own credentials", async () => {
    const task = containTask({ iam: hubIam, organization: organization() }, CONFIG);

    const result = (await task(reportIn(HUB))) as ContainmentResult;

    expect(result).toMatchObject({ outcome: 'deleted', accountName: 'Payments' });
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('acts all the same, saying so, when Organizations cannot be asked', async () => {
    organizationsMock
      .on(DescribeAccountCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const task = containTask({ iam: hubIam, organization: organization() }, CONFIG);

    const result = (await task(reportIn(MEMBER))) as ContainmentResult;

    expect(result.outcome).toBe('deleted');
    expect(result.accountName).toBeUndefined();
    expect(result.warnings[0]).toMatch(/^Could not ask Organizations whether account 210987654321 is a member/);
  });
});

describe('the investigation task in organisation mode', () => {
  const hubTrail = () => new CloudTrailClient({ region: 'us-east-1' });

  it("reads the member account's CloudTrail, through its responder role", async () => {
    const task = investigateTask(
      { cloudTrail: hubTrail, organization: organization() },
      { lookbackHours: 24, regions: ['us-east-1'] },
    );

    const investigation = (await task(reportIn(MEMBER))) as Investigation;

    expect(investigation.activity.regions.searched).toEqual(['us-east-1']);
    expect(await signedWith(cloudTrailMock.commandCalls(LookupEventsCommand)[0])).toBe('ASIAMEMBERKEY0000001');
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-keys-responder`,
    });
    expect(cloudTrailMock).toHaveReceivedCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }],
    });
  });

  it('refuses an account outside the organisation, for the state machine to catch', async () => {
    const task = investigateTask(
      { cloudTrail: hubTrail, organization: organization() },
      { lookbackHours: 24, regions: ['us-east-1'] },
    );

    await expect(task(reportIn(OUTSIDE))).rejects.toBeInstanceOf(OutsideOrganizationError);
    expect(cloudTrailMock.calls()).toHaveLength(0);
  });
});

function followUp(kind: FollowUpRequest['kind'], accountId: string | null) {
  return {
    event: followUpEvent({
      kind,
      accessKeyId: KEY,
      userName: 'alice',
      accountId,
      containedAt: '2026-11-20T00:00:00.000Z',
      deleteAt: kind === 'scheduled-deletion' ? '2026-11-27T00:00:00.000Z' : null,
    }),
  };
}

/** AWS's quarantine of alice in `account`, as CloudTrail published it (Panther's sample), delivered by EventBridge. */
function quarantineIn(account: string) {
  const record = publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther');
  record.recipientAccountId = account;
  record.userIdentity = { ...record.userIdentity, accountId: account };
  return asCloudTrailEvent(record);
}

/** The hub's notification task, with findings on, answered by SNS and Security Hub. */
function hubNotifier() {
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  securityHubMock.on(GetFindingsCommand).resolves({ Findings: [] });
  securityHubMock.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  return notifyTask(
    {
      sns: new SNSClient({ region: 'us-east-1' }),
      securityHub: new SecurityHubClient({ region: 'us-east-1' }),
      accountId: HUB,
      organization: organization(),
    },
    { topicArn: `arn:aws:sns:us-east-1:${HUB}:exposed-keys`, findings: true },
  );
}

describe('the steps after containment, in organisation mode', () => {
  const hubIam = new IAMClient({ region: 'us-east-1' });

  it("deletes a member's key as scheduled in the member account, through its responder role", async () => {
    tagged(iamMock, 'deactivated 2026-11-20T00:00:00.000Z delete at 2026-11-27T00:00:00.000Z');
    keyListed(iamMock, 'Inactive');
    const task = containTask({ iam: hubIam, organization: organization() }, CONFIG);

    const result = await task(followUp('scheduled-deletion', MEMBER));

    expect(result).toMatchObject({ outcome: 'deleted' });
    expect(await signedWith(iamMock.commandCalls(DeleteAccessKeyCommand)[0])).toBe('ASIAMEMBERKEY0000001');
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/exposed-keys-responder`,
      RoleSessionName: `exposed-keys-${KEY}`,
    });
  });

  it("reads a member's CloudTrail for the verification, through its responder role", async () => {
    const task = investigateTask(
      { cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }), organization: organization() },
      { lookbackHours: 24, regions: ['us-east-1'] },
    );

    await task(followUp('verification', MEMBER));

    expect(cloudTrailMock.commandCalls(LookupEventsCommand).length).toBeGreaterThan(0);
    expect(await signedWith(cloudTrailMock.commandCalls(LookupEventsCommand)[0])).toBe('ASIAMEMBERKEY0000001');
  });

  it('refuses a follow-up that names no account, rather than act in the hub’s own account', async () => {
    keyListed(iamMock, 'Inactive');
    const deletion = containTask({ iam: hubIam, organization: organization() }, CONFIG);
    const verification = investigateTask(
      { cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }), organization: organization() },
      { lookbackHours: 24, regions: ['us-east-1'] },
    );

    await expect(deletion(followUp('scheduled-deletion', null))).rejects.toThrow(InvalidEventError);
    await expect(verification(followUp('verification', null))).rejects.toThrow(/names no account/);
    expect(iamMock.calls()).toHaveLength(0);
    expect(cloudTrailMock.calls()).toHaveLength(0);
  });

  it('imports no finding in an account outside the organisation, and assumes no role there', async () => {
    const containment = (await containTask(
      { iam: hubIam, organization: organization() },
      CONFIG,
    )(reportIn(OUTSIDE))) as ContainmentResult;
    const task = hubNotifier();

    const output = await task({ ...reportIn(OUTSIDE), containment });

    expect(containment.outcome).toBe('outside-organization');
    expect(output.channels?.finding).toBe('skipped');
    expect(securityHubMock).not.toHaveReceivedCommand(BatchImportFindingsCommand);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('tells how to contain by hand in the member, and repair its stack, when its role cannot be assumed', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const event = reportIn(MEMBER).event;
    const error = await containTask(
      { iam: hubIam, organization: organization() },
      CONFIG,
    )({ event }).catch((thrown: unknown) => thrown as Error);
    // As Step Functions hands the function's error to the next state.
    const containmentError = {
      Error: 'AccountAccessError',
      Cause: JSON.stringify({ errorType: 'AccountAccessError', errorMessage: (error as Error).message }),
    };

    await hubNotifier()({ event, containmentError } as never);

    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message as string;
    expect(message).toContain(`The hub could not act in account ${MEMBER}`);
    expect(message).toContain(`--status Inactive --profile <a profile of account ${MEMBER}>`);
    expect(message).toContain('exposed-keys status --org');
  });

  /** The message of a containment whose role could not be assumed: as Step Functions hands the error on. */
  async function messageWhenRoleFails(stsError: Error) {
    stsMock.on(AssumeRoleCommand).rejects(stsError);
    const event = reportIn(MEMBER).event;
    const error = (await containTask(
      { iam: hubIam, organization: organization() },
      CONFIG,
    )({ event }).catch((thrown: unknown) => thrown)) as AccountAccessError;
    const containmentError = {
      Error: 'AccountAccessError',
      Cause: JSON.stringify({ errorType: 'AccountAccessError', errorMessage: error.message }),
    };
    await hubNotifier()({ event, containmentError } as never);
    return { error, message: snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message as string };
  }

  it('says the account is suspended, rather than to repair its member stack, when Organizations says so', async () => {
    organizationsMock.on(DescribeAccountCommand).resolves({
      Account: {
        Id: MEMBER,
        Name: 'Payments',
        Arn: `arn:aws:organizations::${HUB}:account/${ORG}/${MEMBER}`,
        State: 'SUSPENDED',
      },
    });

    const { error, message } = await messageWhenRoleFails(
      Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }),
    );

    expect(error).toBeInstanceOf(AccountAccessError);
    expect(error.reason).toBe('inactive');
    expect(error.message).toContain(`account ${MEMBER} is SUSPENDED in Organizations, so its role could not be used`);
    expect(error.hint).not.toContain('member stack');
    expect(message).toContain(`Organizations says the account is SUSPENDED`);
    expect(message).toContain(`--status Inactive --profile <a profile of account ${MEMBER}>`);
    expect(message).not.toContain("repair the account's member stack");
  });

  it('says to try again, rather than to repair the member stack, when STS throttled the role', async () => {
    const { error, message } = await messageWhenRoleFails(
      Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
    );

    expect(error.reason).toBe('other');
    expect(error.hint).not.toContain('member stack');
    expect(message).toContain('though the role was not refused');
    expect(message).toContain(`Or try again from the hub: exposed-keys respond --account ${MEMBER} --key ${KEY}`);
    expect(message).not.toContain("repair the account's member stack");
  });

  it("names the member's account in every command of a member's follow-up, since the reader is on the hub", async () => {
    const failed = { Error: 'AccessDenied', Cause: JSON.stringify({ errorMessage: 'DeleteAccessKey was refused' }) };

    await hubNotifier()({ ...followUp('scheduled-deletion', MEMBER), followUpError: failed } as never);
    await hubNotifier()({ ...followUp('verification', MEMBER), followUpError: failed } as never);
    await hubNotifier()({ ...followUp('verification', HUB), followUpError: failed } as never);

    const [deletion, verification, own] = snsMock
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input.Message as string);
    expect(deletion).toContain(
      `aws iam delete-access-key --user-name alice --access-key-id ${KEY} --profile <a profile of account ${MEMBER}>`,
    );
    expect(verification).toContain(`exposed-keys investigate --key ${KEY} --account ${MEMBER} --start`);
    // The hub's own key: its commands run as given on the hub.
    expect(own).toContain(`exposed-keys investigate --key ${KEY} --start`);
    expect(own).not.toContain('--account');
  });

  it("names the member's account in the commands to contain and investigate by hand when both failed", async () => {
    const event = reportIn(MEMBER).event;
    const failed = (message: string) => ({ Error: 'AwsCallError', Cause: JSON.stringify({ errorMessage: message }) });

    await hubNotifier()({
      event,
      containmentError: failed('IAM DeleteAccessKey failed: ServiceFailure'),
      investigationError: failed('CloudTrail LookupEvents failed: ThrottlingException'),
    } as never);

    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message as string;
    expect(message).toContain(`--status Inactive --profile <a profile of account ${MEMBER}>`);
    expect(message).toContain(`Investigate by hand: exposed-keys investigate --key ${KEY} --account ${MEMBER}`);
  });

  it("lists a quarantined member user's keys in the member account", async () => {
    keyListed(iamMock, 'Active');
    const task = containTask({ iam: hubIam, organization: organization() }, CONFIG);

    const receipt = await task({ event: quarantineIn(MEMBER), step: CLAIM_STEP });

    expect(receipt).toMatchObject({ role: 'quarantine' });
    expect(await signedWith(iamMock.commandCalls(ListAccessKeysCommand)[0])).toBe('ASIAMEMBERKEY0000001');
  });

  it("imports a member's finding in the member account, whose default product alone may import it", async () => {
    const containment = (await containTask(
      { iam: hubIam, organization: organization() },
      CONFIG,
    )(reportIn(MEMBER))) as ContainmentResult;
    const task = hubNotifier();

    const output = await task({ ...reportIn(MEMBER), containment });

    expect(output.channels?.finding).toBe('imported');
    const imported = securityHubMock.commandCalls(BatchImportFindingsCommand)[0];
    expect(await signedWith(imported)).toBe('ASIAMEMBERKEY0000001');
    expect(imported?.args[0].input.Findings?.[0]).toMatchObject({
      AwsAccountId: MEMBER,
      ProductArn: `arn:aws:securityhub:us-east-1:${MEMBER}:product/${MEMBER}/default`,
    });
  });

  it("imports a quarantined member user's finding in the member account", async () => {
    keyListed(iamMock, 'Active');
    const event = quarantineIn(MEMBER);
    const signal = await containTask(
      { iam: hubIam, organization: organization() },
      CONFIG,
    )({ event, step: CLAIM_STEP });
    const task = hubNotifier();

    const output = await task({ event, signal } as Parameters<typeof task>[0]);

    expect(output.channels?.finding).toBe('imported');
    expect(await signedWith(securityHubMock.commandCalls(BatchImportFindingsCommand)[0])).toBe('ASIAMEMBERKEY0000001');
  });

  it("imports no finding for AWS's quarantine of a user outside the organisation, and assumes no role there", async () => {
    const event = quarantineIn(OUTSIDE);
    const signal = await containTask(
      { iam: hubIam, organization: organization() },
      CONFIG,
    )({ event, step: CLAIM_STEP });
    stsMock.resetHistory();
    const task = hubNotifier();

    const output = await task({ event, signal } as Parameters<typeof task>[0]);

    expect(output.channels?.finding).toBe('skipped');
    expect(securityHubMock).not.toHaveReceivedCommand(BatchImportFindingsCommand);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  it('imports no finding for a later report of a key outside the organisation, saying the account is outside', async () => {
    const { event } = reportIn(OUTSIDE);
    const record = {
      accountId: OUTSIDE,
      accessKeyId: KEY,
      firstEventId: 'the-first-event',
      firstSource: 'trusted-advisor',
      openedAt: new Date().toISOString(),
      signals: 2,
      sources: ['trusted-advisor'],
      response: { outcome: 'outside-organization', contained: false, at: new Date().toISOString(), userName: null },
    };
    const signal = { role: 'joined', record, keyNow: { status: 'unknown', error: 'not read' } };
    const logged: { message: string; detail?: Record<string, unknown> }[] = [];
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
    const task = notifyTask(
      {
        sns: new SNSClient({ region: 'us-east-1' }),
        securityHub: new SecurityHubClient({ region: 'us-east-1' }),
        accountId: HUB,
        organization: organization(),
        logger: {
          info: (message: string, detail?: Record<string, unknown>) => logged.push({ message, detail }),
          appendKeys: () => undefined,
        } as never,
      },
      { topicArn: `arn:aws:sns:us-east-1:${HUB}:exposed-keys`, findings: true },
    );

    const output = await task({ event, signal } as never);

    expect(output.channels?.finding).toBe('skipped');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(securityHubMock).not.toHaveReceivedCommand(BatchImportFindingsCommand);
    const sent = logged.find((entry) => entry.message === 'Notification sent');
    expect(sent?.detail?.channelDetail).toMatchObject({
      finding: {
        status: 'skipped',
        reason: `account ${OUTSIDE} is outside the organisation, so no finding is imported there`,
      },
    });
    expect(logged.find((entry) => entry.message === 'Finding not imported')?.detail).toEqual({
      problem: `Account ${OUTSIDE} is outside the organisation: no finding is imported there.`,
    });
  });

  it('asks STS again after a failed answer, rather than failing every later incident of a warm function', async () => {
    const sts = new STSClient({ region: 'us-east-1' });
    stsMock
      .on(GetCallerIdentityCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({ Account: HUB });
    const access = accountAccess({
      sts,
      roleName: 'exposed-keys-responder',
      context: { region: 'us-east-1', maxAttempts: 1 },
    });

    await expect(access.hubAccountId()).rejects.toThrow(/Rate exceeded|Throttling/);

    expect(await access.hubAccountId()).toBe(HUB);
  });
});
