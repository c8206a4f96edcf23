import type { TimeWindow } from '../../activity/activity-summary.js';
import type { AwsClients } from '../../aws/clients.js';
import type { ContainmentMode } from '../../steps/contain.js';
import { cliHost } from '../cli-host.js';
import type { Output, Progress } from '../output.js';
import { renderActivityProgress } from '../render/progress.js';
import { renderPlan } from '../render/respond.js';
import { type RespondMessage, type RespondOutcome, respondToKey } from './respond.js';
import { resolveTopic } from './topic.js';

export { responseExitCode } from './respond.js';

/** What the responder asked for, checked. */
export interface RespondRequest {
  accessKeyId: string;
  userName?: string;
  mode: ContainmentMode;
  dryRun: boolean;
  revokeSessions: boolean;
  followSessions: boolean;
  window: TimeWindow;
  regions?: string[];
  topicArn?: string;
}

/** How the command talks with the responder. */
export interface RespondUi {
  output: Output;
  progress: Progress;
  yes?: boolean;
  stackName: string;
}

/**
 * `respond` from the command line: finds the topic (the one given, else the stack's), builds the
 * clients and the activity source, and runs the response with a host that shows the plan and asks
 * before any change.
 */
export async function respondCommand(
  clients: AwsClients,
  request: RespondRequest,
  ui: RespondUi,
): Promise<RespondOutcome> {
  const { output, progress } = ui;
  const topic = await resolveTopic(clients, { topicArn: request.topicArn, stackName: ui.stackName });
  if (topic.warning) output.warn(topic.warning);
  const { lookupEventsSource } = await import('../../activity/lookup-events/lookup-events-source.js');
  const source = lookupEventsSource(
    { cloudTrail: await clients.cloudTrail(), listRegions: () => clients.listRegions() },
    { regions: request.regions },
  );
  const show = (message: RespondMessage) => {
    if (message.kind === 'step') progress.step(message.text);
    else if (message.kind === 'progress') progress.update(renderActivityProgress(message.progress));
    else {
      progress.stop();
      output.info(renderPlan(message.planned, message.options, output.palette));
    }
  };
  const outcome = await respondToKey(
    { iam: await clients.iam(), sts: await clients.sts(), source, sns: topic.sns },
    {
      ...request,
      topicArn: topic.topicArn,
      searchedWhere: request.regions?.join(', ') ?? 'every enabled region',
    },
    cliHost(output, { command: 'respond', yes: ui.yes, show }),
  );
  if (outcome.aborted) output.info('Nothing was changed.');
  return outcome;
}
