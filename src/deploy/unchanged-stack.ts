import { isDeepStrictEqual } from 'node:util';
import { GetTemplateCommand, type Parameter, type Stack } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import { type CloudFormationTemplate, parseTemplate } from './template.js';

function sameParameters(deployed: readonly Parameter[], given: readonly Parameter[]): boolean {
  const current = new Map(deployed.map((parameter) => [parameter.ParameterKey, parameter.ParameterValue]));
  return given.every(
    (parameter) =>
      parameter.UsePreviousValue === true || current.get(parameter.ParameterKey) === parameter.ParameterValue,
  );
}

function sameTags(deployed: Stack['Tags'], given: Readonly<Record<string, string>> | undefined): boolean {
  if (!given) return true;
  const current = Object.fromEntries((deployed ?? []).map((tag) => [tag.Key, tag.Value]));
  return isDeepStrictEqual(current, { ...given });
}

/**
 * True when an update may change the stack though its template and parameters are the same: a
 * transform (expanded on each update), a parameter read from Systems Manager (resolved on each
 * update), or one CloudFormation hides (NoEcho: shown as `****`, never compared).
 */
function resolvedOnUpdate(template: CloudFormationTemplate): boolean {
  const parameters = Object.values((template.Parameters ?? {}) as Record<string, { Type?: unknown; NoEcho?: unknown }>);
  return (
    (template as { Transform?: unknown }).Transform !== undefined ||
    parameters.some(
      (parameter) =>
        String(parameter.Type ?? '').startsWith('AWS::SSM::Parameter') || String(parameter.NoEcho) === 'true',
    )
  );
}

/**
 * True when the deployed stack already has this very template (as CloudFormation keeps it, its
 * original stage), these parameter values and these tags: a change set would change nothing.
 * False whenever that cannot be told (the template not readable, a parameter hidden by NoEcho):
 * the change set then decides.
 */
export async function deployedAsIs(
  cloudFormation: CloudFormationApi,
  stack: Stack,
  update: { templateBody: string; parameters: readonly Parameter[]; tags?: Readonly<Record<string, string>> },
): Promise<boolean> {
  if (!sameParameters(stack.Parameters ?? [], update.parameters) || !sameTags(stack.Tags, update.tags)) return false;
  if (resolvedOnUpdate(parseTemplate(update.templateBody))) return false;
  try {
    const deployed = await cloudFormation.send(
      new GetTemplateCommand({ StackName: stack.StackId ?? stack.StackName, TemplateStage: 'Original' }),
    );
    return isDeepStrictEqual(parseTemplate(deployed.TemplateBody ?? ''), parseTemplate(update.templateBody));
  } catch {
    return false;
  }
}
