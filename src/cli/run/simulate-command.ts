import { createReadStream } from 'node:fs';
import { callerAccount } from '../../aws/caller-account.js';
import type { AwsClients } from '../../aws/clients.js';
import type { ConfirmRequest } from '../../common/io-host.js';
import { cutEnd } from '../../common/untrusted-text.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import type { StateTransition } from '../../state-machine/run-local.js';
import type { SimulatedSource } from '../../state-machine/simulated-event.js';
import { type Interrupt, listenForInterrupt, warnAtFirstInterrupt } from '../interrupt.js';
import type { AccountTarget } from '../options.js';
import { actingClients } from './acting-clients.js';
import { deployedParameters, isHub } from './deployed-stack.js';
import { refuseSigningWithTheKey } from './own-credentials.js';
import { refuseWithoutIamCredentials } from './refused-credentials.js';
import { runSimulation, type SimulateResult } from './simulate.js';
import { containQuestion, eventIncident, eventProblem, realKeyOf, unreadableQuestion } from './simulate-question.js';
import { resolveTopic } from './topic.js';

/** What `simulate` was asked, checked. */
export interface SimulateCommandRequest {
  accessKeyId?: string;
  /** A file holding an EventBridge event to replay as delivered. */
  eventFile?: string;
  userName?: string;
  topicArn?: string;
  source: SimulatedSource;
  createTestUser: boolean;
  local: boolean;
  wait: boolean;
  stackName: string;
  /** Simulate a leak in this member account (`--account`): the event names it, the test user lives there. */
  account?: AccountTarget;
}

/** How the command shows what happens, and asks before a real key is contained. */
export interface SimulateUi {
  onTransition(transition: StateTransition): void;
  onStep(message: string): void;
  onWarning(message: string): void;
  /** Resolves true to go ahead; throws to refuse when there is no one to ask (see cliHost). */
  confirm(request: ConfirmRequest): Promise<boolean>;
}

/** The key a simulation of a real key contains: given, or named by the event file (null when it names none readable). */
function containedKeyOf(request: SimulateCommandRequest, event: Record<string, unknown> | undefined): string | null {
  if (!event) return request.accessKeyId ?? null;
  return eventIncident(event)?.accessKeyId ?? null;
}

/**
 * Whether the stack is an organisation's hub (its OrganizationId set), asked only when the event
 * names another account, where the answer decides what the stack does; undefined when not known.
 */
async function stackIsHub(clients: AwsClients, stackName: string): Promise<boolean | undefined> {
  try {
    const parameters = await deployedParameters(clients, stackName)();
    return parameters && isHub(parameters);
  } catch {
    // The question then says what happens either way; the run reports the stack's own errors.
    return undefined;
  }
}

/**
 * `simulate` from the command line: checks the credentials (a simulated event names the caller's
 * account; an event file, its own), asks before a real key is contained, naming the account the
 * event names, finds the topic for a local run, builds the clients and runs the simulation.
 */
