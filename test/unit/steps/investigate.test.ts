import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  startCloudTrailLookupServer,
} from '../../../emulators/cloudtrail-lookup-server.js';
import type { ActivityQuery, ActivitySource } from '../../../src/activity/activity-source.js';
import type { ActivitySummary } from '../../../src/activity/activity-summary.js';
import { lookupEventsSource } from '../../../src/activity/lookup-events/lookup-events-source.js';
import { investigationExitCode } from '../../../src/cli/run/investigate.js';
import { ExitCode, InvestigationError } from '../../../src/errors.js';
import { investigateKey, MAX_SESSION_KEYS_FOLLOWED, windowEnding } from '../../../src/steps/investigate.js';
import { cloudTrailAt } from '../../support/cloudtrail-clients.js';
import { INVICTUS_KEY, INVICTUS_WINDOW, loadInvictusRecords } from '../../support/fixtures.js';
import { summaryFor } from '../../support/summaries.js';

let fixture: CloudTrailLookupServer;

beforeAll(async () => {
  fixture = await startCloudTrailLookupServer({ records: loadInvictusRecords(), requestsPerSecond: 0 });
});
afterAll(() => fixture.stop());

const options = { accessKeyId: INVICTUS_KEY, window: INVICTUS_WINDOW };

/** A source that answers from a function, and remembers what it was asked. */
function fakeSource(
  answer: (query: ActivityQuery) => ActivitySummary[],
): ActivitySource & { queries: ActivityQuery[] } {
  const queries: ActivityQuery[] = [];
  return {
    name: 'cloudtrail-logs',
    unsearchable: (message) => new InvestigationError(message, { hint: 'check the fake' }),

    queries,
    async summarize(query) {
      queries.push(query);
      return answer(query);
    },
  };
}

describe('investigateKey over LookupEvents', () => {
  const source = () =>
    lookupEventsSource(
      { cloudTrail: cloudTrailAt(fixture.endpoint) },
      { regions: ['us-east-1'], requestsPerSecond: 1000, clock: () => INVICTUS_WINDOW.end },
    );

  it('follows the session keys the key minted, apart from its own activity, busiest first', async () => {
    const { activity, sessionActivity } = await investigateKey({ source: source() }, options);

    expect(activity.accessKeyId).toBe(INVICTUS_KEY);
    expect(sessionActivity.map((summary) => summary.accessKeyId).sort()).toEqual(activity.sessionKeys);
    const totals = sessionActivity.map((summary) => summary.totalEvents);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(sessionActivity[0]).toMatchObject({ accessKeyId: 'ASIATFQR7NSCWLLE7IWW', totalEvents: 29 });
  });

  it('does not follow session keys when asked not to', async () => {
    const { sessionActivity } = await investigateKey({ source: source() }, { ...options, followSessionKeys: false });

    expect(sessionActivity).toEqual([]);
  });
});

describe('investigateKey over role chaining', () => {
  const KEY = 'AKIAAAAAAAAAAAAAAAAA';
  const SESSION = 'ASIABBBBBBBBBBBBBBBB';
  const CHAINED = 'ASIACCCCCCCCCCCCCCCC';
  const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') };
  const call = (eventID: string, accessKeyId: string, eventName: string, fields: Record<string, unknown>) => ({
    eventID,
    eventTime: '2026-01-01T12:00:00Z',
    eventName,
    eventSource: eventName === 'CreateUser' ? 'iam.amazonaws.com' : 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    userIdentity: { accessKeyId },
    ...fields,
  });
  let chain: CloudTrailLookupServer;

  beforeAll(async () => {
    chain = await startCloudTrailLookupServer({
      requestsPerSecond: 0,
      records: [
        call('1', KEY, 'GetSessionToken', { responseElements: { credentials: { accessKeyId: SESSION } } }),
        call('2', SESSION, 'AssumeRole', {
          requestParameters: { roleArn: 'arn:aws:iam::111111111111:role/Admin' },
          responseElements: { credentials: { accessKeyId: CHAINED } },
        }),
        call('3', CHAINED, 'CreateUser', { requestParameters: { userName: 'backdoor' } }),
      ],
    });
  });
  afterAll(() => chain.stop());

  it('follows the keys a session key minted, hop by hop, and finds what the last one did', async () => {
    const source = lookupEventsSource(
      { cloudTrail: cloudTrailAt(chain.endpoint) },
      { regions: ['us-east-1'], requestsPerSecond: 1000, clock: () => window.end },
    );

    const { sessionActivity, sessionKeysNotSearched } = await investigateKey({ source }, { accessKeyId: KEY, window });

    expect(sessionActivity.map((summary) => [summary.accessKeyId, summary.totalEvents])).toEqual([
      [SESSION, 1],
      [CHAINED, 1],
    ]);
    expect(sessionActivity[1]?.riskyEvents).toMatchObject([
      { eventName: 'CreateUser', resources: [{ type: 'AWS::IAM::User', name: 'backdoor' }] },
    ]);
    expect(sessionKeysNotSearched).toBeUndefined();
  });
});

