import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

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

/** An Amazon States Language definition; the runner validates the details. */
export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  [field: string]: unknown;
}

/**
 * The template shipped with the package. Resolved from this module, which lives in `src/workflow`
 * in the sources and `dist/workflow` once built: both are two levels below the package root.
 */
export const TEMPLATE_PATH = fileURLToPath(new URL('../../cloudformation/exposed-keys.yaml', import.meta.url));

/** The account and region of the placeholder ARNs given to a definition run outside AWS. */
export const PLACEHOLDER_ACCOUNT = '123456789012';
const PLACEHOLDER_REGION = 'us-east-1';

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
export async function loadTemplate(path: string = TEMPLATE_PATH): Promise<CloudFormationTemplate> {
  return parseTemplate(await readFile(path, 'utf8'));
}

/**
 * The placeholder ARN of a function of the template, by logical ID:
 * `ContainFunction` is `arn:aws:lambda:us-east-1:123456789012:function:exposed-keys-contain`.
 */
export function placeholderFunctionArn(logicalId: string): string {
  const name = logicalId.replace(/Function$/, '').toLowerCase();
  return `arn:aws:lambda:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:function:exposed-keys-${name}`;
}

function stateMachineResource(template: CloudFormationTemplate): CloudFormationResource {
  const machines = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  const [machine] = machines;
  if (machines.length !== 1 || !machine) {
    throw new Error(`Expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}.`);
  }
  return machine;
}

function placeholderFor(variable: string, value: unknown): string {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
    return placeholderFunctionArn(getAtt[0]);
  }
  throw new Error(`No placeholder for the definition substitution ${variable}: only !GetAtt <Function>.Arn is known.`);
}

function substitute(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}!][^}]*)\}/g, (_, variable: string) => {
      const replacement = values[variable];
      if (replacement === undefined) throw new Error(`The definition uses \${${variable}}, which it does not define.`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  }
  return value;
}

/**
 * The template's state machine definition, ready to run: each `${Name}` of its
 * `DefinitionSubstitutions` replaced by the ARN given in `arns`, or else by a placeholder
 * (see {@link placeholderFunctionArn}).
 *
 * @throws Error when the template has no single state machine with an inline `Definition`, or
 * the definition uses a substitution that is not defined.
 */
export function stateMachineDefinition(
  template: CloudFormationTemplate,
  arns: Readonly<Record<string, string>> = {},
): StateMachineDefinition {
  const properties = stateMachineResource(template).Properties ?? {};
  const definition = properties.Definition;
  if (typeof definition !== 'object' || definition === null) {
    throw new Error('The state machine has no inline Definition (a YAML object) to run.');
  }
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(
    Object.entries(substitutions).map(([variable, value]) => [
      variable,
      arns[variable] ?? placeholderFor(variable, value),
    ]),
  );
  return substitute(definition, values) as StateMachineDefinition;
}
