import type { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import type { CloudTrailApi } from '../../../src/aws/narrow-clients.js';
import {
  investigateTask,
  KEY_SHARE,
  SEARCH_SHARE,
  searchDeadlines,
} from '../../../src/state-machine/tasks/investigate-task.js';
import type { Investigation } from '../../../src/steps/investigate.js';
import { loadEvent } from '../../support/fixtures.js';

const OWN = '111111111111';
const SESSION = 'ASIASSSSSSSSSSSSSSSS';

function incidentEvent() {
  const event = loadEvent('trusted-advisor-exposed');
  event.account = OWN;
  const key = (event.detail as { 'check-item-detail': Record<string, string> })['check-item-detail'][
    'Access Key ID'
  ] as string;
  return { event, key };
}

/** The record of a call made with `accessKeyId` an hour ago. */
function call(eventID: string, accessKeyId: string, eventName: string, responseElements?: object) {
  const record = {
    eventID,
    eventTime: new Date(Date.now() - 3_600_000).toISOString(),
    eventName,
    eventSource: 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    userIdentity: { accessKeyId },
    ...(responseElements ? { responseElements } : {}),
  };
  return { EventId: eventID, CloudTrailEvent: JSON.stringify(record) };
}

/**
 * A CloudTrail whose pages of the key never end (a key busy for weeks), the first minting a session
 * key, and whose session key made one call.
 */
function endlessKey(key: string): CloudTrailApi {
  return {
    send: (async (command: LookupEventsCommand) => {
      const asked = command.input.LookupAttributes?.[0]?.AttributeValue;
      if (asked !== key) return { Events: [call('s-1', SESSION, 'GetCallerIdentity')] };
      const page = Number(command.input.NextToken ?? 0);
      const minted = page === 0 ? [call('k-0', key, 'GetSessionToken', { credentials: { accessKeyId: SESSION } })] : [];
      return { Events: [...minted, call(`k-${page + 1}`, key, 'GetCallerIdentity')], NextToken: String(page + 1) };
    }) as CloudTrailApi['send'],
  };
}

describe('the investigation task with a key whose own activity would take all its time', () => {
  it("stops the key's read at its share of the time, and searches the session keys it minted in the rest", async () => {
    const { event, key } = incidentEvent();
    const task = investigateTask({ cloudTrail: () => endlessKey(key) }, { lookbackHours: 24, regions: ['us-east-1'] });
    // 20 s of margin: four seconds to investigate, at LookupEvents' 2 pages a second.
    const context = {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${OWN}:function:exposed-keys-investigate`,
      getRemainingTimeInMillis: () => 24_000,
    };

    const investigation = (await task({ event }, context)) as Investigation;

    expect(investigation.activity.truncated).toBe(true);
    expect(investigation.sessionActivity.map((summary) => [summary.accessKeyId, summary.totalEvents])).toEqual([
      [SESSION, 1],
    ]);
    expect(investigation.sessionKeysNotSearched).toBeUndefined();
  });
});

describe('searchDeadlines', () => {
  it('gives the key its share of the time left, the session keys theirs, and the inventory the rest', () => {
    expect(searchDeadlines(11_000, true, 1_000)).toEqual({
      keyDeadline: 1_000 + 10_000 * KEY_SHARE,
      deadline: 1_000 + 10_000 * SEARCH_SHARE,
    });
    expect(searchDeadlines(11_000, false, 1_000)).toEqual({
      keyDeadline: 1_000 + 10_000 * KEY_SHARE,
      deadline: 11_000,
    });
    expect(searchDeadlines(undefined, true)).toEqual({});
  });
});