export async function simulateCommand(
  clients: AwsClients,
  request: SimulateCommandRequest,
  ui: SimulateUi,
): Promise<SimulateResult | null> {
  if (request.local) await import('../../state-machine/promise-with-resolvers.js');
  const event = request.eventFile === undefined ? undefined : await readEventFile(request.eventFile);
  // --account: the member's IAM and CloudTrail through its role; the state machine and topic stay the caller's.
  // Checked first, as respond checks it: an account outside the organisation is refused.
  const { acting } = await actingClients(
    clients,
    request.account,
    request.accessKeyId ?? 'simulate',
    (text) => ui.onWarning(text),
    'simulate',
  );
  const accountId = await callerAccount(await acting.sts());
  // Run here, the steps contain the key with the caller's own credentials: not with the key itself.
  const contained = request.local && !request.createTestUser ? containedKeyOf(request, event) : null;
  if (contained) {
    await refuseSigningWithTheKey(
      clients,
      { accessKeyId: contained, mode: 'delete', dryRun: false, revokeSessions: true },
      ui.onWarning,
    );
    // As respond: credentials IAM refuses stop the run before anything, rather than end in a
    // containment failure that asks a human to act (exit 4) when logging in again is all it takes.
    await refuseWithoutIamCredentials(await acting.iam(), contained);
  }
  // A real key is contained as an exposed one would be: asked first, as every command that changes the account.
  const real = realKeyOf(request, event);
  if (real) {
    // The stack acts in the account the event names, which need not be the caller's.
    const incident = eventIncident(event);
    const elsewhere = incident !== null && incident.accountId !== accountId;
    const hub = elsewhere && !request.local ? await stackIsHub(clients, request.stackName) : undefined;
    const context = { accountId, local: request.local, stackName: request.stackName, hub };
    const problem = event && !incident ? eventProblem(event) : null;
    const question = problem
      ? unreadableQuestion(request.eventFile ?? '', problem, context)
      : containQuestion(real, incident, context);
    const consequence = problem ? 'alerts the security team' : 'contains a real key';
    if (!(await ui.confirm({ question, consequence }))) return null;
  }
  const topic = request.local ? await resolveTopic(clients, request) : {};
  if (topic.warning) ui.onWarning(topic.warning);
  const interrupt = interruptFor(request, ui);
  const result = await runSimulation(
    {
      iam: await acting.iam(),
      sfn: await clients.sfn(),
      cloudFormation: await clients.cloudFormation(),
      cloudTrail: await acting.cloudTrail(),
      listRegions: () => acting.listRegions(),
      sns: topic.sns,
      scheduler: () => clients.scheduler(),
      // As the stack's investigation function takes it: IAM, and EC2 and Lambda where used.
      inventory: {
        iam: await acting.iam(),
        ec2: (region) => acting.inRegion(region).ec2(),
        lambda: (region) => acting.inRegion(region).lambda(),
      },
    },
    {
      ...request,
      ...(event ? { event } : {}),
      accountId,
      region: clients.context.region,
      topicArn: topic.topicArn,
      onTransition: ui.onTransition,
      onStep: ui.onStep,
      ...(interrupt ? { signal: interrupt.signal } : {}),
    },
  ).finally(() => interrupt?.dispose());
  if (result.testUser && !result.testUser.removed)
    ui.onWarning(`Test user ${result.testUser.userName} was not removed.`);
  return result;
}

/**
 * What Ctrl-C does. With a test user, it stops the run, and the user is removed before the process
 * ends, whatever more Ctrl-C say. Following the stack's execution of a real key, it stops following
 * (the execution goes on). A local run of a real key goes on to its notification, saying so: a
 * second Ctrl-C ends it as any process ends, whatever it had done.
 */
function interruptFor(request: SimulateCommandRequest, ui: SimulateUi): Interrupt | undefined {
  if (request.createTestUser) {
    const stopping = () => ui.onWarning('Stopping: the test user is removed first…');
    const interrupt = listenForInterrupt(stopping);
    interrupt.signal.addEventListener('abort', stopping);
    return interrupt;
  }
  if (!request.local) return listenForInterrupt();
  return warnAtFirstInterrupt(() =>
    ui.onWarning(
      'The local run goes on, so that the key’s containment ends and the security team is told; Ctrl-C again ends it now, whatever it has done, with no notification.',
    ),
  );
}

/** EventBridge delivers events of at most 256 KB; a file much larger is not one. */
const MAX_EVENT_FILE_BYTES = 1024 * 1024;

/**
 * The event in a file, as EventBridge delivered it (a JSON object), to replay unchanged.
 *
 * @throws InvalidInputError when the file cannot be read, is too large, or holds no JSON object.
 */
export async function readEventFile(path: string): Promise<Record<string, unknown>> {
  const refuse = (problem: string): never => {
    throw new InvalidInputError('--event', `--event ${JSON.stringify(cutEnd(path, 200))} ${problem}.`, {
      hint: 'Give a file holding one EventBridge event as delivered (a JSON object), e.g. saved from the console.',
    });
  };
  let text: string;
  try {
    // Capped while read: a pipe or a device has no size to check beforehand.
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > MAX_EVENT_FILE_BYTES) refuse('is larger than an EventBridge event can be (1 MB)');
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    return refuse(`cannot be read: ${(error as Error).message}`);
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    return refuse(`is not JSON: ${(error as Error).message}`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) refuse('does not hold a JSON object');
  return event as Record<string, unknown>;
}

/**
 * The exit code of a simulation: 4 when the key was not contained; 3 when the execution failed, or
 * the test user could not be removed or its follow-ups cancelled (left, they alert on a key gone).
 */
export function simulationExitCode(result: SimulateResult, waited: boolean): ExitCodeValue {
  const { status, error } = result.execution;
  const { testUser } = result;
  if (error === 'KeyNotContained' || error === 'HumanMustAct') return ExitCode.needsHuman;
  if (testUser && testUser.keyStatusAfter === 'Active') return ExitCode.needsHuman;
  if (testUser && (!testUser.removed || testUser.followUpsError !== undefined)) return ExitCode.awsFailed;
  if (status === 'RUNNING' && !waited) return ExitCode.ok;
  return status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.awsFailed;
}
