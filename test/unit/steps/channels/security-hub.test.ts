import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  InvalidAccessException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildFinding } from '../../../../src/message/finding.js';
import { messageOf } from '../../../../src/message/message-of.js';
import { importFinding, mergeFinding } from '../../../../src/steps/channels/security-hub.js';
import type { IncidentReport } from '../../../../src/steps/incident-outcome.js';
import { deletedReport, joinedReport, REPORT_KEY, recordOf } from '../../../support/reports.js';

const hubMock = mockClient(SecurityHubClient);
const NOW = new Date('2026-11-26T22:10:00.000Z');
const fresh = () => buildFinding(deletedReport(), messageOf(deletedReport()), { region: 'us-east-1', now: NOW });
const deps = () => ({
  securityHub: new SecurityHubClient({ region: 'us-east-1' }),
  accountId: '123456789012',
  now: () => NOW,
});

/** `exposed-keys release --reactivate` of the key: a false alarm, the key active again. */
function reactivatedReport(): IncidentReport {
  return {
    incident: null,
    containment: { status: 'skipped', reason: 'a follow-up' },
    investigation: { status: 'skipped', reason: 'a follow-up' },
    followUp: {
      kind: 'release',
      accessKeyId: REPORT_KEY,
      userName: 'alice',
      accountId: '123456789012',
      containedAt: '2026-11-26T22:00:09.000Z',
      step: {
        status: 'done',
        result: {
          kind: 'release',
          accessKeyId: REPORT_KEY,
          userName: 'alice',
          evidence: ['the revocation policy exposed-keys attached'],
          cancelled: [],
          reactivated: true,
          status: 'Active',
          warnings: [],
        },
      },
    },
  };
}

function stored(overrides: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    ...(fresh() as AwsSecurityFinding),
    CreatedAt: '2026-11-26T22:00:05.000Z',
    FirstObservedAt: '2026-11-26T22:00:05.000Z',
    UpdatedAt: '2026-11-26T22:30:00.000Z',
    ProductFields: { 'exposed-keys/outcome': 'deleted', 'aws/securityhub/FindingId': 'x' },
    Workflow: { Status: 'NOTIFIED' },
    ...overrides,
  };
}

beforeEach(() => {
  hubMock.reset();
  hubMock.on(GetFindingsCommand).resolves({ Findings: [] });
  hubMock.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0, FailedFindings: [] });
});

