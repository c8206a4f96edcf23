import type { AwsContext } from '../../aws/client-config.js';
import { AwsClients, s3OverPlainHttp } from '../../aws/clients.js';
import { DEFAULT_RESPONDER_ROLE_NAME } from '../../constants.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { parseTargets } from '../../organization/deploy/organization-info.js';
import { organizationStatus } from '../../organization/deploy/organization-status.js';
import { runOrgDeploy } from '../../organization/deploy/run-org-deploy.js';
import { runOrgDestroy } from '../../organization/deploy/run-org-destroy.js';
import { operatorRoleArnsSchema, roleNameSchema } from '../../settings/settings.js';
import { cliHost } from '../cli-host.js';
import type { OrganizationFlags } from '../command-kit.js';
import { untilInterrupted } from '../interrupt.js';
import { parseFlag } from '../options.js';
import type { Output } from '../output.js';
import { renderDeployReport } from '../render/deploy.js';
import {
  orgDeployProblems,
  renderOrganizationStatus,
  renderOrgDeployReport,
  renderOrgDestroyReport,
} from '../render/organization.js';
import { showDeployMessages } from './deploy-messages.js';
import { stackStatus } from './status.js';

/** What the organisation commands share: where, as whom, and the command's own flags. */
export interface OrganizationCommand extends OrganizationFlags {
  context: AwsContext;
  stackName: string;
  yes?: boolean;
}

/** Clients of the management account, from --management-profile, for its member stack. */
function managementClients(flags: OrganizationCommand): AwsClients | undefined {
  if (flags.managementProfile === undefined) return undefined;
  return new AwsClients({ ...flags.context, profile: flags.managementProfile });
}

/**
 * `deploy --org`: the hub, the member StackSet and the management account's member stack, one
 * plan shown and confirmed, each operation followed. Exit 3 when accounts failed or the management
 * account is left uncovered (each is said).
 */
export async function deployOrganization(
  flags: OrganizationCommand & { bucket?: string; execute: boolean; parameters: Record<string, string> },
  output: Output,
): Promise<ExitCodeValue> {
  const targets = flags.targets === undefined ? undefined : parseTargets(flags.targets);
  const roleName = parseFlag(roleNameSchema, flags.roleName ?? DEFAULT_RESPONDER_ROLE_NAME, '--role-name');
  const operatorRoleArns =
    flags.operatorRoleArns === undefined
      ? []
      : parseFlag(operatorRoleArnsSchema, flags.operatorRoleArns, '--operator-role-arns');
  const clients = new AwsClients(flags.context);
  const management = managementClients(flags);
  const progress = await output.progress();
  // Ctrl-C stops at the next step, saying what is done; CloudFormation goes on with what it was asked.
  const report = await untilInterrupted(async (signal) =>
    runOrgDeploy(
      {
        poll: { signal },
        sts: await clients.sts(),
        s3: await clients.s3(),
        s3PlainHttp: s3OverPlainHttp(),
        signer: () => clients.signer(),
        cloudFormation: await clients.cloudFormation(),
        organizations: await clients.organizations(),
        ...(management ? { managementCloudFormation: await management.cloudFormation() } : {}),
        io: cliHost(output, {
          command: 'deploy --org',
          yes: flags.yes,
          show: showDeployMessages(output, progress, flags.execute && !flags.yes),
        }),
      },
      {
        stackName: flags.stackName,
        region: flags.context.region,
        parameters: flags.parameters,
        bucket: flags.bucket,
        execute: flags.execute,
        ...(targets ? { targets } : {}),
        roleName,
        operatorRoleArns,
        stackSetName: flags.stackSetName,
      },
    ),
  );
  progress.stop();
  // Declined at the hub's change set: nothing was changed, said also with --json, whose stdout stays empty.
  if (report.outcome === 'aborted') {
    output.notice(renderDeployReport(report.hub, output.palette));
    return ExitCode.ok;
  }
  if (output.json) output.printJson(report);
  else output.result(renderOrgDeployReport(report, output.palette));
  const problems = orgDeployProblems(report);
  for (const problem of problems) output.warn(problem);
  return problems.length > 0 ? ExitCode.awsFailed : ExitCode.ok;
}

