import { shownText, shownValue } from '../../common/untrusted-text.js';
import { messageOf } from '../../message/message-of.js';
import type { ReleasePlan } from '../../steps/lifecycle/release.js';
import type { Palette } from '../output.js';
import type { ReleaseCommandResult } from '../run/release.js';
import { renderMessageHead } from './message.js';

/** What release is about to do, with the evidence, for the person to confirm. */
export function renderReleasePlan(plan: ReleasePlan, reactivate: boolean, palette: Palette): string {
  const lines = [
    `${palette.bold(`Release ${plan.accessKeyId}`)} (owner ${shownValue(plan.userName)}, now ${plan.status})`,
    ...plan.evidence.map((line) => `  - evidence: ${shownText(line)}`),
  ];
  const deletion = plan.schedules.find((schedule) => schedule.kind === 'scheduled-deletion');
  lines.push(
    deletion
      ? `  - remove the scheduled deletion ${deletion.name}${deletion.at ? ` (due ${deletion.at})` : ''}`
      : '  - no deletion is scheduled',
  );
  if (reactivate) lines.push(palette.yellow(`  - make ${plan.accessKeyId} ACTIVE again, and remove its verification`));
  for (const warning of plan.warnings) lines.push(palette.yellow(`  warning: ${shownText(warning)}`));
  return lines.join('\n');
}

/** The release's outcome for a terminal: what was done, then the head of the message sent. */
export function renderRelease(result: ReleaseCommandResult, palette: Palette): string {
  const { release, notification } = result;
  const lines = [''];
  if (release.status === 'done') {
    const done = release.result;
    lines.push(
      `${palette.green('✔')} Released ${done.accessKeyId}: ${done.reactivated ? 'ACTIVE again' : done.status === 'Active' ? palette.red('left ACTIVE (made active again by someone else)') : 'left inactive'}; schedules removed: ${done.cancelled.join(', ') || 'none'}`,
    );
    for (const warning of done.warnings) lines.push(palette.yellow(`  warning: ${shownText(warning)}`));
  } else
    lines.push(
      palette.red(`✖ Release FAILED: ${shownText(release.status === 'failed' ? release.error : release.reason)}`),
    );
  if (notification.status === 'sent') lines.push(`${palette.green('✔')} Notified ${notification.topicArn}`);
  else if (notification.status === 'failed')
    lines.push(palette.red(`✖ Notification FAILED (${notification.topicArn}): ${shownText(notification.error)}`));
  else lines.push(`${palette.cyan('•')} Notification printed below (${notification.reason})`);
  const report = {
    incident: null,
    containment: { status: 'skipped', reason: '' },
    investigation: { status: 'skipped', reason: '' },
    followUp: {
      kind: 'release',
      accessKeyId: result.plan.accessKeyId,
      userName: result.plan.userName,
      accountId: result.accountId,
      containedAt: result.plan.containedAt,
      step: release,
      reactivate: result.reactivate ?? false,
      ...(result.keyGone ? { keyGone: true } : {}),
    },
    ...(result.actedFrom ? { actedFrom: result.actedFrom } : {}),
  } as const;
  lines.push('', renderMessageHead(messageOf(report), palette));
  if (notification.status !== 'sent')
    lines.push('', palette.bold(`Subject: ${notification.subject}`), '', notification.message);
  return lines.join('\n');
}
