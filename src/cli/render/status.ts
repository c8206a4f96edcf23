import { shownValue } from '../../common/untrusted-text.js';
import type { Palette } from '../output.js';
import type { StackStatus } from '../run/status.js';
import { renderStackDescription } from './stack.js';
import { table } from './table.js';

/** What `status` shows: the stack, who receives the notifications, and the recent executions. */
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
  return lines.join('\n');
}
