/* Read on the hub: the commands must say which account they act in (README, Organisation mode). */
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { buildPlainNotification } from '../../../src/message/email.js';
import { messageOf } from '../../../src/message/message-of.js';
import { containKey } from '../../../src/steps/contain.js';
import { needsHuman } from '../../../src/steps/incident-outcome.js';
import { incidentFor } from '../../support/incidents.js';
import { deletedReport, joinedReport, REPORT_KEY, recordOf } from '../../support/reports.js';

const HUB = '111111111111';
const MEMBER = '123456789012';
const PROFILE = `--profile <a profile of account ${MEMBER}>`;

describe("commands in the hub's messages about a member's key name the member", () => {
  it('a later report that finds the member key still active tells to deactivate it with --profile of the member', () => {
    const report = {
      ...joinedReport({
        keyNow: { status: 'active', userName: 'alice' },
        record: recordOf({
          accountId: MEMBER,
          response: {
            outcome: 'containment-failed',
            contained: false,
            at: '2026-11-26T22:00:09.000Z',
            userName: 'alice',
          },
        }),
      }),
      actedFrom: HUB,
    };
    expect(needsHuman(report)).toBe(true);
    const steps = messageOf(report).doNow.join('\n');
    expect(steps).toContain('aws iam update-access-key');
    expect(steps).toContain(PROFILE);
  });

  it('notify-only mode in a member: the steps to contain by hand carry --profile of the member', async () => {
    const iam = mockClient(IAMClient);
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'alice' });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: REPORT_KEY, Status: 'Active' }] });
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    const incident = incidentFor(REPORT_KEY, 'alice', { accountId: MEMBER });
    const result = await containKey(
      { iam: new IAMClient({ region: 'us-east-1' }), accountId: MEMBER, now: () => new Date('2026-11-27T00:00:00Z') },
      incident,
      { mode: 'notify-only' },
    );
    expect(result.outcome).toBe('notify-only');
    const report = { ...deletedReport(), incident, containment: { status: 'done' as const, result }, actedFrom: HUB };
    const steps = messageOf(report).doNow.join('\n');
    expect(steps).toContain('aws iam update-access-key');
    expect(steps).toContain(PROFILE);
    iam.restore();
  });

  it("the plain message's 'Full detail' command names the member with --account", () => {
    const base = deletedReport();
    const huge = 'x'.repeat(1_000);
    const failed = Array.from({ length: 400 }, (_, index) => ({ region: `r${index}`, error: `${index} ${huge}` }));
    const activity = { ...(base.investigation.status === 'done' ? base.investigation.result.activity : ({} as never)) };
    const report = {
      ...base,
      incident: incidentFor(REPORT_KEY, 'alice', { accountId: MEMBER }),
      investigation: {
        status: 'done' as const,
        result: { activity: { ...activity, regions: { searched: [], failed } }, sessionActivity: [] },
      },
      actedFrom: HUB,
    };
    const { message } = buildPlainNotification(report);
    expect(message.includes('message cut here')).toBe(true);
    expect(message.slice(-300)).toContain(`exposed-keys investigate --key ${REPORT_KEY} --account ${MEMBER} --json`);
  });
});
