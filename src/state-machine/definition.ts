import type { CloudFormationResource, CloudFormationTemplate } from '../deploy/template.js';

/** An Amazon States Language definition; the runner validates the details. */
export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  [field: string]: unknown;
}

/** The account and region of the placeholder ARNs given to a definition run outside AWS. */
export const PLACEHOLDER_ACCOUNT = '123456789012';
const PLACEHOLDER_REGION = 'us-east-1';

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

/** The placeholder ARN of the template's e-mail topic, the one a definition's `${TopicArn}` names. */
export const PLACEHOLDER_TOPIC_ARN = `arn:aws:sns:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:exposed-keys`;

function placeholderFor(variable: string, value: unknown): string {
  if ((value as { Ref?: unknown } | null)?.Ref === 'NotificationTopic') return PLACEHOLDER_TOPIC_ARN;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
    return placeholderFunctionArn(getAtt[0]);
  }
  throw new Error(
    `No placeholder for the definition substitution ${variable}: only !GetAtt <Function>.Arn and !Ref NotificationTopic are known.`,
  );
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
