import { describe, expect, it } from 'vitest';
import { accessStillHeld, type IncidentReport, keyContained, needsHuman } from '../../../src/steps/incident-outcome.js';
import type { Leftover, LeftoverKind } from '../../../src/steps/inventory/inventory-types.js';
import { deletedReport, followUpReport, REPORT_KEY } from '../../support/reports.js';
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

describe('a scheduled deletion that was refused', () => {
  function refused(keyStatus?: 'Active' | 'Inactive'): IncidentReport {
    return followUpReport({
      kind: 'scheduled-deletion',
      accessKeyId: REPORT_KEY,
      userName: 'alice',
      outcome: 'refused',
      summary: 'released; it was not deleted.',
      humanSteps: [],
      warnings: [],
      ...(keyStatus ? { keyStatus } : {}),
    });
  }

  it('leaves a key it found inactive contained, a human still to decide', () => {
    expect(keyContained(refused('Inactive'))).toBe(true);
    expect(needsHuman(refused('Inactive'))).toBe(true);
  });

  it('says a key it found active, or could not read, is not contained', () => {
    expect(keyContained(refused('Active'))).toBe(false);
    expect(keyContained(refused())).toBe(false);
    expect(needsHuman(refused('Active'))).toBe(true);
  });
});
