import type { TimeWindow } from '../../activity/activity-summary.js';
import { shownText, shownValue } from '../../common/untrusted-text.js';
import { buildIncidentMessage } from '../../message/incident-message.js';
import type { ContainmentResult } from '../../steps/contain.js';
import type { Palette } from '../output.js';
import { incidentReportOf, type RespondOptions, type RespondPlan, type RespondResult } from '../run/respond.js';
import { notSearched, renderActivity, renderSessionActivity } from './activity.js';
import { renderInventory } from './inventory.js';
import { renderMessageHead } from './message.js';

/** What respond is about to do, for the person to confirm. */
export function renderPlan(planned: RespondPlan, options: RespondOptions, palette: Palette): string {
  const { incident } = planned;
  if (planned.plan.status !== 'done')
    return [
      `${palette.bold(`Plan for ${incident.accessKeyId}`)} (account ${incident.accountId})`,
      palette.red(
        `  - containment: ${shownText(planned.plan.status === 'failed' ? planned.plan.error : planned.plan.reason)}`,
      ),
      '  - nothing will be changed; the key is still investigated and the failure notified',
    ].join('\n');
  const plan = planned.plan.result;
  const lines = [
    palette.bold(`Plan for ${incident.accessKeyId}`) +
      ` (owner ${shownValue(plan.userName ?? 'unknown')}, account ${incident.accountId}, mode ${options.mode}${options.dryRun ? ', DRY RUN' : ''})`,
  ];
  const changes = plan.actions.filter((action) => action.status === 'planned');
  if (changes.length > 0) for (const action of changes) lines.push(`  - ${shownText(action.detail)}`);
  else lines.push(`  - ${shownText(plan.summary)}`);
  if (plan.outcome === 'planned' && planned.verifyAfterMinutes === 0)
    lines.push("  - no verification after containment (the stack's VerifyAfterMinutes is 0)");
  for (const policy of plan.quarantinePolicies)
    lines.push(`  - AWS quarantine policy ${shownValue(policy)} is attached; it stays`);
  lines.push(
    `  - investigate ${options.searchedWhere} from ${options.window.start.toISOString()} to ${options.window.end.toISOString()}`,
  );
  if (options.investigationWritesTo)
    lines.push(
      `  - Athena writes the query results to ${options.investigationWritesTo}${options.dryRun ? ": the dry run's only write" : ''}`,
    );
  lines.push(`  - notify ${options.dryRun ? 'nobody (dry run: the message is printed)' : options.notifiedWhom}`);
  return lines.join('\n');
}

function containmentLine(containment: RespondResult['containment'], palette: Palette): string {
  if ('error' in containment) return palette.red(`✖ Containment FAILED: ${shownText(containment.error)}`);
  const result = containment as ContainmentResult;
  const mark = result.contained
    ? palette.green('✔')
    : result.outcome === 'planned'
      ? palette.cyan('•')
      : palette.red('✖');
  const actions = result.actions.map((action) => `${action.kind} ${action.status}`).join(', ');
  return `${mark} Containment: ${result.outcome}. ${shownText(result.summary)}${actions ? palette.dim(` (${actions})`) : ''}`;
}

/**
 * The whole response, for a terminal: what was done and what failed, then the head of the
 * message the security team receives (what happened, the key now, what the attacker did, what to
 * do now), then the activity.
 */
export function renderResponse(result: RespondResult, palette: Palette): string {
  const lines = ['', containmentLine(result.containment, palette)];
  if (!('error' in result.containment))
    for (const warning of result.containment.warnings) lines.push(palette.yellow(`  warning: ${shownText(warning)}`));
  if (result.activity)
    lines.push(
      `${result.activity.regions.failed.length || result.activity.truncated ? palette.yellow('!') : palette.green('✔')} Investigation: ${result.activity.totalEvents} events in ${result.activity.regions.searched.length} region(s)${result.activity.regions.failed.length ? palette.red(`, ${result.activity.regions.failed.length} NOT searched`) : ''}`,
    );
  else lines.push(palette.red(`✖ Investigation FAILED: ${shownText(result.investigationError ?? 'unknown')}`));
  const note = result.notification;
  if (note.status === 'sent') lines.push(`${palette.green('✔')} Notified ${note.topicArn} (message ${note.messageId})`);
  else if (note.status === 'failed')
    lines.push(palette.red(`✖ Notification FAILED (${note.topicArn}): ${shownText(note.error)}`));
  else lines.push(`${palette.cyan('•')} Notification printed below (${note.reason})`);
  const finding = result.finding;
  if (finding?.status === 'imported') {
    const how =
      finding.created === null
        ? 'imported'
        : finding.created
          ? 'created'
          : finding.reopened
            ? 'reopened (it was RESOLVED: NEW again)'
            : 'updated';
    lines.push(`${palette.green('✔')} Security Hub finding ${how}: ${finding.findingId}`);
    for (const warning of finding.warnings) lines.push(palette.yellow(`  warning: ${shownText(warning, 300)}`));
  } else if (finding?.status === 'not-enabled')
    lines.push(`${palette.cyan('•')} Security Hub is not enabled here: no finding (${shownText(finding.detail, 200)})`);
  else if (finding?.status === 'failed')
    lines.push(palette.yellow(`• Security Hub finding not imported: ${shownText(finding.error, 300)}`));

  lines.push('', renderMessageHead(buildIncidentMessage(incidentReportOf(result)), palette));
  if (result.activity) lines.push('', renderActivity(result.activity, palette));
  if (result.sessionActivity.length > 0)
    lines.push(renderSessionActivity(result.sessionActivity, palette, result.activity ?? undefined));
  if (result.inventory) lines.push('', renderInventory(result.inventory, palette));
  if (note.status !== 'sent') lines.push(palette.bold(`Subject: ${note.subject}`), '', note.message);
  return lines.join('\n');
}

/**
 * What went wrong in a response, for stderr: errors (with the step to take) and warnings; `asked`,
 * the window the responder asked for, when the investigation read less of it.
 */
export function responseProblems(
  result: RespondResult,
  asked?: TimeWindow,
): { errors: [string, string][]; warnings: string[] } {
  const errors: [string, string][] = [];
  const warnings: string[] = [];
  if ('error' in result.containment)
    errors.push([`The key was NOT contained: ${result.containment.error}`, 'Contain it by hand: see "Do now" above.']);
  else {
    for (const action of result.containment.actions.filter((each) => each.status === 'failed'))
      errors.push([
        `Part of containment FAILED: ${action.kind}: ${action.detail}`,
        result.containment.humanSteps.join(' ') || 'See "Do now" above.',
      ]);
    warnings.push(...result.containment.warnings);
  }
  if (result.notification.status === 'failed')
    warnings.push(`The notification was not sent: ${result.notification.error}`);
  if (result.investigationError) warnings.push(`The investigation failed: ${result.investigationError}`);
  warnings.push(...result.warnings);
  warnings.push(...notSearched(result, asked));
  return { errors, warnings };
}
