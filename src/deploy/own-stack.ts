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

/**
 * Whether a stack made by a change set never executed (REVIEW_IN_PROGRESS: no template run yet) is
 * exposed-keys': one of its change sets is exposed-keys' own, or it has none left (an empty shell).
 * Another tool's pending change set is someone else's stack in the making.
 */
async function isOwnPendingStack(cloudFormation: CloudFormationApi, stack: Stack): Promise<boolean> {
  const descriptions: (string | undefined)[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await cloudFormation.send(
        new ListChangeSetsCommand({ StackName: stack.StackId ?? stack.StackName, NextToken: token }),
      );
      descriptions.push(
        ...(page.Summaries ?? []).filter((summary) => ofStack(summary, stack)).map((summary) => summary.Description),
      );
      token = page.NextToken;
    } while (token);
  } catch (error) {
    throw toAwsCallError('cloudformation:ListChangeSets', error);
  }
  return descriptions.length === 0 || descriptions.some((description) => description === OWN_CHANGE_SET_DESCRIPTION);
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
    if (await isOwnPendingStack(cloudFormation, stack)) return;
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
