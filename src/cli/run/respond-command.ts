import type { TimeWindow } from '../../activity/activity-summary.js';
import type { AwsClients } from '../../aws/clients.js';
import { DEFAULT_VERIFY_AFTER_MINUTES, GLOBAL_EVENTS_REGION, LOGICAL_IDS } from '../../constants.js';
import { describeError, InvalidInputError, StackNotFoundError } from '../../errors.js';
import { NotAHubError } from '../../organization/organization-errors.js';
import type { ContainmentMode } from '../../steps/contain.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';
import { cliHost } from '../cli-host.js';
import { listenForInterrupt } from '../interrupt.js';
import type { AccountTarget, AthenaRequest } from '../options.js';
import type { Output, Progress } from '../output.js';
import { renderActivityProgress } from '../render/progress.js';
import { athenaResultsLocation, renderDryRunWrites, renderQueriesReport } from '../render/queries.js';
import { renderPlan } from '../render/respond.js';
import { actingClients } from './acting-clients.js';
import {
  type DeployedStack,
  deployedStack,
  refuseAccountOutsideHub,
  reportingUnreadParameters,
} from './deployed-stack.js';
import { refuseSigningWithTheKey } from './own-credentials.js';
import { schedulesForPlan } from './plan-schedules.js';
import { type RespondMessage, type RespondOutcome, respondToKey, type TopicToNotify } from './respond.js';
import type { StackLookup } from './respond-plan.js';
import { describedStackSchedules } from './schedule-target.js';
import { resolveTopic, snsOfTopic } from './topic.js';

export { responseExitCode } from './respond.js';

/** What the responder asked for, checked. */
export interface RespondRequest {
  accessKeyId: string;
  userName?: string;
  mode: ContainmentMode;
  /** deactivate-then-delete: days before the deletion. */
  deleteAfterDays?: number;
  dryRun: boolean;
  revokeSessions: boolean;
  followSessions: boolean;
  window: TimeWindow;
  regions?: string[];
  /** An Athena table to investigate with; LookupEvents when absent. */
  athena?: AthenaRequest;
  topicArn?: string;
  /** Act in this member account through its responder role (`--account`). */
  account?: AccountTarget;
}

/** How the command talks with the responder. */
export interface RespondUi {
  output: Output;
  progress: Progress;
  yes?: boolean;
  stackName: string;
}

/** How long the check of a topic given with --topic may take: it must not hold containment back. */
const TOPIC_CHECK_MS = 5_000;

/** How long the plan waits for the stack's schedules: the question must not be held back. */
const PLAN_LOOKUP_MS = 5_000;

/**
 * The stack's schedules for the plan: looked up when a person confirms it, for a dry run, or when
 * they were needed before containment anyway (deactivate-then-delete); --yes alone contains first.
 */
function stackLookup(request: RespondRequest, yes: boolean | undefined, schedules: () => Promise<ScheduleDeps>) {
  if (!yes || request.dryRun || request.mode === 'deactivate-then-delete')
    return () => schedulesForPlan(schedules, PLAN_LOOKUP_MS);
  return async (): Promise<StackLookup> => ({
    lookedUp: false,
    reason: 'with --yes, containment waits for nothing but IAM',
  });
}

/**
 * Where to notify. A topic given is checked now, before anything changes (one that does not exist
 * is bad input; SNS not answering in time is a warning). The stack's topic is looked up only after
 * containment, and any failure there is a warning: the message is then printed.
 */
async function topicFinder(clients: AwsClients, request: RespondRequest, stackName: string, stack: DeployedStack) {
  if (request.topicArn !== undefined) {
    const given = await resolveTopic(clients, { topicArn: request.topicArn, stackName }, TOPIC_CHECK_MS);
    return { find: async (): Promise<TopicToNotify> => given, whom: request.topicArn };
  }
  const find = async (): Promise<TopicToNotify> => {
    try {
      const topicArn = (await stack.resources())[LOGICAL_IDS.topic];
      return topicArn ? { topicArn, sns: await snsOfTopic(clients, topicArn) } : {};
    } catch (error) {
      return {
        warning: `Could not look up the topic of stack ${stackName}, so the message is printed: ${describeError(error)}`,
      };
    }
  };
  return { find, whom: `the topic of stack ${stackName} if there is one (else the message is printed)` };
}

/** Where the investigation searches, in words, for the plan. */
function searchedWhere(request: RespondRequest): string {
  const regions = request.regions?.join(', ') ?? 'every enabled region';
  if (!request.athena) return regions;
  const { database, table } = request.athena.table;
  return `Athena table ${database}.${table} (${request.regions ? regions : 'every region'})`;
}

/**
 * `respond` from the command line: builds the clients and the activity source, and runs the
 * response with a host that shows the plan and asks before any change. With --yes, nothing but
 * IAM stands before containment (unless deactivate-then-delete needs the stack's schedules, or
 * --account whether it is a hub): the stack is looked up after it. The plan a person confirms
 * shows what the stack will run, looked up first.
 */
