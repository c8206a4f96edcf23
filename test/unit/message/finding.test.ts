import { describe, expect, it } from 'vitest';
import { ASFF_LIMITS, buildFinding, findingId } from '../../../src/message/finding.js';
import { messageOf } from '../../../src/message/message-of.js';
import type { IncidentReport } from '../../../src/steps/incident-outcome.js';
import { incidentFor } from '../../support/incidents.js';
import { deletedReport, joinedReport, quarantineReport, REPORT_KEY } from '../../support/reports.js';
import { summaryFor } from '../../support/summaries.js';

const CONTEXT = { region: 'us-east-1', now: new Date('2026-11-26T22:01:00.000Z') };

function findingOf(report: IncidentReport) {
  return buildFinding(report, messageOf(report), CONTEXT);
}

describe('the Security Hub finding of an incident', () => {
  it('names the key, its user and status, from the account that owns it, with one id per key', () => {
    const finding = findingOf(deletedReport());

    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `exposed-keys/123456789012/${REPORT_KEY}`,
      ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
      AwsAccountId: '123456789012',
      GeneratorId: 'exposed-keys',
      Severity: { Label: 'MEDIUM' },
      CreatedAt: '2026-11-26T22:01:00.000Z',
      Resources: [
        {
          Type: 'AwsIamAccessKey',
          Id: REPORT_KEY,
          Details: { AwsIamAccessKey: { AccessKeyId: REPORT_KEY, PrincipalName: 'alice', Status: 'Inactive' } },
        },
        { Type: 'AwsIamUser', Id: 'arn:aws:iam::123456789012:user/alice' },
      ],
      ProductFields: { 'exposed-keys/outcome': 'deleted', 'exposed-keys/totalEvents': '3' },
    });
    expect(findingOf(joinedReport())?.Id).toBe(finding?.Id);
  });

  it('takes its severity from the outcome: a human must act (critical), the attacker did risky things (high)', () => {
    const failed = findingOf(deletedReport({ containment: { status: 'failed', error: 'AccessDenied' } }));
    const risky = deletedReport({
      investigation: {
        status: 'done',
        result: {
          activity: summaryFor(REPORT_KEY, {
            riskyEvents: [
              {
                eventName: 'CreateUser',
                eventTime: 't',
                awsRegion: 'us-east-1',
                eventId: '1',
                category: 'persistence',
                errorCode: null,
                resources: [],
              },
            ],
          }),
          sessionActivity: [],
        },
      },
    });

    expect(failed?.Severity?.Label).toBe('CRITICAL');
    expect(failed?.Resources?.[0]?.Details?.AwsIamAccessKey?.Status).toBe('Active');
    expect(findingOf(risky)?.FindingProviderFields?.Severity?.Label).toBe('HIGH');
  });

  it('is at least HIGH, and says so, when the search for what the key did was not complete', () => {
    const incomplete = (overrides: Parameters<typeof summaryFor>[1]) =>
      findingOf(
        deletedReport({
          investigation: {
            status: 'done',
            result: { activity: summaryFor(REPORT_KEY, { totalEvents: 3, ...overrides }), sessionActivity: [] },
          },
        }),
      );
    const failed = incomplete({
      regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-1', error: 'denied' }] },
    });
    const cut = incomplete({ truncated: true });

    expect(findingOf(deletedReport())?.Severity?.Label).toBe('MEDIUM');
    expect(failed?.Severity?.Label).toBe('HIGH');
    expect(failed?.Description).toMatch(/The investigation was NOT complete: 1 region\(s\) NOT searched\. Key now: /);
    expect(cut?.Severity?.Label).toBe('HIGH');
    expect(cut?.Description).toContain('The investigation was NOT complete: search cut short');
  });

  it('is at least HIGH, and says what is not known, when the investigation failed or did not run', () => {
    const failed = findingOf(deletedReport({ investigation: { status: 'failed', error: 'ThrottlingException' } }));
    const skipped = findingOf(
      deletedReport({ investigation: { status: 'skipped', reason: 'the investigation task did not run' } }),
    );

    expect(failed?.Severity?.Label).toBe('HIGH');
    expect(failed?.Description).toMatch(/The investigation FAILED: what the key did is not known\. Key now: /);
    expect(skipped?.Severity?.Label).toBe('HIGH');
    expect(skipped?.Description).toMatch(/The investigation did not run: what the key did is not known\. Key now: /);
  });

  it('finds no gap in a later report, which investigates nothing by design', () => {
    expect(findingOf(joinedReport())?.Description).not.toContain('The investigation');
  });

  it('holds the human steps as the remediation, every text within the limits of ASFF', () => {
    const long = 'y'.repeat(10_000);
    const finding = findingOf(deletedReport({ incident: incidentFor(REPORT_KEY, 'alice', { location: long }) }));

    expect(finding?.Remediation?.Recommendation?.Text).toMatch(/^1\. /);
    expect(finding?.Title?.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
    expect(finding?.Description?.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
    expect(finding?.Remediation?.Recommendation?.Text?.length).toBeLessThanOrEqual(ASFF_LIMITS.recommendation);
    for (const [name, value] of Object.entries(finding?.ProductFields ?? {})) {
      expect(name.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldKey);
      expect(value.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldValue);
    }
  });

  it('is one per quarantined user when the signal names no key', () => {
    expect(findingOf(quarantineReport())).toMatchObject({
      Id: findingId('123456789012', { userName: 'alice' }),
      Resources: [{ Type: 'AwsIamUser' }],
      Severity: { Label: 'CRITICAL' },
    });
  });

  it('is not made for a dry run nor for an event that could not be read', () => {
    const planned = deletedReport();
    if (planned.containment.status === 'done') planned.containment.result.outcome = 'planned';

    expect(findingOf(planned)).toBeNull();
    expect(findingOf({ ...deletedReport(), incident: null, eventError: 'bad' })).toBeNull();
  });
});
