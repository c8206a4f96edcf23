import { describe, expect, it } from 'vitest';
import type { ActivitySummary } from '../../../src/activity/activity-summary.js';
import { customNotification } from '../../../src/message/chat.js';
import { messageOf } from '../../../src/message/message-of.js';
import type { IncidentReport } from '../../../src/steps/incident-outcome.js';
import { incidentFor } from '../../support/incidents.js';
import { deletedReport, REPORT_KEY } from '../../support/reports.js';
import { summaryFor } from '../../support/summaries.js';

const FAILED = ['eu-west-1', 'eu-central-1', 'ap-southeast-1', 'us-west-2', 'sa-east-1'].map((region) => ({
  region,
  error: 'AccessDeniedException: explicit deny in a service control policy',
}));

/** A response whose investigation found 3 calls, nothing risky, in what it could read. */
function searched(overrides: Parameters<typeof summaryFor>[1], report: Partial<IncidentReport> = {}): IncidentReport {
  return deletedReport({
    investigation: {
      status: 'done',
      result: {
        activity: summaryFor(REPORT_KEY, {
          totalEvents: 3,
          sourceIps: [{ name: '203.0.113.9', count: 3 }],
          ...overrides,
        }),
        sessionActivity: [],
      },
    },
    ...report,
  });
}

/** The inventory taken from `summaries`, in an account where every check finds nothing. */
async function inventoryFrom(summaries: ActivitySummary[]) {
  const { takeInventory } = await import('../../../src/steps/inventory/take-inventory.js');
  const none = { send: async () => ({}) };
  return takeInventory(
    { iam: none, ec2: () => none, lambda: () => none, accountId: '123456789012' } as never,
    summaries,
    'alice',
  );
}

describe('the head of an incident whose search was not complete', () => {
  it('says how many regions were not searched beside "nothing risky", in the e-mail and the chat alike', () => {
    const message = messageOf(searched({ regions: { searched: ['us-east-1'], failed: FAILED } }));

    expect(message.attackerDid).toEqual([
      '3 calls from 1 address; nothing risky among them.',
      'the search was NOT complete: 5 region(s) NOT searched; it may have done more than this.',
    ]);
    expect(customNotification(message, 'event-1').content.description).toContain('5 region(s) NOT searched');
    expect(message.doNow).toContainEqual(
      expect.stringMatching(/^Search the regions that failed: .* --regions eu-west-1,/),
    );
  });

  it('gives the command that searches the regions that failed over the window that was searched, not the last 24 hours', () => {
    const message = messageOf(searched({ regions: { searched: ['us-east-1'], failed: FAILED } }));

    expect(message.doNow).toContainEqual(
      `Search the regions that failed: exposed-keys investigate --key ${REPORT_KEY} --regions eu-west-1,eu-central-1,ap-southeast-1,us-west-2,sa-east-1 --start 2026-11-26T03:00:00.000Z --end 2026-11-27T03:00:00.000Z`,
    );
  });

  it('says the search was cut short, and gives the command to search its window again, and where to look further back', () => {
    const message = messageOf(searched({ truncated: true }));

    expect(message.attackerDid.join('\n')).toContain('the search was NOT complete: search cut short');
    expect(message.doNow).toContainEqual(
      `Search again, with more time (the search was cut short): exposed-keys investigate --key ${REPORT_KEY} --start 2026-11-26T03:00:00.000Z; for what lies before 2026-11-26T03:00:00.000Z, with --logs or --athena-table`,
    );
  });

  it('points to the places an Athena table did not read, each line naming how, rather than a LookupEvents command', () => {
    const failed = [
      {
        region: '(after 2024-07-01T23:45:00.000Z) athena:trail.events',
        error: 'the table athena:trail.events holds the days 2024/06/30 to 2024/07/01 only: search it elsewhere',
      },
    ];
    const message = messageOf(
      searched({ source: 'athena', truncated: true, regions: { searched: ['us-east-1'], failed } }),
    );

    expect(message.doNow.filter((step) => /Search/.test(step))).toEqual([
      'Search again what the Athena table did not read (its search cut short, or places NOT searched): each line below that says NOT searched names how',
    ]);
    expect(message.doNow.join('\n')).not.toMatch(/--regions <regions>|with more time/);
  });

  it("names the member's account in the command when the hub responded for it", () => {
    const message = messageOf(
      searched(
        { truncated: true },
        { incident: { ...incidentFor(REPORT_KEY, 'alice'), accountId: '210987654321' }, actedFrom: '123456789012' },
      ),
    );

    expect(message.doNow).toContainEqual(
      expect.stringContaining(
        `exposed-keys investigate --key ${REPORT_KEY} --account 210987654321 --start 2026-11-26T03:00:00.000Z`,
      ),
    );
  });

  it('says nothing of it when the search read everything', () => {
    const message = messageOf(searched({}));

    expect(message.attackerDid).toEqual(['3 calls from 1 address; nothing risky among them.']);
    expect(message.doNow.join('\n')).not.toMatch(/Search again|regions that failed/);
  });
});

