import { callerAccount } from '../../aws/caller-account.js';
import type { AwsClients } from '../../aws/clients.js';
import { describeError, StackNotFoundError } from '../../errors.js';
import { cliHost } from '../cli-host.js';
import { guardedOnceConfirmed } from '../interrupt.js';
import type { Output, Progress } from '../output.js';
import { renderReleasePlan } from '../render/release.js';
import { actingClients } from './acting-clients.js';
import { deployedParameters, refuseAccountOutsideHub } from './deployed-stack.js';
import { type ReleaseMessage, type ReleaseOutcome, type ReleaseRequest, releaseFlow } from './release.js';
import type { TopicToNotify } from './respond.js';
import { stackSchedules } from './schedule-target.js';
import { resolveTopic } from './topic.js';

/** How the command talks with the responder. */
export interface ReleaseUi {
  output: Output;
  progress: Progress;
  yes?: boolean;
  stackName: string;
  topicArn?: string;
}

/**
 * `release` from the command line: finds the stack's schedules (without a stack, the tag on the
 * user is the only evidence looked for) and its topic, and runs the release with a host that
 * shows the evidence and asks before any change.
 */
export async function releaseCommand(
  clients: AwsClients,
  request: ReleaseRequest,
  ui: ReleaseUi,
): Promise<ReleaseOutcome> {
  const { output, progress } = ui;
  // --account: the key's IAM is the member's, through its role (checked first, as respond does);
  // the schedules and the topic stay the caller's (the hub's).
  const { acting, own, actedFrom } = await actingClients(
    clients,
    request.account,
    request.accessKeyId,
    (text) => output.warn(text),
    'release',
  );
  // Only a hub's schedules are a member's key's: another stack's act in its own account alone.
  if (request.account && !own)
    await refuseAccountOutsideHub(deployedParameters(clients, ui.stackName), {
      stackName: ui.stackName,
      accountId: request.account.accountId,
      accessKeyId: request.accessKeyId,
      command: 'release',
    });
  // A topic given is checked before anything changes, as respond does.
  const given = ui.topicArn
    ? await resolveTopic(clients, { topicArn: ui.topicArn, stackName: ui.stackName }, 5_000)
    : null;
  const schedules = await stackSchedules(clients, ui.stackName, clients.context.region)().catch((error: unknown) => {
    if (error instanceof StackNotFoundError) return null;
    throw error;
  });
  const topic = async (): Promise<TopicToNotify> => {
    if (given) return given;
    try {
      return await resolveTopic(clients, { stackName: ui.stackName });
    } catch (error) {
      return { warning: `Could not look up the topic of stack ${ui.stackName}: ${describeError(error)}` };
    }
  };
  // For the message only: not knowing the account is no reason to fail a release that was made.
  const accountId = async (): Promise<string | null> => {
    if (request.account) return request.account.accountId;
    try {
      const account = await callerAccount(await clients.sts());
      return /^\d{12}$/.test(account) ? account : null;
    } catch {
      return null;
    }
  };
  const show = (message: ReleaseMessage) => {
    if (message.kind === 'step') progress.step(message.text);
    else {
      progress.stop();
      output.beforeQuestion(renderReleasePlan(message.plan, message.reactivate, output.stderrPalette), !ui.yes);
    }
  };
  // Ctrl-C between making the key active and cancelling its schedules would leave a deletion or a
  // verification alarm for a key released on purpose: once yes is said, the release runs to its
  // end and its notification.
  const host = guardedOnceConfirmed(cliHost(output, { command: 'release', yes: ui.yes, show }), () =>
    output.warn(
      'The release goes on to its end and its notification. Ctrl-C again ends it now, with no notification: its schedules may be left, and the release not recorded; run the same release again to finish it.',
    ),
  );
  let outcome: ReleaseOutcome;
  try {
    outcome = await releaseFlow(
      {
        iam: await acting.iam(),
        scheduler: schedules?.scheduler,
        groupName: schedules?.target.groupName ?? null,
        topic,
        accountId,
        ...(actedFrom ? { actedFrom } : {}),
      },
      request,
      host,
    );
  } finally {
    host.dispose();
  }
  // Also with --json, whose stdout then stays empty: the answer was no.
  if (outcome.aborted) output.notice('Nothing was changed.');
  return outcome;
}
