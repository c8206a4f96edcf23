import { describe, expect, it } from 'vitest';
import { messageOf } from '../../../src/message/message-of.js';
import { incidentReportOf } from '../../../src/state-machine/workflow-state.js';
import { needsHuman } from '../../../src/steps/incident-outcome.js';
import { asCloudTrailEvent, publishedEvent, publishedRecord } from '../../support/published.js';

/*
 * An event of the organisational view of AWS Health that cannot be read as one incident (a key id
 * left as a placeholder, or several keys) still names the account of its keys in
 * detail.affectedAccount: the message must lead with that one, not with the account that received it.
 */

const ORG_VIEW = 'health-risk-credentials-exposed-org-affectedaccount-hmrc';

describe('the report of an event that could not be read', () => {
  it("names the account of the keys from the organisational view, and the receiver's apart", () => {
    const report = incidentReportOf({ event: publishedEvent(ORG_VIEW) });

    expect(report.incident).toBeNull();
    expect(report).toMatchObject({ rawAccount: '123456789012', rawReceivedBy: '987654321098' });
    const message = messageOf(report);
    expect(message.facts).toContainEqual(['Account', '123456789012']);
    expect(message.facts).toContainEqual(['Received by', '987654321098 (organisational view)']);
  });

  it('gives, for each key of an event naming several, the command that responds in their account', () => {
    const event = publishedEvent(ORG_VIEW);
    event.detail.affectedEntities = [{ entityValue: 'AKIAIOSFODNN7EXAMPLE' }, { entityValue: 'AKIAI44QH7DHBEXAMPLE' }];

    const message = messageOf(incidentReportOf({ event }));

    expect(message.happened).toContain('in account 123456789012');
    const elsewhere =
      '--account 123456789012 (from the hub in organisation mode; else with --profile <a profile of account 123456789012>)';
    expect(message.doNow).toEqual(
      expect.arrayContaining([
        `Contain AKIAIOSFODNN7EXAMPLE: exposed-keys respond --key AKIAIOSFODNN7EXAMPLE ${elsewhere}`,
        `Contain AKIAI44QH7DHBEXAMPLE: exposed-keys respond --key AKIAI44QH7DHBEXAMPLE ${elsewhere}`,
      ]),
    );
  });

  it('takes the top-level account when the event is of the account itself', () => {
    const event = publishedEvent(ORG_VIEW);
    event.detail.affectedAccount = event.account;

    expect(incidentReportOf({ event })).toMatchObject({ rawAccount: '987654321098' });
    expect(incidentReportOf({ event }).rawReceivedBy).toBeUndefined();
  });
});

describe('the report of AWS quarantining a user whose ClaimIncident failed', () => {
  it('reports the quarantine, its user and why it could not be read, not an unreadable event', () => {
    const event = asCloudTrailEvent(publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther'));
    const refused = (message: string) =>
      JSON.stringify({ errorType: 'InvalidEventError', errorMessage: message, trace: [] });
    const report = incidentReportOf({
      event,
      signalError: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate Exceeded.' },
      containmentError: {
        Error: 'InvalidEventError',
        Cause: refused('Invalid event: source is not aws.trustedadvisor'),
      },
      investigationError: {
        Error: 'InvalidEventError',
        Cause: refused('Invalid event: source is not aws.trustedadvisor'),
      },
    });

    const message = messageOf(report);

    expect(message.outcome).toBe('user-quarantined');
    expect(needsHuman(report)).toBe(true);
    expect(message.userName).toBe('test-user');
    expect(message.keyNow).toMatch(/^NOT KNOWN: the keys of test-user could not be listed/);
    expect(message.facts.map(([, value]) => value).join('\n')).toContain('TooManyRequestsException: Rate Exceeded.');
    expect(message.doNow.join('\n')).toContain('aws iam list-access-keys --user-name test-user');
    expect(JSON.stringify(message)).not.toMatch(/aws\.trustedadvisor|unreadable/i);
  });
});
