import { invocationDeadline, withDeadline } from '../../aws/deadline.js';
import type { SecretsApi, SecurityHubApi, SnsClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import { memberOrRefused, type OrganizationAccess } from '../../organization/organization-access.js';
import { OutsideOrganizationError } from '../../organization/organization-errors.js';
import type { NotifyConfig } from '../../settings/function-settings.js';
import { type ChannelsResult, publishChannels } from '../../steps/channels/publish-channels.js';
import { type IncidentReport, incidentOutcome, keyContained, needsHuman } from '../../steps/incident-outcome.js';
import { notifySecurity } from '../../steps/notify.js';
import { incidentReportOf, type NotificationOutput, type WorkflowState } from '../workflow-state.js';
import { accountOf, clientsIn, ownAccount, TASK_MARGIN_MS, type TaskContext, type TaskLogger } from './task-common.js';

/** What the notification function needs: SNS, and the clients of the channels it is configured for. */
interface NotifyTaskDeps {
  sns: SnsClient;
  securityHub?: SecurityHubApi;
  secrets?: SecretsApi;
  fetch?: typeof fetch;
  /** The region findings are imported into (the function's). */
  region?: string;
  accountId?: string;
  /** Organisation mode: a member's finding is imported in the member, through its responder role. */
  organization?: OrganizationAccess;
  logger?: TaskLogger;
  now?: () => Date;
}

/** The account (and the key, or the user) a report is about: an incident's, a quarantined user's, a follow-up's. */
function reportedAccount(report: IncidentReport): { accountId?: string; name: string } {
  if (report.incident) return { accountId: report.incident.accountId, name: report.incident.accessKeyId };
  if (report.signal?.role === 'quarantine')
    return { accountId: report.signal.quarantine.accountId, name: report.signal.quarantine.userName };
  return { accountId: report.followUp?.accountId ?? undefined, name: report.followUp?.accessKeyId ?? 'notify' };
}

/**
 * Where the incident's finding goes: Security Hub of the account that owns the key, the only one
 * that may import it under its default product. That is the function's own, or, in organisation
 * mode, the member's through its responder role, once Organizations has not said the account is
 * outside the organisation (whatever the report: a key's, a quarantined user's, a later report's);
 * outside, no role is assumed and the finding is skipped, saying why. A failure to tell is a problem
 * to log, never a reason for the notification to fail: the e-mail goes out either way.
 */
async function findingsIn(
  deps: NotifyTaskDeps,
  report: IncidentReport,
): Promise<{ securityHub?: SecurityHubApi; accountId?: string; problem?: string; refused?: string }> {
  const { accountId, name } = reportedAccount(report);
  const outside = () => {
    const refused = `account ${accountId} is outside the organisation, so no finding is imported there`;
    return { problem: `Account ${accountId} is outside the organisation: no finding is imported there.`, refused };
  };
  // The hub refused to act there: not even a finding is imported in an account outside it.
  if (incidentOutcome(report) === 'outside-organization') return outside();
  const known = accountId !== undefined && /^\d{12}$/.test(accountId);
  try {
    // Whatever the report (a quarantine, a later report of a key), no role is assumed outside the organisation.
    if (deps.organization && deps.securityHub && known) await memberOrRefused(deps.organization, accountId);
    const member = deps.securityHub && known && (await clientsIn(deps.organization, accountId, name));
    if (!member || member.own) return { securityHub: deps.securityHub, accountId: deps.accountId };
    const { SecurityHubClient } = await import('@aws-sdk/client-securityhub');
    return {
      securityHub: new SecurityHubClient(member.config(deps.region ?? 'us-east-1')),
      accountId: member.accountId,
    };
  } catch (error) {
    if (error instanceof OutsideOrganizationError) return outside();
    return { problem: `Could not reach Security Hub of account ${accountId}: ${describeError(error)}` };
  }
}

/** How each channel beside the security topic went, in a word. */
function channelStatus(channels: ChannelsResult): NotificationOutput['channels'] {
  return { finding: channels.finding.status, chat: channels.chat.status, webhook: channels.webhook.status };
}

/**
 * `NotifySecurity`: sends the one message of the incident (a full one, a follow-up, or a
 * quarantined user's), whatever the earlier tasks did; and, at the same time, the Security Hub
 * finding, the chat notification and the webhook, whose failures are logged and reported, never thrown.
 */
export function notifyTask(deps: NotifyTaskDeps, config: NotifyConfig) {
  return async (state: WorkflowState, context?: TaskContext): Promise<NotificationOutput> => {
    const hub = deps.organization && ownAccount(deps.organization, deps.accountId, context);
    const report: IncidentReport = { ...incidentReportOf(state), ...(hub ? { actedFrom: hub } : {}) };
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.notify);
    const sns = withDeadline(deps.sns, deadline);
    // The finding, chat and webhook: sent beside the e-mail, not after it, and also when the
    // security topic refuses it (its key's policy, say), each attempt, so that some alert goes out
    // even when the topic hangs until the deadline.
    const sendChannels = async (): Promise<ChannelsResult> => {
      const findings = await findingsIn(deps, report);
      if (findings.problem) deps.logger?.info('Finding not imported', { problem: findings.problem });
      return publishChannels(
        {
          sns,
          securityHub: findings.securityHub && withDeadline(findings.securityHub, deadline),
          secrets: deps.secrets && withDeadline(deps.secrets, deadline),
          fetch: deps.fetch,
          accountId: findings.accountId ?? accountOf(context?.invokedFunctionArn),
          ...(findings.refused ? { findingRefused: findings.refused } : {}),
          now: deps.now,
        },
        report,
        {
          findings: config.findings ?? false,
          chatTopicArn: config.chatTopicArn,
          webhookSecretArn: config.webhookSecretArn,
          region: deps.region ?? 'us-east-1',
        },
      );
    };
    const channelsSent = sendChannels();
    // Awaited below, after the e-mail: until then its failure must not count as unhandled.
    channelsSent.catch(() => undefined);
    let sent: Awaited<ReturnType<typeof notifySecurity>>;
    try {
      sent = await notifySecurity({ sns }, { ...report, topicArn: config.topicArn });
    } catch (error) {
      const channels = channelStatus(await channelsSent);
      deps.logger?.info('Notification to the security topic failed; other channels tried', {
        error: describeError(error),
        channels,
      });
      throw error;
    }
    const channels = await channelsSent;
    const output = {
      messageId: sent.messageId,
      subject: sent.subject,
      outcome: sent.outcome,
      keyContained: keyContained(report),
      failExecution: needsHuman(report),
      channels: channelStatus(channels),
    };
    deps.logger?.info('Notification sent', {
      ...output,
      channelDetail: channels,
      bytes: sent.bytes,
      tablesTruncated: sent.tablesTruncated,
      ...(sent.fullMessageRefused ? { fullMessageRefused: sent.fullMessageRefused } : {}),
    });
    return output;
  };
}