describe('investigateKey over a role of another account', () => {
  const KEY = 'AKIAAAAAAAAAAAAAAAAA';
  const ELSEWHERE = 'ASIAEEEEEEEEEEEEEEEE';
  const HERE = 'ASIAHHHHHHHHHHHHHHHH';
  const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') };
  const assumed = (eventID: string, account: string, minted: string) => ({
    eventID,
    eventTime: '2026-01-01T12:00:00Z',
    eventName: 'AssumeRole',
    eventSource: 'sts.amazonaws.com',
    awsRegion: 'us-east-1',
    recipientAccountId: '111111111111',
    userIdentity: { accessKeyId: KEY, accountId: '111111111111' },
    requestParameters: { roleArn: `arn:aws:iam::${account}:role/Admin` },
    responseElements: {
      credentials: { accessKeyId: minted, expiration: 'Jan 1, 2026, 1:00:00 PM' },
      assumedRoleUser: { arn: `arn:aws:sts::${account}:assumed-role/Admin/s` },
    },
  });
  let trail: CloudTrailLookupServer;

  beforeAll(async () => {
    trail = await startCloudTrailLookupServer({
      requestsPerSecond: 0,
      records: [
        assumed('1', '999999999999', ELSEWHERE),
        assumed('2', '111111111111', HERE),
        { ...assumed('3', '111111111111', HERE), eventName: 'GetCallerIdentity', userIdentity: { accessKeyId: HERE } },
      ],
    });
  });
  afterAll(() => trail.stop());

  const source = (account?: string) =>
    lookupEventsSource(
      { cloudTrail: cloudTrailAt(trail.endpoint) },
      { regions: ['us-east-1'], requestsPerSecond: 1000, clock: () => window.end, account },
    );

  it('does not take it, found quiet here, for a key that did nothing: says where it is recorded and how to search it', async () => {
    const investigation = await investigateKey({ source: source('111111111111') }, { accessKeyId: KEY, window });

    const elsewhere = investigation.sessionActivity.find((summary) => summary.accessKeyId === ELSEWHERE);
    expect(elsewhere?.regions).toEqual({
      searched: [],
      failed: [
        {
          region: '(every region) of account 999999999999',
          error: `a session of account 999999999999 (AssumeRole by ${KEY}): its calls are recorded in that account's CloudTrail, which this search does not read. Search it there: exposed-keys investigate --key ${ELSEWHERE} --account 999999999999 --start 2026-01-01T00:00:00.000Z --end 2026-01-02T00:00:00.000Z (from the organisation's hub, through its responder role; else with --profile <a profile of account 999999999999> in place of --account)`,
        },
      ],
    });
    const here = investigation.sessionActivity.find((summary) => summary.accessKeyId === HERE);
    expect(here).toMatchObject({ totalEvents: 1, regions: { searched: ['us-east-1'], failed: [] } });
    expect(investigationExitCode(investigation, false)).toBe(ExitCode.awsFailed);
  });

  it('keeps what was found of a session of an account the source says it does not read', async () => {
    const minted = {
      accessKeyId: ELSEWHERE,
      eventName: 'AssumeRole',
      eventTime: '2026-01-01T12:00:00.000Z',
      expiration: null,
      accountId: '999999999999',
    };
    const found = fakeSource((query) =>
      query.accessKeyIds.map((id) =>
        id === KEY
          ? summaryFor(id, { sessionKeys: [ELSEWHERE], sessionKeysMinted: [minted] })
          : summaryFor(id, { totalEvents: 3 }),
      ),
    );
    const source: ActivitySource = { ...found, readsAccount: async () => false };

    const { sessionActivity } = await investigateKey({ source }, { accessKeyId: KEY, window });

    expect(sessionActivity[0]).toMatchObject({ totalEvents: 3, regions: { searched: ['us-east-1'], failed: [] } });
  });

  it('takes it for quiet when the account read is not known, as it cannot tell', async () => {
    const { sessionActivity } = await investigateKey({ source: source() }, { accessKeyId: KEY, window });

    expect(sessionActivity.find((summary) => summary.accessKeyId === ELSEWHERE)?.regions.searched).toEqual([
      'us-east-1',
    ]);
  });
});

