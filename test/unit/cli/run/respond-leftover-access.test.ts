/*
 * The exposed key made a new long-term key before it was contained: revoking sessions denies
 * temporary credentials only, so that key keeps working until someone deletes it.
 */
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivitySource } from '../../../../src/activity/activity-source.js';
import {
  incidentReportOf,
  type RespondMessage,
  respondToKey,
  responseExitCode,
} from '../../../../src/cli/run/respond.js';
import { buildIncidentMessage } from '../../../../src/message/incident-message.js';
import { takeInventory } from '../../../../src/steps/inventory/take-inventory.js';
import { aliceHoldsTheKey, CONTAINED_KEY as KEY } from '../../../support/contained-key.js';
import { recordingHost } from '../../../support/io-host.js';
import { summaryFor } from '../../../support/summaries.js';

const ATTACKER_KEY = 'AKIAQQQQQQQQQQQQQQQQ';
const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);

beforeEach(() => {
  iamMock.reset();
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  aliceHoldsTheKey(iamMock);
  // After containment alice still holds the key the attacker made with the exposed one.
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: ATTACKER_KEY, Status: 'Active' }] });
});

const source: ActivitySource = {
  name: 'lookup-events',
  unsearchable: (message) => new Error(message),
  async summarize() {
    return [
      summaryFor(KEY, {
        totalEvents: 1,
        riskyEvents: [
          {
            eventName: 'CreateAccessKey',
            eventTime: '2026-11-27T01:00:00.000Z',
            awsRegion: 'us-east-1',
            eventId: 'e-1',
            category: 'persistence',
            errorCode: null,
            resources: [{ type: 'AWS::IAM::AccessKey', name: ATTACKER_KEY }],
          },
        ],
      }),
    ];
  },
};

type Inventory = Parameters<typeof respondToKey>[0]['inventory'];

function respond(inventory?: Inventory) {
  const iam = new IAMClient({});
  return respondToKey(
    {
      iam,
      sts: new STSClient({}),
      source,
      topic: async () => ({}),
      inventory:
        inventory ??
        ((summaries, owner, account) =>
          takeInventory(
            { iam, ec2: () => ({}) as never, lambda: () => ({}) as never, accountId: account },
            summaries,
            owner,
          )),
    },
    {
      accessKeyId: KEY,
      mode: 'delete',
      revokeSessions: true,
      dryRun: false,
      followSessions: false,
      window: { start: new Date('2026-11-26T03:00:00Z'), end: new Date('2026-11-27T03:00:00Z') },
      searchedWhere: 'us-east-1',
      notifiedWhom: 'nobody',
    },
    recordingHost<RespondMessage>(true),
  );
}

describe('respond when the attacker made itself a key', () => {
  it('needs a human (exit 4) while that key still exists, and says so first', async () => {
    const outcome = await respond();
    if (outcome.aborted) throw new Error('aborted');
    const { result } = outcome;
    const message = buildIncidentMessage(incidentReportOf(result));

    expect(result.inventory?.items).toContainEqual(
      expect.objectContaining({ kind: 'access-key', name: ATTACKER_KEY, state: 'exists' }),
    );
    expect(result.needsHuman).toBe(true);
    expect(responseExitCode(result)).toBe(4);
    expect(message.headline).toBe('ACTION REQUIRED: Exposed key deleted, but the attacker left a way in');
    expect(message.doNow[0]).toMatch(new RegExp(`STILL GET IN without the key.*access-key ${ATTACKER_KEY}`));
  });

  it('needs no human once that key is gone', async () => {
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const outcome = await respond();
    if (outcome.aborted) throw new Error('aborted');

    expect(outcome.result.inventory?.items).toContainEqual(
      expect.objectContaining({ kind: 'access-key', name: ATTACKER_KEY, state: 'gone' }),
    );
    expect(outcome.result.needsHuman).toBe(false);
    expect(responseExitCode(outcome.result)).toBe(0);
  });
});

describe('respond for a key IAM here does not hold', () => {
  it('takes no inventory where everything the attacker made would seem gone, and says where to take it', async () => {
    const { NoSuchEntityException } = await import('@aws-sdk/client-iam');
    iamMock
      .on(GetAccessKeyLastUsedCommand)
      .rejects(new NoSuchEntityException({ message: 'The Access Key with id … cannot be found', $metadata: {} }));
    let asked = false;
    const outcome = await respond(async () => {
      asked = true;
      return { items: [], trustedAccounts: 'this-account', truncated: false };
    });
    if (outcome.aborted) throw new Error('aborted');

    expect(outcome.result.containment).toMatchObject({ outcome: 'not-found' });
    expect(asked).toBe(false);
    expect(outcome.result.inventory?.error).toMatch(
      /^not taken: IAM here does not hold key AKIAIOSFODNN7EXAMPLE \(not-found\)/,
    );
    expect(responseExitCode(outcome.result)).toBe(4);
  });
});
