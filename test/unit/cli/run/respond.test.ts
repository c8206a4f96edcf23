import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivitySource } from '../../../../src/activity/activity-source.js';
import { responseProblems } from '../../../../src/cli/render/respond.js';
import {
  type RespondDeps,
  type RespondMessage,
  type RespondResult,
  respondToKey,
  responseExitCode,
} from '../../../../src/cli/run/respond.js';
import { ExitCode, InterruptedError } from '../../../../src/errors.js';
import { containedTag } from '../../../../src/steps/containment/evidence.js';
import { aliceHoldsTheKey, CONTAINED_KEY as KEY } from '../../../support/contained-key.js';
import { recordingHost } from '../../../support/io-host.js';
import { summaryFor } from '../../../support/summaries.js';

const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);

beforeEach(() => {
  iamMock.reset();
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  aliceHoldsTheKey(iamMock);
});

/** A source whose reading is stopped: what a LookupEvents search gives once Ctrl-C was pressed. */
function stoppedSource(onRead: () => void = () => {}): ActivitySource {
  return {
    name: 'lookup-events',
    unsearchable: (message) => new Error(message),
    async summarize(query) {
      onRead();
      return query.accessKeyIds.map((id) =>
        summaryFor(id, {
          truncated: true,
          sessionKeys: ['ASIAIOSFODNN7EXAMPLE'],
          regions: { searched: [], failed: [{ region: 'us-east-1', error: 'stopped before its first page' }] },
        }),
      );
    },
  };
}

/** What `respond --key KEY` asks, in delete mode, over a day's window. */
const OPTIONS = {
  accessKeyId: KEY,
  mode: 'delete' as const,
  revokeSessions: true,
  dryRun: false,
  followSessions: true,
  window: { start: new Date('2026-11-26T03:00:00Z'), end: new Date('2026-11-27T03:00:00Z') },
  searchedWhere: 'us-east-1',
  notifiedWhom: 'nobody',
};

async function respond(deps: Partial<RespondDeps>) {
  return respondToKey(
    { iam: new IAMClient({}), sts: new STSClient({}), source: stoppedSource(), topic: async () => ({}), ...deps },
    OPTIONS,
    recordingHost<RespondMessage>(true),
  );
}

function resultOf(outcome: Awaited<ReturnType<typeof respond>>): RespondResult {
  if (outcome.aborted) throw new Error('aborted');
  return outcome.result;
}

describe('respondToKey for a key IAM no longer knows', () => {
  it('asks before denying the sessions of the user CloudTrail shows held it, and denies nothing when told no', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchEntity' }));
    iamMock.on(GetUserCommand).resolves({});
    const cloudTrail = mockClient(CloudTrailClient);
    cloudTrail.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventName: 'DeleteAccessKey',
          // An hour ago: the sessions it minted may still be valid.
          EventTime: new Date(Date.now() - 3_600_000),
          CloudTrailEvent: JSON.stringify({ requestParameters: { userName: 'alice', accessKeyId: KEY } }),
        },
      ],
    });
    const io = recordingHost<RespondMessage>(false);

    const outcome = await respondToKey(
      {
        iam: new IAMClient({}),
        sts: new STSClient({}),
        cloudTrail: new CloudTrailClient({}),
        source: stoppedSource(),
        topic: async () => ({}),
      },
      { ...OPTIONS, userName: 'alice' },
      io,
    );
    cloudTrail.restore();

    expect(io.questions).toHaveLength(1);
    expect(outcome.aborted).toBe(true);
    const plan = outcome.aborted ? outcome.planned.plan : undefined;
    expect(plan?.status === 'done' && plan.result.actions).toEqual([
      expect.objectContaining({ kind: 'revoke-sessions', target: 'alice', status: 'planned' }),
    ]);
    expect(iamMock).not.toHaveReceivedCommand(PutUserPolicyCommand);
  });
});

