import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { OrganizationStatus } from '../../organization/deploy/organization-status.js';
import type { Palette } from '../output.js';

/** The members' queues of events not forwarded to the hub, as `status --org` shows them. */
export function renderForwardingQueues(status: OrganizationStatus, palette: Palette): string[] {
  if (!status.stackSet) return [];
  const { forwarding } = status;
  if (!forwarding)
    return [palette.yellow('  Events the members could not forward: not counted, the StackSet predates their queue.')];
  const lines = [
    palette.bold(`Events the members could not forward to the hub (queue ${shownValue(forwarding.queueName, 80)})`),
  ];
  for (const { accountId, messages } of forwarding.waiting)
    lines.push(palette.red(`  ${shownValue(accountId, 20)}: ${messages} waiting`));
  for (const { accountId, reason } of forwarding.unread)
    lines.push(palette.yellow(`  ${shownValue(accountId, 20)}: not read, ${shownText(reason, 300)}`));
  const read = forwarding.empty.length + forwarding.waiting.length;
  lines.push(`  ${read} account(s) read, ${forwarding.empty.length} with none waiting`);
  return lines;
}

/**
 * What `status --org` must warn of about forwarding, each with what to do: events waiting in a
 * member (an alert the hub never received), a queue not read, a StackSet without the queues.
 */
export function forwardingProblems(status: OrganizationStatus): string[] {
  if (!status.stackSet) return [];
  const { forwarding } = status;
  if (!forwarding)
    return [
      'The member StackSet predates the queues that keep what the members could not forward to the hub: run exposed-keys deploy --org to add them.',
    ];
  const role = status.stackSet.responderRoleName;
  const problems = forwarding.waiting.map(
    ({ accountId, messages }) =>
      `Account ${accountId}: ${messages} exposed-key event(s) could not be forwarded to the hub, and no one was alerted. Read them from its queue ${forwarding.queueName} (aws sqs receive-message, as that account), respond to each key (exposed-keys respond --account ${accountId} --key <key id>), then find why forwarding fails: the hub bus and its policy (exposed-keys status), that account's forwarding role.`,
  );
  if (forwarding.unread.length > 0)
    problems.push(
      `${forwarding.unread.length} account(s) could not be read for events not forwarded (${forwarding.unread
        .slice(0, 5)
        .map(({ accountId }) => accountId)
        .join(
          ', ',
        )}${forwarding.unread.length > 5 ? ', …' : ''}). status --org reads each through the responder role ${role}: run it as a role the members trust (exposed-keys deploy --org --operator-role-arns <its ARN>), and check that their member stack is current.`,
    );
  return problems;
}