/** `status --org`: the hub's status, then the member StackSet's instances by account. */
export async function organizationStatusCommand(flags: OrganizationCommand, output: Output): Promise<ExitCodeValue> {
  const clients = new AwsClients(flags.context);
  // Every client first: a call started while the next client still loads could fail with no one
  // awaiting it yet, and end the process on an unhandled rejection.
  const [cloudFormation, sns, sfn, sqs, organizations, sts, events, lambda, { memberSqs }] = await Promise.all([
    clients.cloudFormation(),
    clients.sns(),
    clients.sfn(),
    clients.sqs(),
    clients.organizations(),
    clients.sts(),
    clients.eventBridge(),
    clients.lambda(),
    import('./member-clients.js'),
  ]);
  const progress = await output.progress('Reading the hub and the member StackSet…');
  const [hub, members] = await Promise.all([
    stackStatus(
      { cloudFormation, sns, sfn, sqs, events, lambda },
      { stackName: flags.stackName, region: flags.context.region },
    ),
    organizationStatus(
      {
        cloudFormation,
        organizations,
        sts,
        sqsIn: memberSqs(clients),
        onMemberRead: (read, total) => progress.update(`Reading the members' queues: ${read} of ${total} accounts`),
      },
      { stackSetName: flags.stackSetName },
    ),
  ]).finally(() => progress.stop());
  if (output.json) output.printJson({ hub, organization: members });
  else {
    const { renderStatus } = await import('../render/status.js');
    output.result(`${renderStatus(hub, output.palette)}\n\n${renderOrganizationStatus(members, output.palette)}`);
  }
  const { statusProblems } = await import('./status.js');
  const { forwardingProblems } = await import('../render/forwarding-queues.js');
  const { stackSetProblems } = await import('../render/stack-set-problems.js');
  const problems = [...statusProblems(hub), ...stackSetProblems(members), ...forwardingProblems(members)];
  for (const problem of problems) output.warn(problem);
  return problems.length > 0 || members.notCurrent.length > 0 || !members.stackSet ? ExitCode.awsFailed : ExitCode.ok;
}

/** `destroy --org`: the members' stacks, the StackSet, the management account's stack, then the hub. */
export async function destroyOrganization(
  flags: OrganizationCommand & { deleteBucket: boolean; bucket?: string },
  output: Output,
): Promise<ExitCodeValue> {
  if (flags.targets !== undefined) throw new InvalidInputError('--targets', '--targets applies to deploy --org.');
  const clients = new AwsClients(flags.context);
  const management = managementClients(flags);
  const progress = await output.progress();
  // Ctrl-C stops at the next step, saying what is done; CloudFormation goes on with what it was asked.
  const report = await untilInterrupted(async (signal) =>
    runOrgDestroy(
      {
        poll: { signal },
        sts: await clients.sts(),
        cloudFormation: await clients.cloudFormation(),
        s3: () => clients.s3(),
        scheduler: () => clients.scheduler(),
        organizations: await clients.organizations(),
        ...(management ? { managementCloudFormation: await management.cloudFormation() } : {}),
        io: cliHost(output, {
          command: 'destroy --org',
          yes: flags.yes,
          show: showDeployMessages(output, progress, !flags.yes),
        }),
      },
      {
        stackName: flags.stackName,
        region: flags.context.region,
        deleteBucket: flags.deleteBucket,
        bucket: flags.bucket,
        stackSetName: flags.stackSetName,
      },
    ),
  );
  progress.stop();
  const removedSomething = report.stackSetDeleted || report.operations.length > 0 || report.management !== null;
  if (report.outcome === 'aborted' && !removedSomething) {
    output.notice('Nothing was changed.');
    return ExitCode.ok;
  }
  // Declined part way, what was deleted before the question stays deleted: said on stderr, and with --json in the report.
  if (report.outcome === 'aborted')
    output.notice(
      output.json
        ? 'Stopped at a question: what the report lists as deleted was deleted; nothing else.'
        : 'Stopped: what is listed above as deleted was deleted; nothing else.',
    );
  if (output.json) output.printJson(report);
  else if (report.outcome !== 'aborted') output.result(renderOrgDestroyReport(report, output.palette));
  // The hub holds the follow-ups of every member's keys: what its deletion cancelled is said, as for destroy.
  const hub = report.hub?.outcome === 'destroyed' ? report.hub : undefined;
  const { cancelledFollowUpWarnings, destroyExitCode } = await import('../render/destroy.js');
  for (const warning of hub ? cancelledFollowUpWarnings(hub) : []) output.warn(warning);
  return hub ? destroyExitCode(hub) : ExitCode.ok;
}
