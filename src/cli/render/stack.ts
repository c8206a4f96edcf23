import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { PreparedChangeSet, ResourceChange } from '../../deploy/change-set.js';
import type { DeployResult } from '../../deploy/execute-change-set.js';
import type { StackEvent } from '../../deploy/progress.js';
import type { StackDescription, StackResourceInfo } from '../../deploy/stack-description.js';
import type { Palette } from '../output.js';
import { table } from './table.js';

/** The change set, as a person reviews it before saying yes. */
export function renderChanges(changes: readonly ResourceChange[], palette: Palette): string {
  const colour = (action: string) =>
    action === 'Add' ? palette.green(action) : action === 'Remove' ? palette.red(action) : palette.yellow(action);
  return table(
    [{ header: 'action' }, { header: 'resource' }, { header: 'type' }, { header: 'replacement' }],
    changes.map((change) => [
      colour(shownValue(change.action)),
      shownValue(change.logicalId),
      shownValue(change.type),
      shownValue(change.replacement ?? ''),
    ]),
  );
}

/** A change set, headed by its name and type, as a person reviews it before saying yes. */
export function renderChangeSet(changeSet: PreparedChangeSet, palette: Palette): string {
  return [
    `${palette.bold(`Change set ${changeSet.changeSetName}`)} (${changeSet.changeSetType}):`,
    renderChanges(changeSet.changes, palette),
  ].join('\n');
}

/** One stack event as a progress line. */
export function renderStackEvent(event: StackEvent, palette: Palette): string {
  const status = /FAILED|ROLLBACK/.test(event.status)
    ? palette.red(event.status)
    : /COMPLETE$/.test(event.status)
      ? palette.green(event.status)
      : palette.dim(event.status);
  const time = event.timestamp.toISOString().slice(11, 19);
  return `  ${palette.dim(time)}  ${status}  ${shownValue(event.logicalId)} ${palette.dim(shownValue(event.type))}${event.reason ? `  ${shownText(event.reason, 500)}` : ''}`;
}

/** The resources of a stack. */
export function renderResources(resources: readonly StackResourceInfo[], palette: Palette): string {
  return table(
    [{ header: 'resource' }, { header: 'type' }, { header: 'status' }, { header: 'physical id' }],
    resources.map((resource) => [
      shownValue(resource.logicalId),
      shownValue(resource.type),
      /FAILED/.test(resource.status) ? palette.red(shownValue(resource.status)) : shownValue(resource.status),
      shownValue(resource.physicalId ?? '', 90),
    ]),
  );
}

function keyValues(title: string, values: Record<string, string>, palette: Palette): string[] {
  const entries = Object.entries(values);
  if (entries.length === 0) return [];
  const rows = entries.map(([name, value]) => [shownValue(name), shownValue(value, 100)]);
  return [palette.bold(title), table([{ header: 'name' }, { header: 'value' }], rows), ''];
}

/** The end of a deploy: status, resources, outputs. */
export function renderDeployResult(result: DeployResult, palette: Palette): string {
  return [
    result.noChanges
      ? palette.green(`No changes: ${result.stackName} is up to date (${result.status}).`)
      : palette.green(`${result.stackName}: ${result.status}`),
    '',
    palette.bold('Resources'),
    renderResources(result.resources, palette),
    '',
    ...keyValues('Outputs', result.outputs, palette),
  ].join('\n');
}

/** A stack as `status` shows it (subscriptions and executions are rendered beside it). */
export function renderStackDescription(stack: StackDescription, palette: Palette): string {
  return [
    `${palette.bold(shownValue(stack.stackName))}: ${stack.state === 'succeeded' ? palette.green(shownValue(stack.status)) : palette.yellow(shownValue(stack.status))}${stack.statusReason ? ` (${shownText(stack.statusReason, 500)})` : ''}`,
    `  updated ${(stack.updatedAt ?? stack.createdAt)?.toISOString() ?? 'unknown'}`,
    '',
    palette.bold('Resources'),
    renderResources(stack.resources, palette),
    '',
    ...keyValues('Parameters', stack.parameters, palette),
    ...keyValues('Outputs', stack.outputs, palette),
  ].join('\n');
}