/** `ASIA…` key number `n` of a tree in which key n mints keys 2n+1 and 2n+2; 0 is the key investigated. */
function treeKey(n: number): string {
  return n === 0 ? INVICTUS_KEY : `ASIA${String(n).padStart(16, '0')}`;
}

function treeNumber(key: string): number {
  return key === INVICTUS_KEY ? 0 : Number(key.slice(4));
}

/** A source over that tree: every key made one call, and key 3 minted key 1 again (a key seen before). */
function treeSource() {
  return fakeSource((query) =>
    query.accessKeyIds.map((id) => {
      const n = treeNumber(id);
      const children = [2 * n + 1, 2 * n + 2, ...(n === 3 ? [1] : [])].map(treeKey);
      return { ...summaryFor(id), totalEvents: 1, sessionKeys: children.sort() };
    }),
  );
}

describe('investigateKey following session keys hop by hop', () => {
  it('follows each key once, at most MAX_SESSION_KEYS_FOLLOWED in all, and names the rest as not searched', async () => {
    const source = treeSource();

    const { sessionActivity, sessionKeysNotSearched } = await investigateKey({ source }, options);

    const followed = Array.from({ length: MAX_SESSION_KEYS_FOLLOWED }, (_, index) => treeKey(index + 1));
    expect(source.queries.slice(1).flatMap((query) => query.accessKeyIds)).toEqual(followed);
    expect(sessionActivity.map((summary) => summary.accessKeyId).sort()).toEqual([...followed].sort());
    // Keys 26 to 30 of the last hop's, then the 22 that the last hop's keys minted.
    expect(sessionKeysNotSearched?.count).toBe(5 + 22);
    expect(sessionKeysNotSearched?.keys.slice(0, 6)).toEqual([
      { accessKeyId: treeKey(26), mintedBy: treeKey(12), reason: 'limit' },
      { accessKeyId: treeKey(27), mintedBy: treeKey(13), reason: 'limit' },
      { accessKeyId: treeKey(28), mintedBy: treeKey(13), reason: 'limit' },
      { accessKeyId: treeKey(29), mintedBy: treeKey(14), reason: 'limit' },
      { accessKeyId: treeKey(30), mintedBy: treeKey(14), reason: 'limit' },
      { accessKeyId: treeKey(31), mintedBy: treeKey(15), reason: 'limit' },
    ]);
    expect(investigationExitCode({ sessionActivity, sessionKeysNotSearched }, false)).toBe(ExitCode.awsFailed);
  });

  it('keeps to the deadline by the clock, whatever time the window is of', async () => {
    const source = treeSource();

    const { sessionActivity } = await investigateKey(
      { source },
      { ...options, deadline: Date.now() + 60_000, now: () => new Date('2099-01-01T00:00:00Z') },
    );

    expect(sessionActivity).toHaveLength(MAX_SESSION_KEYS_FOLLOWED);
  });

  it('begins no hop past the deadline, naming its keys as not searched for want of time', async () => {
    const source = treeSource();
    let now = 0;
    const timed: ActivitySource = {
      ...source,
      summarize: async (query) => {
        now += 600;
        return source.summarize(query);
      },
    };

    const { sessionActivity, sessionKeysNotSearched } = await investigateKey(
      { source: timed },
      { ...options, deadline: 1000, clock: () => now },
    );

    expect(sessionActivity.map((summary) => summary.accessKeyId).sort()).toEqual([treeKey(1), treeKey(2)]);
    expect(sessionKeysNotSearched).toEqual({
      count: 4,
      keys: [3, 4, 5, 6].map((n) => ({
        accessKeyId: treeKey(n),
        mintedBy: treeKey(n <= 4 ? 1 : 2),
        reason: 'time',
      })),
      window: { start: INVICTUS_WINDOW.start.toISOString(), end: INVICTUS_WINDOW.end.toISOString() },
    });
  });
});