describe('the facts of an incident', () => {
  const withFirstCall = (firstSeen: string) =>
    messageOf(
      searched(
        { firstSeen, lastSeen: '2026-11-26T22:06:00.000Z' },
        { incident: incidentFor(REPORT_KEY, 'alice', { detectedAt: '2026-11-26T22:00:00.000Z' }) },
      ),
    ).facts.find(([label]) => label === 'First seen')?.[1];

  it('say how long before detection the first call was, or how long after when it came later', () => {
    expect(withFirstCall('2026-11-26T21:55:00.000Z')).toBe(
      '2026-11-26T21:55:00.000Z, 5 min 0 s before detection (first call in the window searched)',
    );
    expect(withFirstCall('2026-11-26T22:05:00.000Z')).toBe(
      '2026-11-26T22:05:00.000Z, 5 min 0 s after detection (first call in the window searched)',
    );
  });
});

describe('what the attacker left, taken from a search that was not complete', () => {
  it('says the inventory is not complete, and which regions were not searched, under WHAT THE ATTACKER LEFT and in "Do now"', async () => {
    const activity = summaryFor(REPORT_KEY, {
      regions: {
        searched: ['us-east-1'],
        failed: [
          { region: 'eu-west-1', error: 'AccessDenied' },
          { region: 'ap-south-1', error: 'AccessDenied' },
        ],
      },
      truncated: true,
    });
    const session = summaryFor('ASIAIOSFODNN7EXAMPLE', {
      regions: { searched: [], failed: [{ region: 'eu-west-1', error: 'AccessDenied' }] },
    });
    const inventory = await inventoryFrom([activity, session]);

    const message = messageOf(
      deletedReport({ investigation: { status: 'done', result: { activity, sessionActivity: [session], inventory } } }),
    );

    const gaps =
      'NOT complete, only from the activity read: 2 region(s) NOT searched for the key or its session keys (eu-west-1, ap-south-1), and the search cut short; what the attacker made in what was not read is not listed.';
    expect(message.left[0]).toContain(gaps);
    expect(message.doNow.find((step) => step.startsWith('Remove what the attacker left'))).toContain(gaps);
    expect(customNotification(message, 'event-1').content.description).toContain('NOT complete');
  });

  it('says too that log files could not be read and session keys the key minted were not searched', async () => {
    const activity = summaryFor(REPORT_KEY, {
      sessionKeys: ['ASIAIOSFODNN7EXAMPLE', 'ASIAI44QH8DHBEXAMPLE'],
      filesNotRead: { count: 3, files: [{ path: 'AWSLogs/a.json.gz', error: 'KMS' }] },
    });
    const session = summaryFor('ASIAIOSFODNN7EXAMPLE', {});
    const inventory = await inventoryFrom([activity, session]);

    const message = messageOf(
      deletedReport({ investigation: { status: 'done', result: { activity, sessionActivity: [session], inventory } } }),
    );

    expect(inventory.basis).toMatchObject({ filesNotRead: 3, sessionKeysNotSearched: 1 });
    expect(message.left[0]).toContain(
      'NOT complete, only from the activity read: 3 log file(s) NOT read, and 1 session key(s) it minted NOT searched;',
    );
  });

  it('counts a key a session key minted and nobody searched as a session key not searched', async () => {
    const activity = summaryFor(REPORT_KEY, { sessionKeys: ['ASIAIOSFODNN7EXAMPLE'] });
    const session = summaryFor('ASIAIOSFODNN7EXAMPLE', { sessionKeys: ['ASIAI44QH8DHBEXAMPLE'] });

    const inventory = await inventoryFrom([activity, session]);

    expect(inventory.basis).toMatchObject({ sessionKeysNotSearched: 1 });
  });

  it('says nothing of it when the search left nothing out', () => {
    const activity = summaryFor(REPORT_KEY);
    const inventory = {
      items: [],
      trustedAccounts: 'this-account' as const,
      truncated: false,
      basis: { regionsNotSearched: [], searchCutShort: false },
    };

    const message = messageOf(
      deletedReport({ investigation: { status: 'done', result: { activity, sessionActivity: [], inventory } } }),
    );

    expect(message.left[0]).toMatch(/^0 thing\(s\) the attacker made still exist/);
  });
});

