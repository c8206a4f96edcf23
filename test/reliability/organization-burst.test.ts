import { describe, expect, it } from 'vitest';
import { runOrganizationBurst } from '../../emulators/organization-burst.js';
import { useMoto } from '../support/moto.js';

/*
 * A burst: 100 keys across 10 accounts reported at once, each contained in its own account by
 * the hub's state machine and handlers, each notified, and the investigations of each account
 * sharing its LookupEvents budget (the fixture enforces 2 requests a second per account and
 * region). No timing is asserted here: bench/organization-burst.bench.ts measures it.
 */

const moto = useMoto();

describe('a burst of 100 leaked keys across 10 accounts of an organisation', () => {
  it('contains every key in its own account, notifies every incident, and reads every event without throttling', async () => {
    const report = await runOrganizationBurst({
      motoEndpoint: moto().endpoint,
      accounts: 10,
      keysPerAccount: 10,
      eventsPerKey: 60,
    });

    expect(report.executions).toHaveLength(100);
    expect(report.executions.filter((execution) => execution.status !== 'SUCCEEDED')).toEqual([]);
    expect(new Set(report.executions.map((execution) => execution.outcome))).toEqual(new Set(['deleted']));
    expect(report.keysLeft).toBe(0);
    expect(report.messages).toHaveLength(100);
    for (const execution of report.executions) {
      expect(execution.accountName, execution.accountId).toMatch(/^burst-\d+$/);
      expect(report.messages.map((message) => message.firstLine)).toContain(
        `Account ${execution.accountId} (${execution.accountName})`,
      );
      // Every event read: not truncated, no region given up, the exact count served.
      expect(execution, execution.accessKeyId).toMatchObject({ truncated: false, failedRegions: 0 });
      expect(execution.totalEvents, execution.accessKeyId).toBe(execution.expectedEvents);
    }
    // Ten investigations of an account each calling at the API's rate would see most calls throttled;
    // sharing the account's budget keeps them within it (a rare throttle from scheduling jitter on a
    // loaded machine is waited out, as the counts above show).
    expect(report.lookupRequests).toBeGreaterThanOrEqual(100);
    expect(report.throttled, JSON.stringify(report.throttledByAccount)).toBeLessThan(report.lookupRequests / 20);
  }, 600_000);
});
