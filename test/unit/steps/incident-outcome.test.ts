import { describe, expect, it } from 'vitest';
import { accessStillHeld, needsHuman } from '../../../src/steps/incident-outcome.js';
import type { Leftover, LeftoverKind } from '../../../src/steps/inventory/inventory-types.js';
import { deletedReport, REPORT_KEY } from '../../support/reports.js';
import { summaryFor } from '../../support/summaries.js';

function withLeftover(kind: LeftoverKind, state: Leftover['state'], foreignTrust?: boolean) {
  const item: Leftover = {
    kind,
    name: 'left-by-attacker',
    owner: 'alice',
    region: null,
    state,
    note: null,
    command: 'aws iam …',
    ...(foreignTrust === undefined ? {} : { foreignTrust }),
  };
  return deletedReport({
    investigation: {
      status: 'done',
      result: {
        activity: summaryFor(REPORT_KEY, { totalEvents: 3 }),
        sessionActivity: [],
        inventory: { items: [item], trustedAccounts: 'organization', truncated: false },
      },
    },
  });
}

describe('a contained key whose attacker made itself another way in', () => {
  it.each<LeftoverKind>(['access-key', 'login-profile', 'ssh-public-key', 'service-credential', 'identity-provider'])(
    'needs a human while the %s it made exists',
    (kind) => {
      expect(needsHuman(withLeftover(kind, 'exists'))).toBe(true);
      expect(accessStillHeld(withLeftover(kind, 'exists'))).toHaveLength(1);
    },
  );

  it('needs a human while a role it left trusts outside', () => {
    expect(needsHuman(withLeftover('role-trust', 'exists', true))).toBe(true);
    expect(needsHuman(withLeftover('role-trust', 'exists', false))).toBe(false);
  });

  it('needs none once it is gone, nor for what grants no way in by itself', () => {
    expect(needsHuman(withLeftover('access-key', 'gone'))).toBe(false);
    expect(needsHuman(withLeftover('instance', 'exists'))).toBe(false);
    expect(needsHuman(deletedReport())).toBe(false);
  });

  it('needs none in a dry run, which changed nothing and says what it would do', () => {
    const report = withLeftover('access-key', 'exists');
    if (report.containment.status === 'done') report.containment.result.outcome = 'planned';

    expect(needsHuman(report)).toBe(false);
  });
});