export async function respondCommand(
  clients: AwsClients,
  request: RespondRequest,
  ui: RespondUi,
): Promise<RespondOutcome> {
  const { output, progress } = ui;
  await refuseSigningWithTheKey(clients, request, (text) => output.warn(text));
  // --account: checked first (membership, the role), so that a refusal changes nothing anywhere.
  const { acting, own, actedFrom } = await actingClients(
    clients,
    request.account,
    request.accessKeyId,
    (text) => output.warn(text),
    'respond',
  );
  const hubAsked = Boolean(request.account && !own);
  // Described once, on first use, for its topic, its schedules and its settings alike.
  const stack = reportingUnreadParameters(deployedStack(clients, ui.stackName), (error) =>
    output.warn(
      `Could not read the parameters of stack ${ui.stackName}: ${describeError(error)}. The response goes on without them: ${hubAsked ? "whether the stack is an organisation's hub is not known, and " : ''}a verification it schedules comes after ${DEFAULT_VERIFY_AFTER_MINUTES} minutes.`,
    ),
  );
  if (request.account && !own)
    await refuseAccountOutsideHub(stack.parameters, {
      stackName: ui.stackName,
      accountId: request.account.accountId,
      accessKeyId: request.accessKeyId,
      command: 'respond',
    }).catch((error: unknown) => {
      // Not knowing (the parameters unread, said once) is no reason to leave the key active: a
      // follow-up that cannot act there says so when it comes.
      if (error instanceof NotAHubError) throw error;
    });
  const topic = await topicFinder(clients, request, ui.stackName, stack);
  const schedules = describedStackSchedules(stack, clients, ui.stackName, clients.context.region);
  // The deletion of a deactivated key is scheduled in the stack: without one, nothing is changed.
  if (request.mode === 'deactivate-then-delete')
    await schedules().catch((error: unknown) => {
      if (error instanceof StackNotFoundError)
        throw new InvalidInputError(
          '--mode',
          `--mode deactivate-then-delete schedules the deletion in the stack ${ui.stackName}, which was not found (or schedules nothing); nothing was changed.`,
          {
            hint: 'Deploy the stack (`exposed-keys deploy`) or give --stack-name; or use --mode deactivate now and delete the key later.',
          },
        );
      // CloudFormation failing is no reason to leave the key active: the scheduling is said to fail.
    });
  // --account: IAM, STS, CloudTrail, Security Hub and the inventory act in the member, through its
  // role; the topic, the schedules and the Athena table stay the caller's (the hub's).
  const cloudTrail = await acting.cloudTrail();
  // Containment is never cut short, nor its notification: Ctrl-C stops the investigation, and the
  // person who pressed it (again) is told why the run goes on a moment.
  const stopping = () => output.notice('Stopping: containment, once begun, and the notification finish first…');
  const interrupt = listenForInterrupt(stopping);
  interrupt.signal.addEventListener('abort', stopping);
  const { sourceOf } = await import('./investigate.js');
  const source = await sourceOf(clients, acting, {
    athena: request.athena,
    regions: request.regions,
    signal: interrupt.signal,
    onWarning: (text) => output.warn(text),
    account: request.account,
  });
  const accountName = async () => {
    if (!request.account || own) return null;
    const named = await (await import('./member-clients.js')).accountName(clients, request.account.accountId);
    if (named.problem) output.debug(`The account's name is not known: ${named.problem}`);
    return named.name;
  };
  const show = (message: RespondMessage) => {
    if (message.kind === 'step') progress.step(message.text);
    else if (message.kind === 'progress') progress.update(renderActivityProgress(message.progress));
    else {
      progress.stop();
      const asking = !ui.yes && !message.options.dryRun;
      output.beforeQuestion(renderPlan(message.planned, message.options, output.stderrPalette), asking);
    }
  };
  const outcome = await respondToKey(
    {
      iam: await acting.iam(),
      sts: await acting.sts(),
      source,
      cloudTrail: cloudTrail(GLOBAL_EVENTS_REGION),
      topic: topic.find,
      securityHub: async () => ({ client: await acting.securityHub(), region: acting.context.region }),
      schedules,
      stackLookup: stackLookup(request, ui.yes, schedules),
      inventory: async (summaries, owner, account) =>
        (await import('./investigate.js')).inventoryWith(acting, summaries, owner, account),
      accountName,
      ...(actedFrom ? { actedFrom } : {}),
      signal: interrupt.signal,
    },
    {
      ...request,
      searchedWhere: searchedWhere(request),
      notifiedWhom: topic.whom,
      ...(request.athena ? { investigationWritesTo: athenaResultsLocation(request.athena) } : {}),
    },
    cliHost(output, { command: 'respond', yes: ui.yes, show }),
  ).finally(() => interrupt.dispose());
  // Also with --json, whose stdout then stays empty: the answer was no.
  if (outcome.aborted) output.notice('Nothing was changed.');
  const queries = source.queries ?? [];
  if (queries.length > 0) output.notice(renderQueriesReport(queries));
  if (request.dryRun && request.athena && queries.length > 0)
    output.notice(renderDryRunWrites(queries, athenaResultsLocation(request.athena)));
  return outcome;
}