describe('the caveats of an investigation', () => {
  it('gives each as a note among what was done', () => {
    const activity = summaryFor(REPORT_KEY, { caveats: ['calls of its last minutes may not show yet'] });

    const message = messageOf(
      deletedReport({ investigation: { status: 'done', result: { activity, sessionActivity: [] } } }),
    );

    expect(message.done).toContain('NOTE: calls of its last minutes may not show yet');
  });
});

describe('the session keys of an incident', () => {
  it('names the session keys minted that were not searched, past the ones followed', () => {
    const minted = Array.from({ length: 30 }, (_, index) => `ASIA${String(index).padStart(16, '0')}`);
    const activity = summaryFor(REPORT_KEY, { sessionKeys: minted });
    const followed = minted.slice(0, 25).map((key) => summaryFor(key, {}));
    const window = { start: activity.window.start, end: '2026-11-28T15:00:00.000Z' };
    const sessionKeysNotSearched = {
      count: 5,
      keys: minted.slice(25).map((accessKeyId) => ({ accessKeyId, mintedBy: REPORT_KEY, reason: 'limit' as const })),
      window,
    };

    const message = messageOf(
      deletedReport({
        investigation: { status: 'done', result: { activity, sessionActivity: followed, sessionKeysNotSearched } },
      }),
    );

    expect(message.done).toContain('Followed 25 session key(s) minted by the key (below).');
    expect(message.done).toContain(
      `5 more session key(s) minted were NOT searched, past the 25 followed (${minted.slice(25).join(', ')}): exposed-keys investigate --key <ASIA…> --start ${window.start} --end ${window.end} searches one.`,
    );
    expect(message.attackerDid).toContain(
      '5 session key(s) minted were NOT searched: it may have done more through them.',
    );
  });

  it('says to search a session of another account there, rather than in regions it does not name', () => {
    const ELSEWHERE = 'ASIAEEEEEEEEEEEEEEEE';
    const activity = summaryFor(REPORT_KEY, { sessionKeys: [ELSEWHERE] });
    const session = summaryFor(ELSEWHERE, {
      regions: {
        searched: [],
        failed: [{ region: '(every region) of account 999999999999', error: 'a session of account 999999999999' }],
      },
    });

    const message = messageOf(
      deletedReport({ investigation: { status: 'done', result: { activity, sessionActivity: [session] } } }),
    );

    expect(message.doNow).toContain(
      `Search for the session key in account 999999999999, where its calls are recorded: exposed-keys investigate --key ${ELSEWHERE} --account 999999999999 --start ${session.window.start} --end ${session.window.end} (or --profile <a profile of account 999999999999> in place of --account)`,
    );
    expect(message.doNow.join('\n')).not.toContain('--regions <regions>');
  });

  it('says what a key minted by a session key did (role chaining), and which key minted it', () => {
    const SESSION = 'ASIABBBBBBBBBBBBBBBB';
    const CHAINED = 'ASIACCCCCCCCCCCCCCCC';
    const activity = summaryFor(REPORT_KEY, { sessionKeys: [SESSION] });
    const session = summaryFor(SESSION, { totalEvents: 1, sessionKeys: [CHAINED] });
    const chained = summaryFor(CHAINED, {
      totalEvents: 1,
      riskyEvents: [
        {
          eventName: 'CreateUser',
          eventTime: '2026-11-26T10:00:00.000Z',
          awsRegion: 'us-east-1',
          eventId: 'e1',
          category: 'persistence',
          errorCode: null,
          resources: [{ type: 'AWS::IAM::User', name: 'backdoor' }],
        },
      ],
    });

    const message = messageOf(
      deletedReport({
        investigation: { status: 'done', result: { activity, sessionActivity: [session, chained] } },
      }),
    );

    expect(message.attackerDid).toContain('through 1 session key it minted: created 1 user');
    expect(message.done).toContain(
      'Followed 2 session key(s) minted by the key or by the session keys it minted (below).',
    );
    expect(message.activity.map((part) => part.title)).toEqual([
      'Key',
      'Session key (second hop)',
      `Session key minted by ${SESSION}`,
    ]);
  });
});