describe('investigateKey with more session keys than it follows', () => {
  it('follows those of roles and federation first, then the latest minted, and names the rest', async () => {
    // Ids in the reverse order of the evidence: an order by id would follow exactly the wrong ones.
    const id = (n: number) => `ASIA${String(n).padStart(16, '0')}`;
    const at = (minute: number) => `2023-07-10T12:${String(minute).padStart(2, '0')}:00.000Z`;
    const mint = (n: number, eventName: string, minute: number) => ({
      accessKeyId: id(n),
      eventName,
      eventTime: at(minute),
      expiration: null,
      accountId: null,
    });
    const minted = [
      ...Array.from({ length: 20 }, (_, n) => mint(n, 'GetSessionToken', n)),
      ...Array.from({ length: 8 }, (_, n) => mint(20 + n, 'AssumeRole', n)),
      ...Array.from({ length: 2 }, (_, n) => mint(28 + n, 'GetFederationToken', 30 + n)),
    ];
    const source = fakeSource((query) =>
      query.accessKeyIds.map((key) =>
        key === INVICTUS_KEY
          ? { ...summaryFor(key), sessionKeys: minted.map((m) => m.accessKeyId), sessionKeysMinted: minted }
          : summaryFor(key),
      ),
    );

    const { sessionKeysNotSearched } = await investigateKey({ source }, options);

    expect(source.queries[1]?.accessKeyIds).toEqual([
      id(29),
      id(28),
      ...[27, 26, 25, 24, 23, 22, 21, 20].map(id),
      ...[19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5].map(id),
    ]);
    expect(sessionKeysNotSearched?.keys.map((key) => key.accessKeyId)).toEqual([4, 3, 2, 1, 0].map(id));
  });
});

describe('investigateKey over the time a session key works', () => {
  const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') };
  const SESSION = 'ASIABBBBBBBBBBBBBBBB';
  const minted = (eventName: string, eventTime: string, expiration: string | null) => ({
    accessKeyId: SESSION,
    eventName,
    eventTime,
    expiration,
    accountId: null,
  });
  /** The window the session key minted as `how` was searched over, at `now`. */
  async function sessionWindowOf(how: ReturnType<typeof minted>, now: string) {
    const source = fakeSource((query) =>
      query.accessKeyIds.map((id) =>
        id === INVICTUS_KEY ? summaryFor(id, { sessionKeys: [SESSION], sessionKeysMinted: [how] }) : summaryFor(id),
      ),
    );
    await investigateKey({ source }, { accessKeyId: INVICTUS_KEY, window, now: () => new Date(now) });
    return source.queries[1]?.window;
  }

  it('searches a session minted just before the window ends for the 36 hours it may work, never past now', async () => {
    const late = minted('GetSessionToken', '2026-01-01T23:55:00.000Z', null);

    expect(await sessionWindowOf(late, '2026-01-05T00:00:00Z')).toEqual({
      start: window.start,
      end: new Date('2026-01-03T11:55:00Z'),
    });
    expect(await sessionWindowOf(late, '2026-01-02T06:00:00Z')).toEqual({
      start: window.start,
      end: new Date('2026-01-02T06:00:00Z'),
    });
  });

  it('searches it until the expiration its minting call answered, when there is one', async () => {
    const role = minted('AssumeRole', '2026-01-01T23:55:00.000Z', '2026-01-02T00:55:00.000Z');

    expect(await sessionWindowOf(role, '2026-01-05T00:00:00Z')).toEqual({
      start: window.start,
      end: new Date('2026-01-02T00:55:00Z'),
    });
  });

  it("keeps the key's window when the session ended within it", async () => {
    const early = minted('AssumeRole', '2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z');

    expect(await sessionWindowOf(early, '2026-01-05T00:00:00Z')).toBe(window);
  });
});

