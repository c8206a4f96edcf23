import { shownText, shownValue } from '../../common/untrusted-text.js';
import type { OrganizationStatus } from '../../organization/deploy/organization-status.js';
import type { OrganizationPlan, OrgDeployReport } from '../../organization/deploy/run-org-deploy.js';
import type { OrgDestroyReport } from '../../organization/deploy/run-org-destroy.js';
import type { AccountFailure, InstanceStatus, OperationReport } from '../../organization/deploy/stack-set.js';
import type { Palette } from '../output.js';
import { renderDeployReport } from './deploy.js';
import { bucketLine } from './destroy.js';
import { renderForwardingQueues } from './forwarding-queues.js';
import { table } from './table.js';

const MANAGEMENT: Record<OrganizationPlan['management'], string> = {
  hub: 'covered by the hub itself (the hub runs there)',
  'member-stack': 'gets the member stack (--management-profile)',
  'not-covered':
    'NOT covered: StackSets never deploy there; add --management-profile <profile of the management account>',
};

/** What `deploy --org` will do, before anything changes. */
export function renderOrganizationPlan(plan: OrganizationPlan, palette: Palette): string {
  const preferences = plan.preferences;
  return [
    palette.bold(`Organization ${plan.organizationId}`),
    `  Hub:             account ${plan.hubAccountId}, us-east-1 (bus, state machine, functions, encrypted topic)`,
    `  Members:         ${plan.stackSetAction} StackSet ${plan.stackSetName} (service-managed, automatic deployment) to ${plan.targets.join(', ')}, us-east-1`,
    `  Rollout:         ${preferences.MaxConcurrentPercentage}% of the accounts at once, up to ${preferences.FailureTolerancePercentage}% may fail (${preferences.ConcurrencyMode})`,
    `  Management:      account ${plan.managementAccountId}, ${MANAGEMENT[plan.management]}`,
    `  StackSet calls:  as ${plan.callAs === 'SELF' ? 'the management account' : 'a delegated administrator'}`,
  ].join('\n');
}

/** The accounts an operation failed in: account, status, reason. */
export function renderFailures(failures: readonly AccountFailure[]): string {
  return table(
    [{ header: 'account' }, { header: 'region' }, { header: 'status' }, { header: 'reason' }],
    failures.map((failure) => [
      shownValue(failure.account, 20),
      shownValue(failure.region, 20),
      shownValue(failure.status, 30),
      shownText(failure.reason, 300),
    ]),
  );
}

function renderOperation(operation: OperationReport, palette: Palette): string[] {
  const ok = operation.status === 'SUCCEEDED' && operation.failures.length === 0;
  const line = `StackSet ${operation.action}: ${operation.status}${operation.reason ? ` (${shownText(operation.reason, 200)})` : ''}`;
  const lines = [ok ? palette.green(line) : palette.red(line)];
  if (operation.failures.length > 0) {
    lines.push(`  ${operation.failures.length} account(s) failed:`);
    lines.push(renderFailures(operation.failures));
  }
  return lines;
}

/** How `deploy --org` ended, as a person reads it. */
export function renderOrgDeployReport(report: OrgDeployReport, palette: Palette): string {
  const lines = [renderDeployReport(report.hub, palette)];
  if (report.hubEventBusArn) lines.push(`Hub bus: ${report.hubEventBusArn}`);
  if (report.outcome === 'hub-only')
    lines.push(palette.yellow('The StackSet was not changed: the members are as they were.'));
  for (const operation of report.operations) lines.push(...renderOperation(operation, palette));
  const management = `Management account: ${report.management.status}${report.management.stackName ? ` (${report.management.stackName})` : ''}. ${report.management.note}`;
  lines.push(report.management.status === 'not-covered' ? palette.yellow(management) : management);
  return lines.join('\n');
}

/** True when part of an organisation deployment needs a look: accounts failed, or the management account is not covered. */
export function orgDeployProblems(report: OrgDeployReport): string[] {
  const problems = report.operations
    .filter((operation) => operation.status !== 'SUCCEEDED' || operation.failures.length > 0)
    .map(
      (operation) =>
        `StackSet ${operation.action} ${operation.status}, ${operation.failures.length} account(s) failed: see exposed-keys status --org`,
    );
  if (report.outcome === 'deployed' && report.management.status === 'not-covered')
    problems.push(report.management.note);
  return problems;
}

function instanceRow(instance: InstanceStatus, palette: Palette): string[] {
  const status =
    instance.status === 'CURRENT' ? palette.green(instance.status) : palette.red(shownValue(instance.status, 20));
  return [
    shownValue(instance.account, 20),
    status,
    shownValue(instance.detailedStatus ?? '', 30),
    shownValue(instance.driftStatus, 20),
    shownValue(instance.organizationalUnitId ?? '', 40),
    shownText(instance.reason ?? '', 200),
  ];
}

/** The StackSet and its instances by account; those not current first, with their reason. */
export function renderOrganizationStatus(status: OrganizationStatus, palette: Palette): string {
  const lines = [
    palette.bold(`Organization ${status.organizationId} (management account ${status.managementAccountId})`),
  ];
  if (!status.stackSet) {
    lines.push(palette.yellow('  No member StackSet: run exposed-keys deploy --org.'));
    return lines.join('\n');
  }
  const { stackSet } = status;
  lines.push(
    `  StackSet ${stackSet.name}: ${stackSet.status}, automatic deployment ${stackSet.autoDeployment ? 'on' : palette.yellow('OFF')}, ${status.instances.length} instance(s)`,
  );
  const headers = ['account', 'status', 'detail', 'drift', 'unit', 'reason'].map((header) => ({ header }));
  if (status.notCurrent.length > 0) {
    lines.push('', palette.red(`${status.notCurrent.length} account(s) not current:`));
    lines.push(
      table(
        headers,
        status.notCurrent.map((instance) => instanceRow(instance, palette)),
      ),
    );
  }
  lines.push('', palette.bold('Instances by account'));
  lines.push(
    status.instances.length === 0
      ? '  none yet'
      : table(
          headers,
          status.instances.map((instance) => instanceRow(instance, palette)),
        ),
  );
  lines.push('', ...renderForwardingQueues(status, palette));
  return lines.join('\n');
}

/** How `destroy --org` ended. */
export function renderOrgDestroyReport(report: OrgDestroyReport, palette: Palette): string {
  const lines = [
    report.stackSetDeleted
      ? palette.green(`Removed the member stack from ${report.accounts} account(s) and deleted the StackSet.`)
      : 'No member StackSet to delete.',
  ];
  if (report.management)
    lines.push(`Management account: ${report.management.status} (${report.management.stackName}).`);
  if (report.hub?.outcome === 'destroyed') {
    lines.push(palette.green(`Deleted the hub ${report.hub.stackName}.`));
    const bucket = bucketLine(report.hub, palette);
    if (bucket) lines.push(bucket);
  }
  return lines.join('\n');
}