describe('the inventory of an incident', () => {
  it('says how to list it whole naming the key and the window, when it shows only part', () => {
    const activity = summaryFor(REPORT_KEY);
    const item = (index: number) => ({
      kind: 'user' as const,
      name: `user-${index}`,
      region: null,
      owner: null,
      state: 'exists' as const,
      note: null,
      command: `aws iam delete-user --user-name user-${index}`,
    });
    const inventory = {
      items: Array.from({ length: 70 }, (_, index) => item(index)),
      trustedAccounts: 'this-account' as const,
      truncated: false,
    };

    const message = messageOf(
      deletedReport({ investigation: { status: 'done', result: { activity, sessionActivity: [], inventory } } }),
    );

    expect(message.left.at(-1)).toMatch(
      new RegExp(
        `more: exposed-keys investigate --key ${REPORT_KEY} --start \\S+ --end \\S+ --inventory --json lists them all$`,
      ),
    );
  });
});

describe('the key of a containment that failed', () => {
  const failedWith = (error: string) => messageOf(deletedReport({ containment: { status: 'failed', error } }));

  it('is said still active only when the failure says so, and may be otherwise', () => {
    const refused = failedWith(
      `ContainmentError: Could not contain ${REPORT_KEY} of alice; the key is still active: AwsCallError: iam:DeleteAccessKey failed: AccessDenied: not authorized`,
    );
    const cutOff = failedWith(
      `ContainmentError: Could not contain ${REPORT_KEY} of alice; the key may still be active (IAM did not answer that it refused; check its status: aws iam list-access-keys --user-name alice): AwsCallError: iam:DeleteAccessKey failed: AbortError: Request aborted`,
    );

    expect(refused.keyNow).toMatch(/^STILL ACTIVE: containment failed \(/);
    expect(cutOff.keyNow).toMatch(
      /^MAY STILL BE ACTIVE: containment failed \(.*aws iam list-access-keys --user-name alice/,
    );
  });

  it('may be active when the function itself died, since it may have died after IAM deleted the key', () => {
    for (const error of [
      'States.Timeout',
      'Sandbox.Timedout: Task timed out after 60.00 seconds',
      'Lambda.ServiceException: Lambda was unable to run the function',
      'Runtime.ExitError: RequestId: 1 Error: Runtime exited with error: signal: killed',
    ])
      expect(failedWith(error).keyNow, error).toMatch(/^MAY STILL BE ACTIVE: containment failed \(/);
  });
});