describe('investigateKey and calls CloudTrail has not shown yet', () => {
  const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') };
  const source = () =>
    fakeSource((query) =>
      query.accessKeyIds.map((id) => ({
        ...summaryFor(id),
        window: { start: query.window.start.toISOString(), end: query.window.end.toISOString() },
        sessionKeys: id === INVICTUS_KEY ? ['ASIAIOSFODNN7EXAMPLE'] : [],
      })),
    );
  const at = (minutes: number) => () => new Date(window.end.getTime() + minutes * 60_000);

  it('says, of a window ending minutes before the search, that its last calls may not show yet, and how to search again', async () => {
    const investigation = await investigateKey({ source: source() }, { accessKeyId: INVICTUS_KEY, window, now: at(3) });

    expect(investigation.activity.caveats).toEqual([
      `The window ends at 2026-01-02T00:00:00.000Z, 3 minute(s) before this search: CloudTrail shows a call's event about 5 minutes after it, at times later, so calls of its last minutes may not show yet. Search again after 2026-01-02T00:15:00.000Z, in the same account: exposed-keys investigate --key ${INVICTUS_KEY} --start 2026-01-01T00:00:00.000Z --end 2026-01-02T00:00:00.000Z`,
    ]);
    expect(investigation.sessionActivity[0]?.caveats).toHaveLength(1);
    expect(investigationExitCode(investigation, false)).toBe(ExitCode.ok);
  });

  it('gives the command that searches again where this search read (log files, Athena, a member account)', async () => {
    const investigation = await investigateKey(
      { source: source() },
      { accessKeyId: INVICTUS_KEY, window, now: at(3), searchedWith: " --logs '/srv/trail logs'" },
    );

    expect(investigation.activity.caveats?.[0]).toMatch(
      / --start 2026-01-01T00:00:00\.000Z --end 2026-01-02T00:00:00\.000Z --logs '\/srv\/trail logs'$/,
    );
    expect(investigation.sessionActivity[0]?.caveats?.[0]).toMatch(/ --logs '\/srv\/trail logs'$/);
  });

  it('says nothing of a window that ended 15 minutes or more before the search', async () => {
    const investigation = await investigateKey(
      { source: source() },
      { accessKeyId: INVICTUS_KEY, window, now: at(15) },
    );

    expect(investigation.activity).not.toHaveProperty('caveats');
  });
});

