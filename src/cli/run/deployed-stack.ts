import type { AwsClients } from '../../aws/clients.js';
import { once } from '../../common/once.js';
import { LOGICAL_IDS } from '../../constants.js';
import { findStack, parametersOf } from '../../deploy/stack-description.js';
import { NotAHubError } from '../../organization/organization-errors.js';
import { STACK_SETTINGS, verifyAfterMinutesSchema } from '../../settings/settings.js';
import { stackResourceIds } from './topic.js';

/** A deployed stack's parameters, by name. */
export type StackParameters = Readonly<Record<string, string>>;

/**
 * The deployed stack's parameters, read once, on first use; undefined when there is no such stack.
 *
 * @throws AwsCallError when CloudFormation does not answer.
 */
export function deployedParameters(clients: AwsClients, stackName: string): () => Promise<StackParameters | undefined> {
  let found: Promise<StackParameters | undefined> | undefined;
  const read = async (): Promise<StackParameters | undefined> => {
    const stack = await findStack(await clients.cloudFormation(), stackName);
    if (!stack) return undefined;
    return Object.fromEntries(
      (stack.Parameters ?? []).map((parameter) => [parameter.ParameterKey ?? '', parameter.ParameterValue ?? '']),
    );
  };
  return () => {
    found ??= read();
    return found;
  };
}

/** True when the stack is an organisation's hub: its OrganizationId is set. */
export function isHub(parameters: StackParameters): boolean {
  return Boolean(parameters[STACK_SETTINGS.organizationId.parameter]);
}

/** The stack's VerifyAfterMinutes, read by its setting's rule; undefined when the stack does not say. */
export function verifyAfterMinutesOf(parameters: StackParameters | undefined): number | undefined {
  const parsed = verifyAfterMinutesSchema.safeParse(parameters?.[STACK_SETTINGS.verifyAfterMinutes.parameter]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Refuses, before anything is changed, to act in another account than the caller's (`--account`)
 * with a stack that is not an organisation's hub: such a stack acts only in its own account, so
 * the deletion and the verification it schedules would act there, not where the key is. Without a
 * stack, nothing is scheduled: the command goes on.
 *
 * @throws NotAHubError when the stack is deployed, and not as a hub.
 * @throws AwsCallError when CloudFormation does not answer.
 */
export async function refuseAccountOutsideHub(
  parameters: () => Promise<StackParameters | undefined>,
  acting: { stackName: string; accountId: string; accessKeyId: string; command: 'respond' | 'release' },
): Promise<void> {
  const deployed = await parameters();
  if (deployed && !isHub(deployed)) throw new NotAHubError(acting);
}

/** The resources of the stack `respond` uses: its topic, and what its schedules need. */
const USED_RESOURCES = [
  LOGICAL_IDS.topic,
  LOGICAL_IDS.schedulerRole,
  LOGICAL_IDS.stateMachine,
  LOGICAL_IDS.undeliveredQueue,
] as const;

/** A resource of the stack `respond` uses, by logical id. */
export type UsedResource = (typeof USED_RESOURCES)[number];

/** The resources of a stack that does not exist. */
const NO_RESOURCES = Object.fromEntries(USED_RESOURCES.map((id) => [id, null])) as Record<UsedResource, null>;

/**
 * The deployed stack, as `respond` reads it: described once, on first use, for all who need it
 * (its topic, its schedules, its settings). Each part fails alone, as its call did.
 */
export interface DeployedStack {
  /**
   * The stack's parameters, by name (DescribeStacks); undefined when there is no such stack.
   *
   * @throws AwsCallError when CloudFormation does not answer.
   */
  parameters(): Promise<StackParameters | undefined>;
  /**
   * The physical id of each resource used, by logical id (DescribeStackResources); null for one
   * the stack does not have, all null when there is no such stack.
   *
   * @throws AwsCallError when CloudFormation does not answer.
   */
  resources(): Promise<Readonly<Record<UsedResource, string | null>>>;
}

/**
 * The deployed stack, described once, on first use, and shared by every user, each answer and
 * each failure alike: DescribeStacks once per run, and DescribeStackResources once, only when
 * resources are asked for, and not when the stack was found missing.
 */
export function deployedStack(clients: AwsClients, stackName: string): DeployedStack {
  const found = once(async () => findStack(await clients.cloudFormation(), stackName));
  const resources = once(async () => {
    // Resources are still looked for when the stack's description failed: they are asked for apart.
    const stack = await found().catch(() => null);
    if (stack === undefined) return NO_RESOURCES;
    return stackResourceIds(await clients.cloudFormation(), stack?.StackId ?? stackName, USED_RESOURCES);
  });
  return {
    async parameters() {
      const stack = await found();
      return stack && parametersOf(stack);
    },
    resources,
  };
}

/**
 * The stack, whose parameters, when they cannot be read, are told to `report` once, however many
 * users ask for them: each then goes on without them.
 */
export function reportingUnreadParameters(stack: DeployedStack, report: (error: unknown) => void): DeployedStack {
  let reported = false;
  return {
    resources: () => stack.resources(),
    parameters: () =>
      stack.parameters().catch((error: unknown) => {
        if (!reported) report(error);
        reported = true;
        throw error;
      }),
  };
}
