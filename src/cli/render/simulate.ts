import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { StateTransition } from '../../state-machine/run-local.js';
import { failureMessage, type WorkflowState } from '../../state-machine/workflow-state.js';
import type { Palette } from '../output.js';
import type { SimulateResult } from '../run/simulate.js';

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : ` ${(ms / 1000).toFixed(1)} s`;
}

/** One state transition as a progress line. */
export function renderTransition(transition: StateTransition, palette: Palette): string {
  const name = palette.bold(shownValue(transition.state || '(state)', 80));
  switch (transition.phase) {
    case 'entered':
      return `${palette.cyan('▶')} ${name}`;
    case 'exited':
      return `${palette.green('✔')} ${name}${palette.dim(seconds(transition.elapsedMs))}`;
    case 'failed': {
      // The cause's message starts with the error's name: shown before it too, the name read twice.
      const why = transition.cause
        ? shownText(failureMessage({ Error: transition.error, Cause: transition.cause }), 200)
        : shownValue(transition.error ?? 'error', 80);
      return `${palette.red('✖')} ${name} failed: ${why}`;
    }
    case 'retried':
      return `${palette.yellow('↻')} ${name} retried (attempt ${transition.attempt ?? '?'})`;
    case 'caught':
      return `${palette.yellow('⤷')} ${name} failure caught; going on to notify`;
  }
}

function stepLines(output: WorkflowState | null, palette: Palette): string[] {
  if (!output) return [];
  const lines: string[] = [];
  if (output.containment)
    lines.push(
      `  containment    ${shownValue(output.containment.outcome, 40)}: ${shownText(output.containment.summary)}`,
    );
  if (output.containmentError)
    lines.push(palette.red(`  containment    FAILED: ${shownText(failureMessage(output.containmentError))}`));
  if (output.investigation) {
    const { activity } = output.investigation;
    lines.push(
      `  investigation  ${activity.totalEvents} events, ${activity.riskyEvents.length} risky, ${activity.regions.searched.length} region(s) searched${activity.regions.failed.length ? palette.red(`, ${activity.regions.failed.length} NOT searched`) : ''}`,
    );
  }
  if (output.investigationError)
    lines.push(palette.red(`  investigation  FAILED: ${shownText(failureMessage(output.investigationError))}`));
  if (output.notification)
    lines.push(
      `  notification   ${shownText(output.notification.subject, 120)}${output.notification.messageId ? palette.dim(` (message ${shownValue(output.notification.messageId, 80)})`) : ''}`,
    );
  return lines;
}

/** The outcome of a simulation: how the execution ended, what each step did, the test user's fate. */
export function renderSimulation(result: SimulateResult, palette: Palette): string {
  const { execution } = result;
  const ok = execution.status === 'SUCCEEDED';
  const lines = [
    `${ok ? palette.green('✔') : execution.status === 'RUNNING' ? palette.cyan('•') : palette.red('✖')} Execution ${execution.status}${seconds(execution.durationMs)}${execution.executionArn ? palette.dim(` ${execution.executionArn}`) : palette.dim(' (local)')}`,
  ];
  if (execution.error)
    lines.push(palette.red(`  ${shownValue(execution.error, 80)}: ${shownText(execution.cause ?? '')}`));

  lines.push(...stepLines(result.output, palette));
  if (result.testUser) {
    const user = result.testUser;
    lines.push(
      user.keyStatusAfter === null
        ? palette.green(`  test key       ${user.accessKeyId} is gone`)
        : palette.red(`  test key       ${user.accessKeyId} is still ${user.keyStatusAfter}`),
      user.removed
        ? `  test user      ${user.userName} removed`
        : palette.red(
            `  test user      ${user.userName} NOT removed: ${shownText(user.removalError ?? 'unknown')}; delete it by hand`,
          ),
    );
    if (user.followUpsCancelled)
      lines.push(`  follow-ups     ${user.followUpsCancelled} of the test key cancelled (it is gone)`);
    if (user.followUpsError)
      lines.push(
        palette.red(
          `  follow-ups     of the test key NOT cancelled: ${shownText(user.followUpsError)}; delete its schedules (exposed-keys-delete-…, exposed-keys-verify-…) by hand`,
        ),
      );
  }
  if (result.printedNotification)
    lines.push(
      '',
      palette.bold(`Notification (no topic, printed): ${result.printedNotification.subject}`),
      '',
      result.printedNotification.message,
    );
  return lines.join('\n');
}
