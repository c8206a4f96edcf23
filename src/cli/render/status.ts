import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { Palette } from '../output.js';
import { otherAlertChannels } from '../run/alert-channels.js';
import { isSending, READER_STARTING } from '../run/delivery-status.js';
import type { StackStatus } from '../run/status.js';
import { renderStackDescription } from './stack.js';
import { table } from './table.js';

/** What `status` shows: the stack, who receives the notifications, the recent executions, and what did not reach them. */
export function renderStatus(status: StackStatus, palette: Palette): string {
  const lines = [renderStackDescription(status.stack, palette), palette.bold('Topic subscriptions')];
  const elsewhere = otherAlertChannels(status.stack);
  // Without a confirmed subscription, a chat channel or a webhook still receives the alerts.
  const onlyTo = `the alerts go to ${listed(elsewhere)} only`;
  if (status.subscriptions.length === 0)
    lines.push(
      elsewhere.length > 0
        ? `  none: no e-mail subscription is confirmed; ${onlyTo} (deploy --email to add e-mail)`
        : palette.yellow('  none: nobody receives the notifications (deploy --email, or subscribe to the topic)'),
    );
  else {
    lines.push(
      table(
        [{ header: 'protocol' }, { header: 'endpoint' }, { header: 'state' }],
        status.subscriptions.map((subscription) => [
          shownValue(subscription.protocol),
          shownValue(subscription.endpoint),
          subscription.pending ? palette.yellow('pending confirmation') : palette.green('confirmed'),
        ]),
      ),
    );
    if (elsewhere.length > 0 && status.subscriptions.every((subscription) => subscription.pending))
      lines.push(`  none confirmed yet: ${onlyTo} until one is`);
  }
  lines.push(...deliveryLines(status, palette));
  lines.push('', palette.bold('Recent executions'));
  if (status.executions.length === 0) lines.push('  none yet (try `exposed-keys simulate`)');
  else
    lines.push(
      table(
        [{ header: 'started' }, { header: 'status' }, { header: 'outcome' }, { header: 'name' }],
        status.executions.map((execution) => [
          shownValue(execution.startedAt ?? '', 40),
          execution.status === 'SUCCEEDED'
            ? palette.green(execution.status)
            : execution.status === 'RUNNING'
              ? execution.status
              : palette.red(shownValue(execution.status, 40)),
          shownValue(execution.outcome ?? '', 80),
          shownValue(execution.name, 80),
        ]),
      ),
    );
  lines.push('', palette.bold('Events the state machine did not receive'), undeliveredLine(status, palette));
  return lines.join('\n');
}

function undeliveredLine({ stack, undelivered }: StackStatus, palette: Palette): string {
  if (!undelivered) return '  no dead-letter queue (a stack deployed before it: deploy again)';
  if ('error' in undelivered)
    return palette.yellow(`  the dead-letter queue could not be read: ${shownText(undelivered.error, 300)}`);
  const held = undelivered.waiting + undelivered.inFlight;
  if (held === 0) return palette.green('  none');
  // A message is deleted as soon as its alert went out: one that stays is one whose alert has not.
  return palette.red(
    `  ${held} in the dead-letter queue (${undelivered.waiting} waiting, ${undelivered.inFlight} being handled): events whose alert has not gone out yet. The function's log names each, with the event: /aws/lambda/${shownValue(stack.stackName, 128)}-undelivered`,
  );
}

/** The stack's rules and the dead-letter queue's reader, when they were looked at. */
function deliveryLines({ delivery }: StackStatus, palette: Palette): string[] {
  if (!delivery) return [];
  const lines = ['', palette.bold('Rules and the dead-letter queue’s reader')];
  for (const rule of delivery.rules)
    lines.push(
      'error' in rule
        ? palette.yellow(`  ${shownValue(rule.name, 64)}: could not be read: ${shownText(rule.error, 200)}`)
        : isSending(rule.state)
          ? `  ${shownValue(rule.name, 64)}: ${palette.green(shownValue(rule.state, 60))}`
          : palette.red(`  ${shownValue(rule.name, 64)}: ${shownValue(rule.state, 40)}`),
    );
  const reader = delivery.queueReader;
  if (reader)
    lines.push(
      'error' in reader
        ? palette.yellow(`  reader: could not be read: ${shownText(reader.error, 200)}`)
        : reader.state === 'Enabled'
          ? `  reader: ${palette.green('Enabled')}`
          : READER_STARTING.has(reader.state)
            ? `  reader: ${palette.yellow(reader.state)} (in progress: it reads the queue once done)`
            : palette.red(`  reader: ${shownValue(reader.state, 40)}`),
    );
  return lines;
}

/** Names in a sentence: `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
