import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { Palette } from '../output.js';
import type { StackStatus } from '../run/status.js';
import { renderStackDescription } from './stack.js';
import { table } from './table.js';

/** What `status` shows: the stack, who receives the notifications, the recent executions, and what did not reach them. */
export function renderStatus(status: StackStatus, palette: Palette): string {
  const lines = [renderStackDescription(status.stack, palette), palette.bold('Topic subscriptions')];
  if (status.subscriptions.length === 0)
    lines.push(palette.yellow('  none: nobody receives the notifications (deploy --email, or subscribe to the topic)'));
  else
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

function undeliveredLine({ undelivered }: StackStatus, palette: Palette): string {
  if (!undelivered) return '  no dead-letter queue (a stack deployed before it: deploy again)';
  if ('error' in undelivered)
    return palette.yellow(`  the dead-letter queue could not be read: ${shownText(undelivered.error, 300)}`);
  const inFlight = undelivered.inFlight > 0 ? `; ${undelivered.inFlight} being started again and alerted now` : '';
  if (undelivered.waiting === 0) return palette.green(`  none waiting${inFlight}`);
  return palette.red(
    `  ${undelivered.waiting} waiting: their alert could not be published. Read them: aws sqs receive-message --queue-url ${shownValue(undelivered.queueUrl, 300)} --message-attribute-names All --max-number-of-messages 10${inFlight}`,
  );
}
