import { readFile } from 'node:fs/promises';
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { projectPaths } from '../common/project-root.js';
import { InvalidInputError } from '../errors.js';

/** A CloudFormation template, as far as this code reads it. */
export interface CloudFormationTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, Record<string, unknown>>;
  Rules?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CloudFormationResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
  [section: string]: unknown;
}

/** One entry of a template's `Resources`. */
export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  [attribute: string]: unknown;
}

/** The intrinsic functions with a short form; `!Ref` and `!Condition` are handled apart. */
const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'ToJsonString',
  'Length',
] as const;

function intrinsic(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    // `!GetAtt Resource.Attribute.Nested` is `[Resource, Attribute.Nested]`.
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

/** Each short-form tag, as a scalar, a sequence and a mapping, turned into its long form. */
const CLOUDFORMATION_TAGS = ['Ref', 'Condition', ...FUNCTIONS].flatMap((name): (ScalarTag | CollectionTag)[] => {
  const tag = `!${name}`;
  const fromCollection = (node: YAMLMap.Parsed | YAMLSeq.Parsed) => intrinsic(name, node.toJSON());
  return [
    { tag, resolve: (value: string) => intrinsic(name, value) },
    { tag, collection: 'seq', resolve: fromCollection },
    { tag, collection: 'map', resolve: fromCollection },
  ];
});

/** Parses a CloudFormation YAML template, with short-form tags (`!Ref`, `!Sub`, `!GetAtt`…) in their long form. */
export function parseTemplate(text: string): CloudFormationTemplate {
  const template = parse(text, { customTags: CLOUDFORMATION_TAGS, prettyErrors: true }) as unknown;
  if (typeof template !== 'object' || template === null || !('Resources' in template)) {
    throw new Error('Not a CloudFormation template: it has no Resources section.');
  }
  return template as CloudFormationTemplate;
}

/** Reads and parses a CloudFormation template; by default the one shipped with the package. */
export async function loadTemplate(path: string = projectPaths().template): Promise<CloudFormationTemplate> {
  return parseTemplate(await readFile(path, 'utf8'));
}

/** Stack parameters as a plain object; `undefined` means "not given". Lists are joined with commas. */
export type ParameterValues = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/**
 * A template (YAML or JSON) as compact JSON, the short-form tags in their long form: what
 * CloudFormation reads from it, without comments or indentation. A text that is not a template is
 * returned as it is, for CloudFormation to refuse with its own reason.
 */
export function compactTemplate(text: string): string {
  try {
    return JSON.stringify(parseTemplate(text));
  } catch {
    return text;
  }
}

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

/** The defaults a template (YAML or JSON) declares for its parameters, as text, by name. */
export function parameterDefaults(templateBody: string): Record<string, string> {
  const parameters = (parse(templateBody, { logLevel: 'silent' }) as { Parameters?: unknown } | null)?.Parameters;
  if (!parameters || typeof parameters !== 'object') return {};
  return Object.fromEntries(
    Object.entries(parameters as Record<string, { Default?: unknown }>).flatMap(([name, declaration]) =>
      declaration?.Default === undefined ? [] : [[name, String(declaration.Default)]],
    ),
  );
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