describe('investigateKey over any source', () => {
  it('follows at most the first MAX_SESSION_KEYS_FOLLOWED session keys, in one read, with the same window', async () => {
    const minted = Array.from({ length: 30 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`);
    const source = fakeSource((query) =>
      query.accessKeyIds.map((id) => ({
        ...summaryFor(id),
        sessionKeys: id === INVICTUS_KEY ? minted : [],
        totalEvents: id === INVICTUS_KEY ? 5 : Number(id.slice(-2)),
      })),
    );

    const { sessionActivity, sessionKeysNotSearched } = await investigateKey({ source }, options);

    expect(source.queries).toHaveLength(2);
    expect(source.queries[1]?.accessKeyIds).toEqual(minted.slice(0, MAX_SESSION_KEYS_FOLLOWED));
    expect(source.queries[1]?.window).toBe(INVICTUS_WINDOW);
    expect(sessionActivity.map((summary) => summary.totalEvents)).toEqual(
      Array.from({ length: MAX_SESSION_KEYS_FOLLOWED }, (_, index) => MAX_SESSION_KEYS_FOLLOWED - 1 - index),
    );
    expect(sessionKeysNotSearched?.count).toBe(5);
  });

  it("throws an InvestigationError naming each region, with the source's hint, when none could be searched", async () => {
    const source = fakeSource((query) =>
      query.accessKeyIds.map((id) => ({
        ...summaryFor(id),
        regions: {
          searched: [],
          failed: [
            { region: 'eu-west-1', error: 'AccessDeniedException' },
            { region: 'us-east-1', error: 'ExpiredToken' },
          ],
        },
      })),
    );

    const run = investigateKey({ source }, options);

    await expect(run).rejects.toBeInstanceOf(InvestigationError);
    await expect(run).rejects.toThrow(/eu-west-1: AccessDeniedException; us-east-1: ExpiredToken/);
    await expect(run).rejects.toMatchObject({ hint: 'check the fake' });
  });
  it('says a reason every region failed for once, naming the regions, rather than once a region', async () => {
    const denied =
      'AccessDenied: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudtrail:LookupEvents';
    const regions = ['af-south-1', 'ap-east-1', 'eu-west-1', 'us-east-1', 'us-west-2'];
    const source = fakeSource((query) =>
      query.accessKeyIds.map((id) => ({
        ...summaryFor(id),
        regions: {
          searched: [],
          failed: [
            ...regions.map((region) => ({ region, error: denied })),
            { region: 'me-south-1', error: 'ExpiredToken' },
          ],
        },
      })),
    );

    const error = await investigateKey({ source }, options).catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(InvestigationError);
    expect((error as Error).message).toBe(
      `No region could be searched for ${INVICTUS_KEY}: af-south-1, ap-east-1, eu-west-1, us-east-1, us-west-2: ${denied}; me-south-1: ExpiredToken`,
    );
  });
});

describe('investigateKey when every region failed after some pages', () => {
  it('keeps what was read, each region saying so, rather than fail', async () => {
    const failed = [
      { region: 'us-east-1', error: 'InternalServerError (after 2 page(s): the 100 event(s) read are counted)' },
    ];
    const source = fakeSource((query) =>
      query.accessKeyIds.map((id) => ({ ...summaryFor(id), totalEvents: 100, regions: { searched: [], failed } })),
    );

    const investigation = await investigateKey({ source }, { ...options, followSessionKeys: false });

    expect(investigation.activity).toMatchObject({ totalEvents: 100, regions: { searched: [], failed } });
    expect(investigationExitCode(investigation, false)).toBe(ExitCode.awsFailed);
  });
});

describe('windowEnding', () => {
  it('ends at now and starts the given hours before', () => {
    const now = new Date('2026-11-27T03:00:00Z');

    expect(windowEnding(now, 24)).toEqual({ start: new Date('2026-11-26T03:00:00Z'), end: now });
  });
});

describe('investigateKey stopped by its signal (Ctrl-C)', () => {
  it('returns what was read, not an InvestigationError, and takes no second hop', async () => {
    const controller = new AbortController();
    const source = fakeSource((query) => {
      controller.abort();
      return query.accessKeyIds.map((id) => ({
        ...summaryFor(id),
        sessionKeys: ['ASIATFQR7NSCWLLE7IWW'],
        truncated: true,
        regions: { searched: [], failed: [{ region: 'us-east-1', error: 'stopped before its first page' }] },
      }));
    });

    const { activity, sessionActivity } = await investigateKey({ source }, { ...options, signal: controller.signal });

    expect(activity.regions.failed).toHaveLength(1);
    expect(activity.truncated).toBe(true);
    expect(sessionActivity.map((summary) => [summary.accessKeyId, summary.regions, summary.truncated])).toEqual([
      [
        'ASIATFQR7NSCWLLE7IWW',
        {
          searched: [],
          failed: [{ region: 'us-east-1', error: 'stopped (Ctrl-C) before this session key was searched' }],
        },
        true,
      ],
    ]);
    expect(source.queries).toHaveLength(1);
  });
});

describe('investigateKey stopped during its second hop', () => {
  it('keeps the key’s own summary, read whole, and lists each session key as not searched, rather than drop them', async () => {
    const controller = new AbortController();
    const source = fakeSource((query) => {
      if (query.accessKeyIds[0] === options.accessKeyId)
        return [{ ...summaryFor(options.accessKeyId), totalEvents: 2104, sessionKeys: ['ASIATFQR7NSCWLLE7IWW'] }];
      controller.abort();
      throw new Error('Stopped the Athena query q-2.');
    });

    const { activity, sessionActivity } = await investigateKey({ source }, { ...options, signal: controller.signal });

    expect(activity.totalEvents).toBe(2104);
    expect(sessionActivity).toHaveLength(1);
    expect(sessionActivity[0]).toMatchObject({
      accessKeyId: 'ASIATFQR7NSCWLLE7IWW',
      totalEvents: 0,
      truncated: true,
      regions: {
        searched: [],
        failed: activity.regions.searched.map((region) => ({
          region,
          error: 'stopped (Ctrl-C) before this session key was searched',
        })),
      },
    });
    expect(source.queries).toHaveLength(2);
  });

  it('keeps the key’s own summary when the second hop fails, listing each session key as not searched, with why', async () => {
    const sessionKeys = ['ASIATFQR7NSCWLLE7IWW', 'ASIAZZZZZZZZZZZZZZZZ'];
    const source = fakeSource((query) => {
      if (query.accessKeyIds[0] === options.accessKeyId)
        return [
          {
            ...summaryFor(options.accessKeyId),
            totalEvents: 2104,
            sessionKeys,
            regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-1', error: 'AccessDenied' }] },
          },
        ];
      throw new Error('s3:ListObjectsV2 failed: ExpiredToken: The provided token has expired.');
    });

    const result = await investigateKey({ source }, options);

    const why =
      'the search of the session keys failed: s3:ListObjectsV2 failed: ExpiredToken: The provided token has expired.';
    expect(result.activity.totalEvents).toBe(2104);
    expect(result.sessionActivity.map((summary) => [summary.accessKeyId, summary.regions, summary.truncated])).toEqual(
      sessionKeys.map((key) => [
        key,
        {
          searched: [],
          failed: [
            { region: 'eu-west-1', error: why },
            { region: 'us-east-1', error: why },
          ],
        },
        true,
      ]),
    );
    expect(investigationExitCode(result, false)).toBe(ExitCode.awsFailed);
  });
});
