import { describe, expect, it } from 'vitest';
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