describe('respondToKey for a key already inactive', () => {
  /** `respond --mode deactivate --no-revoke-sessions` without a stack: only the record could change. */
  async function respondToInactive(answer: boolean, record: string | null) {
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
    iamMock
      .on(ListUserTagsCommand)
      .resolves({ Tags: record === null ? [] : [{ Key: containedTag(KEY), Value: record }] });
    const io = recordingHost<RespondMessage>(answer);
    const outcome = await respondToKey(
      { iam: new IAMClient({}), sts: new STSClient({}), source: stoppedSource(), topic: async () => ({}) },
      { ...OPTIONS, mode: 'deactivate', revokeSessions: false },
      io,
    );
    return { io, outcome };
  }

  it('asks before leaving the record of its containment on the user, and leaves none when told no', async () => {
    const { io, outcome } = await respondToInactive(false, null);

    expect(io.questions).toHaveLength(1);
    expect(outcome.aborted).toBe(true);
    const plan = outcome.aborted ? outcome.planned.plan : undefined;
    expect(plan?.status === 'done' && plan.result.actions).toEqual([
      expect.objectContaining({ kind: 'record-containment', target: 'alice', status: 'planned' }),
    ]);
    expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
  });

  it('leaves the record it planned once told yes, and reports it done', async () => {
    const { io, outcome } = await respondToInactive(true, null);

    expect(io.questions).toHaveLength(1);
    const result = resultOf(outcome);
    expect(result.containment).toMatchObject({
      outcome: 'already-contained',
      actions: [expect.objectContaining({ kind: 'record-containment', target: 'alice', status: 'done' })],
    });
    expect(iamMock).toHaveReceivedCommandWith(TagUserCommand, {
      UserName: 'alice',
      Tags: [{ Key: containedTag(KEY), Value: expect.stringMatching(/^found inactive /) }],
    });
  });

  it("asks nothing and changes nothing when exposed-keys' earlier record is on the user", async () => {
    const { io, outcome } = await respondToInactive(false, 'deactivated 2026-11-20T03:00:00.000Z');

    expect(io.questions).toHaveLength(0);
    const result = resultOf(outcome);
    expect(result.containment).toMatchObject({ outcome: 'already-contained', actions: [] });
    expect(iamMock).not.toHaveReceivedCommand(TagUserCommand);
  });
});

