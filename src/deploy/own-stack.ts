import type { Stack } from '@aws-sdk/client-cloudformation';
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

/**
 * Refuses a stack exposed-keys did not make: `deploy` would replace its resources with the
 * template's, `destroy` would delete them. A stack is exposed-keys' when its template's
 * description says so, or it has the parameters only exposed-keys' templates have together, or
 * when no template was run for it yet (a first change set never executed).
 *
 * @throws InvalidInputError naming the flag, before any change.
 */
export function requireOwnStack(stack: Stack | undefined, stackName: string, action: 'deploy' | 'destroy'): void {
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS' || stack.StackStatus === 'DELETE_COMPLETE') return;
  if (isOwn(stack)) return;
  const description = stack.Description ?? '';
  throw new InvalidInputError(
    '--stack-name',
    `The stack ${stackName} exists and was not made by exposed-keys (its description: "${cutEnd(description, 80) || 'none'}"), so ${action} leaves it alone; nothing was changed.`,
    { hint: 'Give the name of an exposed-keys stack, or a name no stack has, with --stack-name.' },
  );
}