describe('importFinding', () => {
  it('creates the finding of a new incident', async () => {
    const outcome = await importFinding(deps(), fresh(), 'full');

    expect(outcome).toMatchObject({ status: 'imported', created: true, updatedAt: NOW.toISOString() });
    expect(hubMock).toHaveReceivedCommandWith(BatchImportFindingsCommand, {
      Findings: [fresh() as AwsSecurityFinding],
    });
  });

  it('updates the finding a report before created: same id, its CreatedAt kept, UpdatedAt strictly later', async () => {
    // Another report's clock ran ahead: an update must still be later, or Security Hub ignores it.
    hubMock.on(GetFindingsCommand).resolves({ Findings: [stored({ Id: 'other' }), stored()] });

    const outcome = await importFinding(deps(), fresh(), 'full');

    expect(outcome).toMatchObject({ status: 'imported', created: false, updatedAt: '2026-11-26T22:30:00.001Z' });
    const sent = hubMock.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings?.[0];
    expect(sent).toMatchObject({
      Id: fresh()?.Id,
      CreatedAt: '2026-11-26T22:00:05.000Z',
      UpdatedAt: '2026-11-26T22:30:00.001Z',
    });
  });

  it("keeps what the response wrote on a follow-up, and never sends back the customer's workflow or Security Hub's own fields", () => {
    const followUp = buildFinding(joinedReport(), messageOf(joinedReport()), { region: 'us-east-1', now: NOW });

    const merged = mergeFinding(followUp as AwsSecurityFinding, stored(), 'follow-up', NOW);

    expect(merged).toMatchObject({ Title: stored().Title, Severity: stored().Severity });
    expect(merged.Description).toBe(
      `${stored().Description?.split(' Key now: ')[0]} Key now: GONE: IAM no longer has it.`,
    );
    expect(merged.ProductFields).toEqual({
      'exposed-keys/outcome': 'deleted',
      'exposed-keys/signals': '2',
      'exposed-keys/signalSources': 'health,trusted-advisor',
      'exposed-keys/keyNow': 'GONE: IAM no longer has it.',
      'exposed-keys/lastReport': `health at ${NOW.toISOString()}`,
    });
    expect(merged).not.toHaveProperty('Workflow');
  });

  it('keeps what the response found on a lifecycle follow-up, and its title unless the follow-up escalates', () => {
    const incident = stored({
      Severity: { Label: 'CRITICAL' },
      Title: 'the response',
      Remediation: { Recommendation: { Text: 'remove the backdoor roles' } },
      ProductFields: {
        'exposed-keys/outcome': 'deactivated',
        'exposed-keys/riskyEvents': '3',
        'exposed-keys/attackerDid': 'created users 3 times',
      },
    });
    const followUp = (label: 'MEDIUM' | 'CRITICAL', urgent: boolean, outcome: string) =>
      ({
        ...stored(),
        Severity: { Label: label },
        Title: `the ${outcome}`,
        Remediation: undefined,
        ProductFields: {
          'exposed-keys/outcome': outcome,
          'exposed-keys/urgent': String(urgent),
          'exposed-keys/source': 'exposed-keys',
          'exposed-keys/attackerDid': 'nothing since containment.',
        },
      }) as AwsSecurityFinding;

    const quiet = mergeFinding(followUp('MEDIUM', false, 'quiet-since-containment'), incident, 'lifecycle', NOW);
    const activity = mergeFinding(followUp('CRITICAL', true, 'activity-after-containment'), incident, 'lifecycle', NOW);

    expect(quiet).toMatchObject({
      Severity: { Label: 'CRITICAL' },
      Title: 'the response',
      Remediation: { Recommendation: { Text: 'remove the backdoor roles' } },
    });
    for (const merged of [quiet, activity])
      expect(merged.ProductFields).toMatchObject({
        'exposed-keys/riskyEvents': '3',
        'exposed-keys/attackerDid': 'created users 3 times',
      });
    expect(quiet.ProductFields?.['exposed-keys/outcome']).toBe('quiet-since-containment');
    expect(activity).toMatchObject({ Severity: { Label: 'CRITICAL' }, Title: 'the activity-after-containment' });
    expect(activity.ProductFields?.['exposed-keys/outcome']).toBe('activity-after-containment');
    expect(activity.CreatedAt).toBe(incident.CreatedAt);
  });

  it('escalates on a later report that finds the contained key active again, keeping what the attacker did', () => {
    const deactivated = deletedReport();
    if (deactivated.containment.status === 'done')
      Object.assign(deactivated.containment.result, { outcome: 'deactivated', mode: 'deactivate' });
    const incident = buildFinding(deactivated, messageOf(deactivated), { region: 'us-east-1', now: NOW });
    const later = joinedReport({
      record: recordOf({
        response: { outcome: 'deactivated', contained: true, at: NOW.toISOString(), userName: 'alice' },
      }),
      keyNow: { status: 'active', userName: 'alice' },
    });
    const fresh = buildFinding(later, messageOf(later), { region: 'us-east-1', now: NOW }) as AwsSecurityFinding;

    const merged = mergeFinding(fresh, incident, 'follow-up', NOW);

    expect(incident).toMatchObject({
      Title: expect.stringMatching(/^Exposed key deactivated/),
      Severity: { Label: 'MEDIUM' },
    });
    expect(merged).toMatchObject({
      Title: expect.stringMatching(/^ACTION REQUIRED: exposed key reported again and still active/),
      Severity: { Label: 'CRITICAL' },
      Description: expect.stringContaining('Key now: STILL ACTIVE'),
      Remediation: fresh.Remediation,
    });
    expect(merged.Resources?.[0]?.Details?.AwsIamAccessKey?.Status).toBe('Active');
    expect(merged.ProductFields).toMatchObject({
      'exposed-keys/outcome': 'joined',
      'exposed-keys/urgent': 'true',
      'exposed-keys/attackerDid': incident?.ProductFields?.['exposed-keys/attackerDid'],
    });
  });

  it('says what the key is now after a false alarm was reactivated, keeping the rest of the response', () => {
    const incident = stored({ ProductFields: fresh()?.ProductFields });
    const release = reactivatedReport();
    const followUp = buildFinding(release, messageOf(release), { region: 'us-east-1', now: NOW }) as AwsSecurityFinding;

    const merged = mergeFinding(followUp, incident, 'lifecycle', NOW);

    expect(merged).toMatchObject({ Title: incident.Title, Severity: incident.Severity });
    expect(merged.Resources?.[0]?.Details?.AwsIamAccessKey?.Status).toBe('Active');
    expect(merged.Description).toBe(
      `${incident.Description?.split(' Key now: ')[0]} Key now: ACTIVE again: the responder released it as a false alarm.`,
    );
  });

  it('drops the key status when a later report could not tell it, rather than keep a stale one', () => {
    const later = joinedReport({ keyNow: { status: 'unknown', error: 'AccessDenied' } });
    const followUp = buildFinding(later, messageOf(later), { region: 'us-east-1', now: NOW }) as AwsSecurityFinding;

    const merged = mergeFinding(followUp, stored(), 'follow-up', NOW);

    expect(stored().Resources?.[0]?.Details?.AwsIamAccessKey?.Status).toBe('Inactive');
    expect(merged.Resources?.[0]?.Details?.AwsIamAccessKey).not.toHaveProperty('Status');
    expect(merged.Resources?.[0]?.Details?.AwsIamAccessKey?.AccessKeyId).toBe(stored().Resources?.[0]?.Id);
  });

  it('notes Security Hub not enabled, whichever way it says so, and goes on', async () => {
    hubMock.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [
        { Id: 'x', ErrorCode: 'InvalidAccess', ErrorMessage: 'Account is not subscribed to AWS Security Hub' },
      ],
    });
    expect(await importFinding(deps(), fresh(), 'full')).toMatchObject({ status: 'not-enabled' });

    hubMock.on(GetFindingsCommand).rejects(
      new InvalidAccessException({
        message: 'Account 123456789012 is not subscribed to AWS Security Hub',
        $metadata: {},
      }),
    );
    expect(await importFinding(deps(), fresh(), 'full')).toMatchObject({
      status: 'not-enabled',
      detail: expect.stringContaining('not subscribed'),
    });
  });

  it('reports any other failure without throwing', async () => {
    hubMock
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    expect(await importFinding(deps(), fresh(), 'full')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('AccessDenied'),
    });
  });

  it('imports no follow-up over a finding it could not read, and reports why', async () => {
    hubMock.on(GetFindingsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const later = buildFinding(joinedReport(), messageOf(joinedReport()), { region: 'us-east-1', now: NOW });
    const release = buildFinding(reactivatedReport(), messageOf(reactivatedReport()), {
      region: 'us-east-1',
      now: NOW,
    });

    const followUp = await importFinding(deps(), later, 'follow-up');
    const lifecycle = await importFinding(deps(), release, 'lifecycle');

    for (const outcome of [followUp, lifecycle])
      expect(outcome).toMatchObject({
        status: 'failed',
        findingId: fresh()?.Id,
        error: expect.stringMatching(/Could not read the finding already there.*Throttling/),
      });
    expect(hubMock).not.toHaveReceivedCommand(BatchImportFindingsCommand);
  });

  it('imports a full finding it could not check for, without claiming to have created it', async () => {
    hubMock.on(GetFindingsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const outcome = await importFinding(deps(), fresh(), 'full');

    expect(outcome).toMatchObject({
      status: 'imported',
      created: null,
      warnings: [expect.stringContaining('Could not read the finding already there')],
    });
    expect(hubMock).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
  });

  it('reopens a RESOLVED finding for a new response: archived, then active, which Security Hub makes NEW again', async () => {
    hubMock.on(GetFindingsCommand).resolves({ Findings: [stored({ Workflow: { Status: 'RESOLVED' } })] });

    const outcome = await importFinding(deps(), fresh(), 'full');

    expect(outcome).toMatchObject({ status: 'imported', created: false, reopened: true });
    const sent = hubMock.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input.Findings?.[0]);
    expect(sent.map((finding) => finding?.RecordState)).toEqual(['ARCHIVED', 'ACTIVE']);
    expect(Date.parse(sent[1]?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(sent[0]?.UpdatedAt ?? ''));
    expect(sent[1]).not.toHaveProperty('Workflow');
  });

  it('reopens a RESOLVED finding for a later report that needs a human, but not for one that does not', async () => {
    const resolved = stored({ ProductFields: fresh()?.ProductFields, Workflow: { Status: 'RESOLVED' } });
    hubMock.on(GetFindingsCommand).resolves({ Findings: [resolved] });
    const activeAgain = joinedReport({
      record: recordOf({
        response: { outcome: 'deactivated', contained: true, at: NOW.toISOString(), userName: 'alice' },
      }),
      keyNow: { status: 'active', userName: 'alice' },
    });
    const urgent = buildFinding(activeAgain, messageOf(activeAgain), { region: 'us-east-1', now: NOW });
    const quiet = buildFinding(joinedReport(), messageOf(joinedReport()), { region: 'us-east-1', now: NOW });

    expect(await importFinding(deps(), urgent, 'follow-up')).toMatchObject({ reopened: true });
    expect(hubMock).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 2);
    hubMock.resetHistory();
    expect(await importFinding(deps(), quiet, 'follow-up')).not.toHaveProperty('reopened');
    expect(hubMock).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
  });

  it('says a SUPPRESSED finding is no longer updated, with the command that opens it again, and imports nothing', async () => {
    hubMock.on(GetFindingsCommand).resolves({ Findings: [stored({ Workflow: { Status: 'SUPPRESSED' } })] });

    const outcome = await importFinding(deps(), fresh(), 'full');

    expect(outcome).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/SUPPRESSED.*no longer updates it.*--workflow Status=NEW/),
    });
    expect(hubMock).not.toHaveReceivedCommand(BatchImportFindingsCommand);
  });

  it('says the finding was left ARCHIVED when the import after archiving it fails', async () => {
    hubMock.on(GetFindingsCommand).resolves({ Findings: [stored({ Workflow: { Status: 'RESOLVED' } })] });
    hubMock
      .on(BatchImportFindingsCommand)
      .resolvesOnce({ SuccessCount: 1, FailedCount: 0, FailedFindings: [] })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const outcome = await importFinding(deps(), fresh(), 'full');

    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringMatching(/left ARCHIVED/) });
  });

  it("imports nothing for another account's key: only that account may import its findings", async () => {
    const outcome = await importFinding({ ...deps(), accountId: '210987654321' }, fresh(), 'full');

    expect(outcome).toMatchObject({ status: 'skipped', reason: expect.stringContaining('123456789012') });
    expect(hubMock.calls()).toHaveLength(0);
  });
});