describe('respondToKey stopped with Ctrl-C', () => {
  it('changes nothing when stopped before containment', async () => {
    const controller = new AbortController();
    controller.abort();

    await expect(respond({ signal: controller.signal })).rejects.toBeInstanceOf(InterruptedError);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('still contains, reports and notifies when stopped during the investigation, and skips the inventory', async () => {
    const controller = new AbortController();
    let inventories = 0;

    const result = resultOf(
      await respond({
        signal: controller.signal,
        source: stoppedSource(() => controller.abort()),
        inventory: async () => {
          inventories += 1;
          return { items: [], trustedAccounts: 'this-account', truncated: false };
        },
      }),
    );

    expect(result.containment).toMatchObject({ outcome: 'deleted' });
    expect(result.interrupted).toBe(true);
    expect(result.activity?.regions.failed).toHaveLength(1);
    // The session keys it had found are listed, each not searched, rather than left out.
    expect(
      result.sessionActivity.map((summary) => [summary.regions.searched, summary.regions.failed[0]?.error]),
    ).toEqual(
      (result.activity?.sessionKeys ?? []).map(() => [[], 'stopped (Ctrl-C) before this session key was searched']),
    );
    expect(inventories).toBe(0);
    expect(result.notification).toMatchObject({ status: 'printed' });
    expect(result.notification.status === 'printed' && result.notification.message).toMatch(
      /NOT searched: us-east-1: stopped before its first page/,
    );
    expect(responseExitCode(result)).toBe(ExitCode.interrupted);
  });

  it('exits 4, not 130, when the key was left usable: a human must act comes first', async () => {
    const controller = new AbortController();
    iamMock.on(DeleteAccessKeyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const result = resultOf(
      await respond({ signal: controller.signal, source: stoppedSource(() => controller.abort()) }),
    );

    expect(result.interrupted).toBe(true);
    expect(responseExitCode(result)).toBe(ExitCode.needsHuman);
  });
});

/** A source that reads the key and the session key it minted, with `ap-southeast-2` failing where told. */
function sourceFailing(where: 'key' | 'session key' | 'nowhere'): ActivitySource {
  const failed = [{ region: 'ap-southeast-2', error: 'gave up after 9 attempts: ThrottlingException' }];
  return {
    name: 'lookup-events',
    unsearchable: (message) => new Error(message),
    async summarize(query) {
      const own = query.accessKeyIds[0] === KEY;
      return query.accessKeyIds.map((id) =>
        summaryFor(id, {
          totalEvents: 3,
          sessionKeys: own ? ['ASIAIOSFODNN7EXAMPLE'] : [],
          regions: { searched: ['us-east-1'], failed: where === (own ? 'key' : 'session key') ? failed : [] },
        }),
      );
    },
  };
}

describe('responseExitCode once the key is contained', () => {
  it('is 0 when everything was searched, recorded and notified', async () => {
    const result = resultOf(await respond({ source: sourceFailing('nowhere') }));

    expect(responseExitCode(result)).toBe(ExitCode.ok);
    expect(responseProblems(result).warnings).toEqual([]);
  });

  it('is 3 when a region of the key was not searched', async () => {
    const result = resultOf(await respond({ source: sourceFailing('key') }));

    expect(result.containment).toMatchObject({ outcome: 'deleted' });
    expect(responseExitCode(result)).toBe(ExitCode.awsFailed);
  });

  it('is 3 when a region of a session key it minted was not searched, and says so on stderr', async () => {
    const result = resultOf(await respond({ source: sourceFailing('session key') }));

    expect(responseExitCode(result)).toBe(ExitCode.awsFailed);
    expect(responseProblems(result).warnings).toEqual([
      'Region not searched for session key ASIAIOSFODNN7EXAMPLE: ap-southeast-2: gave up after 9 attempts: ThrottlingException',
    ]);
  });

  it('is 3 when session keys minted were not searched, past the ones followed, and names them on stderr', async () => {
    const minted = Array.from({ length: 26 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`);
    const source: ActivitySource = {
      name: 'lookup-events',
      unsearchable: (message) => new Error(message),
      summarize: async (query) =>
        query.accessKeyIds.map((id) => summaryFor(id, { totalEvents: 1, sessionKeys: id === KEY ? minted : [] })),
    };

    const result = resultOf(await respond({ source }));

    expect(result.sessionKeysNotSearched).toEqual({
      count: 1,
      keys: [{ accessKeyId: minted[25], mintedBy: KEY, reason: 'limit' }],
      window: { start: expect.any(String), end: expect.any(String) },
    });
    expect(responseExitCode(result)).toBe(ExitCode.awsFailed);
    expect(responseProblems(result).warnings.at(-1)).toMatch(
      new RegExp(`^1 session key\\(s\\) minted NOT searched, past the 25 followed: ${minted[25]} `),
    );
  });

  it('is 3 when IAM refused to record the containment on the user (iam:TagUser), and says so on stderr', async () => {
    iamMock
      .on(TagUserCommand)
      .rejects(Object.assign(new Error('too many tags'), { name: 'LimitExceeded', $metadata: {} }));

    const result = resultOf(await respond({ source: sourceFailing('nowhere') }));

    expect(result.containment).toMatchObject({ outcome: 'deleted' });
    expect('warnings' in result.containment && result.containment.warnings.join()).toMatch(/TagUser/);
    expect(responseExitCode(result)).toBe(ExitCode.awsFailed);
    expect(responseProblems(result).warnings.join('\n')).toMatch(/iam:TagUser/);
  });

  it('is still 4 when a human must act, whatever else failed', async () => {
    iamMock.on(DeleteAccessKeyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const result = resultOf(await respond({ source: sourceFailing('key') }));

    expect(responseExitCode(result)).toBe(ExitCode.needsHuman);
  });
});
