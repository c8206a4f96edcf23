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
