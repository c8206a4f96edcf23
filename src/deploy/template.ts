import { readFile } from 'node:fs/promises';
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { parse } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { projectPaths } from './project-root.js';

/** Stack parameters as a plain object; `undefined` means "not given". Lists are joined with commas. */
export type ParameterValues = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** A template body as CloudFormation takes it inline: up to 51,200 bytes. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** Reads the stack template, by default `cloudformation/exposed-keys.yaml` of the project. */
export async function readTemplate(path: string = projectPaths().template): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError('template', `Cannot read the stack template ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The names of the parameters a template (YAML or JSON) declares. CloudFormation's short-form tags
 * (`!Ref`, `!Sub`…) are read as plain values: only the `Parameters` keys matter here.
 */
export function declaredParameters(templateBody: string): string[] {
  let template: unknown;
  try {
    template = parse(templateBody, { logLevel: 'silent' });
  } catch (error) {
    throw new InvalidInputError('template', `The stack template is not valid YAML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parameters = (template as { Parameters?: unknown } | null)?.Parameters;
  return parameters && typeof parameters === 'object' ? Object.keys(parameters) : [];
}

function text(value: string | number | boolean | readonly string[]): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The CloudFormation parameter list for `values`. A parameter that is not given but that the
 * deployed stack already has (`previous`) and the template still declares keeps its value, as
 * CloudFormation would otherwise reset it to its default: a second `deploy` without `--email` must
 * not drop the subscription. Parameters the template does not declare are refused, naming them.
 */
export function toCfnParameters(
  values: ParameterValues,
  options: { declared: readonly string[]; previous?: readonly string[] },
): Parameter[] {
  const declared = new Set(options.declared);
  const unknown = Object.keys(values).filter((key) => values[key] !== undefined && !declared.has(key));
  if (unknown.length > 0)
    throw new InvalidInputError(
      'parameters',
      `The stack template declares no parameter ${unknown.join(', ')} (it declares ${[...declared].join(', ') || 'none'}).`,
    );
  const given: Parameter[] = Object.entries(values)
    .filter((entry): entry is [string, string | number | boolean | readonly string[]] => entry[1] !== undefined)
    .map(([key, value]) => ({ ParameterKey: key, ParameterValue: text(value) }));
  const kept: Parameter[] = (options.previous ?? [])
    .filter((key) => declared.has(key) && values[key] === undefined)
    .map((key) => ({ ParameterKey: key, UsePreviousValue: true }));
  return [...given, ...kept].sort((a, b) => ((a.ParameterKey ?? '') < (b.ParameterKey ?? '') ? -1 : 1));
}
