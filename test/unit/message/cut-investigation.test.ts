import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../../src/message/email.js';
import { messageOf } from '../../../src/message/message-of.js';
import { fitInvestigation } from '../../../src/state-machine/fit-state.js';
import { deletedReport, REPORT_KEY } from '../../support/reports.js';
import { crowdedActivity, DENIED, DENIED_REGIONS, deniedInRegions } from '../../support/summaries.js';

/** A backdoor user, logging stopped, then 1,500 reads of secrets from 1,501 addresses: too much for the state. */
function crowdedInvestigation() {
  return fitInvestigation({ activity: crowdedActivity(REPORT_KEY), sessionActivity: [] });
}

describe('a notification of an investigation cut to fit the state machine', () => {
  it('still names every kind of act, counts what happened rather than what was kept, and says how to read it whole', () => {
    const investigation = crowdedInvestigation();
    expect(investigation.cut).toBeDefined();
    const report = deletedReport({ investigation: { status: 'done', result: investigation } });

    const message = messageOf(report);
    const { message: text } = buildNotification(report);

    expect(message.attackerDid.join('\n')).toMatch(/covered tracks: stopped logging/);
    expect(message.attackerDid.join('\n')).toMatch(/stayed in: created 1 user/);
    expect(message.attackerDid.join('\n')).toMatch(/of its 1,502 risky calls/);
    expect(text).toContain('Source IP addresses (1,501 distinct)');
    expect(text).toContain('The summary was cut to fit the state machine (1,502 risky calls');
    expect(message.doNow.join('\n')).toContain(
      `Read the whole investigation (this notification's was cut to fit): exposed-keys investigate --key ${REPORT_KEY}`,
    );
  });
});

describe('a notification of an investigation cut to fit, with regions not searched and session keys minted', () => {
  it('names every region not searched and counts every session key minted, not only those kept', () => {
    const investigation = fitInvestigation({ activity: deniedInRegions(REPORT_KEY), sessionActivity: [] });
    const report = deletedReport({ investigation: { status: 'done', result: investigation } });

    const message = messageOf(report);
    const { message: text } = buildNotification(report);

    expect(message.attackerDid.join('\n')).toContain('16 region(s) NOT searched');
    expect(text).toContain(`16 regions NOT searched (${DENIED_REGIONS.join(', ')}): ${DENIED}`);
    expect(message.doNow.join('\n')).toContain(`--regions ${DENIED_REGIONS.join(',')}`);
    expect(message.doNow.join('\n')).toContain('The key minted 400 session key(s).');
    expect(text).toContain('Session keys minted (400): ');
  });
});

describe('a key of another account, outside organisation mode', () => {
  it("gives the command to investigate with that account's credentials, not this one's", () => {
    const report = deletedReport();
    if (report.containment.status !== 'done' || !report.incident) throw new Error('not a contained report');
    report.containment.result = {
      ...report.containment.result,
      outcome: 'other-account',
      contained: false,
      actions: [],
    };
    report.investigation = { status: 'failed', error: 'InvestigationError: a key of account 123456789012' };

    const message = messageOf(report);

    expect(message.doNow.join('\n')).toContain(
      `Investigate by hand: exposed-keys investigate --key ${REPORT_KEY} --profile <a profile of ${report.incident.accountId}>`,
    );
  });
});
