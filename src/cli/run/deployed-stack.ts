import type { AwsClients } from '../../aws/clients.js';
import { findStack } from '../../deploy/stack-description.js';
import { NotAHubError } from '../../organization/organization-errors.js';
import { STACK_SETTINGS, verifyAfterMinutesSchema } from '../../settings/settings.js';
import type { ScheduleDeps } from '../../steps/lifecycle/schedules.js';

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

/**
 * The stack's schedules with its own VerifyAfterMinutes, so that a stack deployed with 0 gets no
 * verification; looked up once, on first use. Parameters that cannot be read are told to `warn`,
 * and the caller's minutes stand.
 */
export function withStackVerifyAfterMinutes(
  schedules: () => Promise<ScheduleDeps>,
  parameters: () => Promise<StackParameters | undefined>,
  warn: (error: unknown) => void,
): () => Promise<ScheduleDeps> {
  let found: Promise<ScheduleDeps> | undefined;
  const find = async (): Promise<ScheduleDeps> => {
    const deps = await schedules();
    const minutes = verifyAfterMinutesOf(
      await parameters().catch((error: unknown) => {
        warn(error);
        return undefined;
      }),
    );
    return minutes === undefined ? deps : { ...deps, verifyAfterMinutes: minutes };
  };
  return () => {
    found ??= find();
    return found;
  };
}
