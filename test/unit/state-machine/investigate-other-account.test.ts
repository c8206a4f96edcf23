import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvestigationError } from '../../../src/errors.js';
import { investigateTask } from '../../../src/state-machine/tasks/investigate-task.js';
import type { Investigation } from '../../../src/steps/investigate.js';
import { loadEvent } from '../../support/fixtures.js';

const cloudTrailMock = mockClient(CloudTrailClient);
const OWN = '111111111111';
const OTHER = '222222222222';

beforeEach(() => {
  cloudTrailMock.reset();
  cloudTrailMock.on(LookupEventsCommand).resolves({ Events: [] });
});

function eventOf(account: string) {
  const event = loadEvent('trusted-advisor-exposed');
  event.account = account;
  return { event };
}

const context = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${OWN}:function:exposed-keys-investigate`,
  getRemainingTimeInMillis: () => 600_000,
};

describe('the investigation task outside organisation mode', () => {
  const task = investigateTask(
    { cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }) },
    { lookbackHours: 24, regions: ['us-east-1'] },
  );

  it("does not search its own CloudTrail for another account's key, where nothing found would read as no activity", async () => {
    const run = task(eventOf(OTHER), context);

    await expect(run).rejects.toBeInstanceOf(InvestigationError);
    await expect(run).rejects.toThrow(`is a key of account ${OTHER}; this stack runs in ${OWN}`);
    expect(cloudTrailMock.calls()).toHaveLength(0);
  });

  it('knows its account from its deps where no Lambda context gives it (simulate --local)', async () => {
    const local = investigateTask(
      { cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }), accountId: OWN },
      { lookbackHours: 24, regions: ['us-east-1'] },
    );

    await expect(local(eventOf(OTHER))).rejects.toBeInstanceOf(InvestigationError);
    expect(cloudTrailMock.calls()).toHaveLength(0);
  });

  it('searches for a key of its own account', async () => {
    const investigation = (await task(eventOf(OWN), context)) as Investigation;

    expect(investigation.activity.regions.searched).toEqual(['us-east-1']);
    expect(cloudTrailMock.commandCalls(LookupEventsCommand).length).toBeGreaterThan(0);
  });
});

describe('the investigation task and a role of another account the key assumed', () => {
  it("does not take the role's session, quiet in its own CloudTrail, for one that did nothing: says where it is recorded", async () => {
    const { event } = eventOf(OWN);
    const key = (event.detail as { 'check-item-detail': Record<string, string> })['check-item-detail'][
      'Access Key ID'
    ] as string;
    const minted = 'ASIAEEEEEEEEEEEEEEEE';
    cloudTrailMock
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: key }] })
      .resolves({
        Events: [
          {
            EventId: 'e1',
            CloudTrailEvent: JSON.stringify({
              eventID: 'e1',
              eventTime: new Date(Date.now() - 3_600_000).toISOString(),
              eventName: 'AssumeRole',
              eventSource: 'sts.amazonaws.com',
              awsRegion: 'us-east-1',
              userIdentity: { accessKeyId: key },
              requestParameters: { roleArn: `arn:aws:iam::${OTHER}:role/Admin` },
              responseElements: {
                credentials: { accessKeyId: minted },
                assumedRoleUser: { arn: `arn:aws:sts::${OTHER}:assumed-role/Admin/s` },
              },
            }),
          },
        ],
      });
    const task = investigateTask(
      { cloudTrail: () => new CloudTrailClient({ region: 'us-east-1' }) },
      { lookbackHours: 24, regions: ['us-east-1'] },
    );

    const investigation = (await task({ event }, context)) as Investigation;

    expect(investigation.sessionActivity.map((summary) => [summary.accessKeyId, summary.regions])).toEqual([
      [
        minted,
        {
          searched: [],
          failed: [
            { region: `(every region) of account ${OTHER}`, error: expect.stringContaining(`--account ${OTHER}`) },
          ],
        },
      ],
    ]);
  });
});
