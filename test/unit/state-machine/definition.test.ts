import { describe, expect, it } from 'vitest';
import { projectPaths } from '../../../src/common/project-root.js';
import { loadTemplate, parseTemplate } from '../../../src/deploy/template.js';
import {
  PLACEHOLDER_ACCOUNT,
  placeholderFunctionArn,
  stateMachineDefinition,
} from '../../../src/state-machine/definition.js';

describe('parseTemplate', () => {
  it('turns short-form tags into their long form, nested or not', () => {
    const template = parseTemplate(
      [
        'Resources: {}',
        `Sub: !Sub ['arn:\${Partition}:x', { Partition: !Ref AWS::Partition }]`,
        'GetAtt: !GetAtt Database.Endpoint.Address',
        'If: !If [HasEmail, !Ref Email, !Ref AWS::NoValue]',
        'Select: !Select',
        '  - 0',
        "  - !GetAZs ''",
        'Not: !Not [!Equals [!Ref Email, ""]]',
        'Condition: !Condition HasEmail',
      ].join('\n'),
    );

    expect(template).toMatchObject({
      Sub: { 'Fn::Sub': [`arn:\${Partition}:x`, { Partition: { Ref: 'AWS::Partition' } }] },
      GetAtt: { 'Fn::GetAtt': ['Database', 'Endpoint.Address'] },
      If: { 'Fn::If': ['HasEmail', { Ref: 'Email' }, { Ref: 'AWS::NoValue' }] },
      Select: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      Not: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Email' }, ''] }] },
      Condition: { Condition: 'HasEmail' },
    });
  });

  it('refuses a document without Resources', () => {
    expect(() => parseTemplate('Parameters: {}')).toThrow(/no Resources/);
  });
});

describe('loadTemplate', () => {
  it('reads the template shipped in cloudformation/ by default', async () => {
    const template = await loadTemplate();

    expect(projectPaths().template).toMatch(/cloudformation\/exposed-keys\.yaml$/);
    expect(template.Resources.StateMachine?.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(template.Resources.ContainFunction?.Properties?.Role).toEqual({ 'Fn::GetAtt': ['ContainRole', 'Arn'] });
  });
});

describe('stateMachineDefinition', () => {
  it('replaces each function substitution with its placeholder ARN', async () => {
    const definition = stateMachineDefinition(await loadTemplate());

    expect(definition.StartAt).toBe('ReceiveEvent');
    expect(definition.States.ReceiveEvent).toMatchObject({ Type: 'Pass', Next: 'RouteEvent' });
    expect(definition.States.RouteEvent).toMatchObject({ Type: 'Choice', Default: 'ClaimIncident' });
    expect(definition.States.ClaimIncident?.Resource).toBe(placeholderFunctionArn('ContainFunction'));
    expect(definition.States.DeleteAccessKeyPair?.Resource).toBe(
      `arn:aws:lambda:us-east-1:${PLACEHOLDER_ACCOUNT}:function:exposed-keys-contain`,
    );
    expect(definition.States.LookupCloudTrailEvents?.Resource).toBe(placeholderFunctionArn('InvestigateFunction'));
    expect(definition.States.NotifySecurity?.Resource).toBe(placeholderFunctionArn('NotifyFunction'));
    expect(JSON.stringify(definition)).not.toContain('${');
  });

  it('uses the ARNs it is given instead of placeholders', async () => {
    const arn = 'arn:aws:lambda:us-east-1:111122223333:function:prod-contain';

    const definition = stateMachineDefinition(await loadTemplate(), { ContainFunctionArn: arn });

    expect(definition.States.DeleteAccessKeyPair?.Resource).toBe(arn);
  });

  it('refuses a definition that uses a substitution it does not define', () => {
    const template = parseTemplate(
      [
        'Resources:',
        '  Machine:',
        '    Type: AWS::StepFunctions::StateMachine',
        '    Properties:',
        '      Definition:',
        '        StartAt: A',
        `        States: { A: { Type: Task, Resource: "\${Missing}", End: true } }`,
      ].join('\n'),
    );

    expect(() => stateMachineDefinition(template)).toThrow(/\$\{Missing\}/);
  });

  it('refuses a template whose state machine is a JSON string', () => {
    const template = parseTemplate(
      [
        'Resources:',
        '  Machine:',
        '    Type: AWS::StepFunctions::StateMachine',
        "    Properties: { DefinitionString: '{}' }",
      ].join('\n'),
    );

    expect(() => stateMachineDefinition(template)).toThrow(/no inline Definition/);
  });
});
