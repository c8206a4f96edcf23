import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { ForwardingQueues, UnreadCause } from '../../organization/deploy/forwarding-queues.js';
import type { OrganizationStatus } from '../../organization/deploy/organization-status.js';
import type { Palette } from '../output.js';

/** Accounts named one by one in a line; an organisation of thousands is summed up past these. */
const NAMED = 5;
/** Lines of accounts with events waiting, or failures, shown; `--json` lists every one. */
const LISTED = 20;

const UNREAD: Record<UnreadCause, string> = {
  'no-access': 'their responder role refused the caller',
  'no-queue': 'no queue there (a member stack that predates it, or none)',
  failed: 'a call failed',
};

/** Account ids, the first few named and the rest counted. */
function named(accountIds: readonly string[]): string {
  const shown = accountIds.slice(0, NAMED).map((id) => shownValue(id, 20));
  return accountIds.length > NAMED ? `${shown.join(', ')} and ${accountIds.length - NAMED} more` : shown.join(', ');
}

function unreadBy(forwarding: ForwardingQueues, cause: UnreadCause) {
  return forwarding.unread.filter((unread) => unread.cause === cause);
}

/** The members' queues of events not forwarded to the hub, as `status --org` shows them. */
export function renderForwardingQueues(status: OrganizationStatus, palette: Palette): string[] {
  if (!status.stackSet) return [];
  const { forwarding } = status;
  if (!forwarding)
    return [palette.yellow('Events the members could not forward: not counted, the StackSet predates their queue.')];
  const lines = [
    palette.bold(`Events the members could not forward to the hub (queue ${shownValue(forwarding.queueName, 80)})`),
  ];
  for (const { accountId, messages } of forwarding.waiting.slice(0, LISTED))
    lines.push(palette.red(`  ${shownValue(accountId, 20)}: ${messages} waiting`));
  if (forwarding.waiting.length > LISTED)
    lines.push(
      palette.red(
        `  … and ${forwarding.waiting.length - LISTED} more account(s) with events waiting (--json lists every one)`,
      ),
    );
  for (const cause of ['no-access', 'no-queue'] as const) {
    const unread = unreadBy(forwarding, cause);
    if (unread.length > 0)
      lines.push(
        palette.yellow(
          `  ${unread.length} account(s) not read, ${UNREAD[cause]}: ${named(unread.map((u) => u.accountId))}`,
        ),
      );
  }
  const failed = unreadBy(forwarding, 'failed');
  for (const { accountId, reason } of failed.slice(0, LISTED))
    lines.push(palette.yellow(`  ${shownValue(accountId, 20)}: not read, ${shownText(reason, 300)}`));
  if (failed.length > LISTED)
    lines.push(palette.yellow(`  … and ${failed.length - LISTED} more account(s) not read (--json lists every one)`));
  const read = forwarding.empty.length + forwarding.waiting.length;
  lines.push(`  ${read} account(s) read, ${forwarding.empty.length} with none waiting`);
  return lines;
}

/**
 * What `status --org` must warn of about forwarding, each once however many accounts it touches,
 * with what to do: events waiting in members (alerts the hub never received), accounts not read
 * (by cause), a StackSet without the queues.
 */
export function forwardingProblems(status: OrganizationStatus): string[] {
  if (!status.stackSet) return [];
  const { forwarding } = status;
  if (!forwarding)
    return [
      'The member StackSet predates the queues that keep what the members could not forward to the hub: run exposed-keys deploy --org to add them.',
    ];
  const problems: string[] = [];
  const { waiting, queueName } = forwarding;
  if (waiting.length > 0) {
    const events = waiting.reduce((sum, account) => sum + account.messages, 0);
    problems.push(
      `${waiting.length} account(s) hold ${events} exposed-key event(s) they could not forward to the hub, and no one was alerted (${named(waiting.map((account) => `${account.accountId}: ${account.messages}`))}). In each, read them from the queue ${queueName} (aws sqs receive-message, as that account), respond to each key (exposed-keys respond --account <account id> --key <key id>), then find why forwarding fails: the hub bus and its policy (exposed-keys status), the account's forwarding role.`,
    );
  }
  const role = status.stackSet.responderRoleName;
  const noAccess = unreadBy(forwarding, 'no-access');
  if (noAccess.length > 0)
    problems.push(
      `${noAccess.length} account(s) could not be read for events not forwarded: their responder role ${role} refused the caller (${named(noAccess.map((u) => u.accountId))}). deploy --org without --operator-role-arns lets only the hub's functions assume it: add the role you run status --org as (exposed-keys deploy --org --operator-role-arns <its ARN>).${noAccess.some((u) => u.accountId === status.managementAccountId) ? ` The management account ${status.managementAccountId} has the role only if deploy --org was given --management-profile.` : ''}`,
    );
  const noQueue = unreadBy(forwarding, 'no-queue');
  if (noQueue.length > 0)
    problems.push(
      `${noQueue.length} account(s) have no queue ${queueName} (${named(noQueue.map((u) => u.accountId))}): their member stack predates it, or is missing (the management account's is deployed by deploy --org --management-profile). Run exposed-keys deploy --org.`,
    );
  const failed = unreadBy(forwarding, 'failed');
  if (failed.length > 0)
    problems.push(
      `${failed.length} account(s) could not be read for events not forwarded (${named(failed.map((u) => u.accountId))}): see the reason of each above, and run status --org again.`,
    );
  return problems;
}
