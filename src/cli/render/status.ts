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
          subscription.protocol,
          subscription.endpoint,
          subscription.pending ? palette.yellow('pending confirmation') : palette.green('confirmed'),
        ]),
      ),
    );
  lines.push('', palette.bold('Recent executions'));
  if (status.executions.length === 0) lines.push('  none yet (try `exposed-keys simulate`)');
  else
    lines.push(
      table(
        [{ header: 'started' }, { header: 'status' }, { header: 'outcome', max: 80 }, { header: 'name' }],
        status.executions.map((execution) => [
          execution.startedAt ?? '',
          execution.status === 'SUCCEEDED'
            ? palette.green(execution.status)
            : execution.status === 'RUNNING'
              ? execution.status
              : palette.red(execution.status),
          execution.outcome ?? '',
          execution.name,
        ]),
      ),
    );
  return lines.join('\n');
}
