import { describe, expect, it } from 'vitest';
import { inventoryLines } from '../../../src/message/leftovers.js';
import { fitInventory } from '../../../src/state-machine/fit-state.js';
import { accessStillHeld, needsHuman } from '../../../src/steps/incident-outcome.js';
import type { Inventory, Leftover } from '../../../src/steps/inventory/inventory-types.js';
import { deletedReport } from '../../support/reports.js';

/** A policy version the attacker added to one of many policies, as checkPolicyVersion reports it. */
function policyVersion(index: number): Leftover {
  const arn = `arn:aws:iam::123456789012:policy/team/application-${index}-deployment-permissions`;
  return {
    kind: 'policy-version',
    name: 'v2',
    owner: arn,
    region: null,
    state: 'exists',
    note: 'the default version: what the policy grants now; v1 is the newest other version: check it is the one to restore',
    command: `aws iam set-default-policy-version --policy-arn ${arn} --version-id v1 && aws iam delete-policy-version --policy-arn ${arn} --version-id v2`,
  };
}

describe('the inventory fitted into the state keeps what makes a human necessary', () => {
  it('keeps an access key the attacker made after many other changes, so the response still needs a human', () => {
    const accessKey: Leftover = {
      kind: 'access-key',
      name: 'AKIAI44QH8DHBEXAMPLE',
      owner: 'backdoor',
      region: null,
      state: 'exists',
      note: 'Active',
      command: 'aws iam delete-access-key --user-name backdoor --access-key-id AKIAI44QH8DHBEXAMPLE',
    };
    const inventory: Inventory = {
      items: [...Array.from({ length: 150 }, (_, index) => policyVersion(index)), accessKey],
      trustedAccounts: 'organization',
      truncated: false,
    };
    const withInventory = (inv: Inventory) => {
      const report = deletedReport();
      if (report.investigation.status === 'done') report.investigation.result.inventory = inv;
      return report;
    };
    // As taken, the response needs a human (exit 4 / the execution fails)...
    expect(needsHuman(withInventory(inventory))).toBe(true);
    // ...and as the investigate task puts it in the state for the notify task:
    const fitted = fitInventory(inventory);
    expect(fitted.truncated).toBe(true);
    expect(accessStillHeld(withInventory(fitted))).toHaveLength(1);
    expect(needsHuman(withInventory(fitted))).toBe(true);
  });
});

describe('a command too long to show', () => {
  /** A policy version on a policy deep in a long path: its command names the ARN twice. */
  const longArn = `arn:aws:iam::123456789012:policy/${'team/'.repeat(50)}application-deployment-permissions`;
  const long = {
    ...policyVersion(0),
    owner: longArn,
    command: policyVersion(0).command.replaceAll(policyVersion(0).owner as string, longArn),
  };

  it('is never cut in a message, but left out with where to get it whole; a shorter one is shown whole', () => {
    const inventory: Inventory = { items: [long, policyVersion(1)], trustedAccounts: 'this-account', truncated: false };

    const [, first, second] = inventoryLines(inventory);

    expect(long.command.length).toBeGreaterThan(400);
    expect(first).not.toContain('set-default-policy-version');
    expect(first).toMatch(
      /its command is too long to show whole: exposed-keys investigate --inventory --json gives it$/,
    );
    expect(second).toContain(`: ${policyVersion(1).command}`);

    // An incident's message names the key, its account and window, for a reader days later.
    const [, named] = inventoryLines(
      inventory,
      'exposed-keys investigate --key AKIAIOSFODNN7EXAMPLE --start 2026-11-26T03:00:00.000Z --end 2026-11-27T03:00:00.000Z --inventory --json',
    );
    expect(named).toMatch(
      /: exposed-keys investigate --key AKIAIOSFODNN7EXAMPLE --start .* --inventory --json gives it$/,
    );
  });

  it('is never cut in the state either: left out, and said to be', () => {
    const inventory: Inventory = {
      items: [long, ...Array.from({ length: 199 }, (_, index) => policyVersion(index + 1))],
      trustedAccounts: 'this-account',
      truncated: false,
    };

    const fitted = fitInventory(inventory);

    expect(fitted.items[0]).toMatchObject({ command: '', commandLeftOut: true });
    expect(fitted.items.slice(1).every((item) => item.command.endsWith('--version-id v2'))).toBe(true);
    expect(inventoryLines(fitted)[1]).toMatch(/its command is too long to show whole/);
  });
});
