import { ListChangeSetsCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import { cutEnd } from '../common/untrusted-text.js';
import { InvalidInputError } from '../errors.js';

/** What the description of every template of exposed-keys begins with (the stack's and the member's). */
const OWN_DESCRIPTION = 'exposed-keys';
/**
 * Parameters only exposed-keys' templates declare together (the stack's; the member's), for where
 * a stack's description is not given (moto gives none).
 */
const OWN_PARAMETERS = [
  ['ArtifactBucket', 'ArtifactKey', 'ContainmentMode'],
  ['HubAccountId', 'HubEventBusArn', 'ResponderRoleName'],
];

/** Whether a template's description is exposed-keys'. */
export function isOwnDescription(description: string | undefined): boolean {
  return (description ?? '').startsWith(OWN_DESCRIPTION);
}

function isOwn(stack: Stack): boolean {
  if (isOwnDescription(stack.Description)) return true;
  const keys = new Set((stack.Parameters ?? []).map((parameter) => parameter.ParameterKey));
  return OWN_PARAMETERS.some((names) => names.every((name) => keys.has(name)));
}

/** The description exposed-keys gives every change set it makes. */
export const OWN_CHANGE_SET_DESCRIPTION = 'Deployed by exposed-keys';

/** Whether a change set is of `stack` (an emulator may list every stack's). */
export function ofStack(summary: { StackId?: string; StackName?: string }, stack: Stack): boolean {
  return stack.StackId ? summary.StackId === stack.StackId : summary.StackName === stack.StackName;
}

/** Change-set statuses of one being deleted, or deleted: no longer waiting on the stack. */
const GOING = new Set(['DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'DELETE_FAILED']);

/**
 * The change sets waiting on `stack` (every page), leaving out those being deleted and the one
 * named `except` (the caller's own, just deleted).
 *
 * @throws AwsCallError when CloudFormation does not list them.
 */
export async function waitingChangeSets(
  cloudFormation: CloudFormationApi,
  stack: Stack,
  except?: string,
): Promise<{ name: string | undefined; description: string | undefined }[]> {
  const waiting: { name: string | undefined; description: string | undefined }[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await cloudFormation.send(
        new ListChangeSetsCommand({ StackName: stack.StackId ?? stack.StackName, NextToken: token }),
      );
      for (const summary of page.Summaries ?? [])
        if (ofStack(summary, stack) && !GOING.has(summary.Status ?? '') && summary.ChangeSetName !== except)
          waiting.push({ name: summary.ChangeSetName, description: summary.Description });
      token = page.NextToken;
    } while (token);
  } catch (error) {
    throw toAwsCallError('cloudformation:ListChangeSets', error);
  }
  return waiting;
}

/**
 * Whether a stack made by a change set never executed (REVIEW_IN_PROGRESS: no template run yet) is
 * exposed-keys': one of its change sets is exposed-keys' own, or it has none left (an empty shell).
 * Another tool's pending change set is someone else's stack in the making.
 */
async function isOwnPendingStack(cloudFormation: CloudFormationApi, stack: Stack, stackName: string): Promise<boolean> {
  let waiting: { description: string | undefined }[];
  try {
    waiting = await waitingChangeSets(cloudFormation, stack);
  } catch (error) {
    throw new InvalidInputError(
      '--stack-name',
      `The stack ${stackName} is being made by a change set, and whose could not be told (${error instanceof Error ? error.message : String(error)}); nothing was changed.`,
      {
        hint: 'Allow cloudformation:ListChangeSets, which tells whether its change sets are exposed-keys’, or delete the stack yourself if it is yours.',
      },
    );
  }
  return waiting.length === 0 || waiting.some((change) => change.description === OWN_CHANGE_SET_DESCRIPTION);
}

/**
 * Refuses a stack exposed-keys did not make: `deploy` would replace its resources with the
 * template's, `destroy` would delete them. A stack is exposed-keys' when its template's
 * description says so, or it has the parameters only exposed-keys' templates have together; a
 * stack no template was run for yet (a first change set never executed) when its change sets are
 * exposed-keys' (or none is left).
 *
 * @throws InvalidInputError naming the flag, before any change.
 */
export async function requireOwnStack(
  cloudFormation: CloudFormationApi,
  stack: Stack | undefined,
  stackName: string,
  action: 'deploy' | 'destroy',
): Promise<void> {
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return;
  if (stack.StackStatus === 'REVIEW_IN_PROGRESS') {
    if (await isOwnPendingStack(cloudFormation, stack, stackName)) return;
    throw new InvalidInputError(
      '--stack-name',
      `The stack ${stackName} is being made by a change set that is not exposed-keys', so ${action} leaves it alone; nothing was changed.`,
      { hint: 'Give the name of an exposed-keys stack, or a name no stack has, with --stack-name.' },
    );
  }
  if (isOwn(stack)) return;
  const description = stack.Description ?? '';
  throw new InvalidInputError(
    '--stack-name',
    `The stack ${stackName} exists and was not made by exposed-keys (its description: "${cutEnd(description, 80) || 'none'}"), so ${action} leaves it alone; nothing was changed.`,
    { hint: 'Give the name of an exposed-keys stack, or a name no stack has, with --stack-name.' },
  );
}
