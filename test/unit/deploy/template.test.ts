import { describe, expect, it } from 'vitest';
import {
  compactTemplate,
  declaredParameters,
  parseTemplate,
  readTemplate,
  toCfnParameters,
} from '../../../src/deploy/template.js';
import { InvalidInputError } from '../../../src/errors.js';

const TEMPLATE = `
Parameters:
  ArtifactKey:
    Type: String
  ContainmentMode:
    Type: String
    Default: delete
Conditions:
  Deletes: !Equals [!Ref ContainmentMode, delete]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub '\${AWS::StackName} \${ContainmentMode}'
`;

describe('declaredParameters', () => {
  it('reads the parameter names of a YAML template with short-form tags', () => {
    expect(declaredParameters(TEMPLATE)).toEqual(['ArtifactKey', 'ContainmentMode']);
  });

  it('reads a JSON template, and a template without parameters', () => {
    expect(declaredParameters('{"Parameters":{"A":{"Type":"String"}},"Resources":{}}')).toEqual(['A']);
    expect(declaredParameters('Resources: {}')).toEqual([]);
  });
});

describe('toCfnParameters', () => {
  it('writes numbers, booleans and lists as CloudFormation text, sorted by key', () => {
    const parameters = toCfnParameters(
      { Regions: ['us-east-1', 'eu-west-1'], Revoke: false, Hours: 48, Mode: 'delete', Email: undefined },
      { declared: ['Email', 'Hours', 'Mode', 'Regions', 'Revoke'] },
    );

    expect(parameters).toEqual([
      { ParameterKey: 'Hours', ParameterValue: '48' },
      { ParameterKey: 'Mode', ParameterValue: 'delete' },
      { ParameterKey: 'Regions', ParameterValue: 'us-east-1,eu-west-1' },
      { ParameterKey: 'Revoke', ParameterValue: 'false' },
    ]);
  });

  it('keeps the deployed value of a parameter that is not given and still declared', () => {
    const parameters = toCfnParameters(
      { ContainmentMode: 'deactivate' },
      { declared: ['ArtifactKey', 'ContainmentMode'], previous: ['ArtifactKey', 'ContainmentMode', 'Dropped'] },
    );

    expect(parameters).toEqual([
      { ParameterKey: 'ArtifactKey', UsePreviousValue: true },
      { ParameterKey: 'ContainmentMode', ParameterValue: 'deactivate' },
    ]);
  });

  it('refuses a parameter the template does not declare, naming it', () => {
    expect(() => toCfnParameters({ Mood: 'happy' }, { declared: ['ArtifactKey'] })).toThrow(InvalidInputError);
    expect(() => toCfnParameters({ Mood: 'happy' }, { declared: ['ArtifactKey'] })).toThrow(/Mood/);
  });
});

describe('readTemplate', () => {
  it('says which template it could not read', async () => {
    await expect(readTemplate('/nonexistent/template.yaml')).rejects.toThrow(/\/nonexistent\/template\.yaml/);
  });
});

describe('compactTemplate', () => {
  it('sends the stack template as compact JSON meaning the same, within the 1 MB CloudFormation reads from S3', async () => {
    const text = await readTemplate();

    const compact = compactTemplate(text);

    // Over what CloudFormation takes inline, the deploy sends it by URL (see template-object.ts).
    expect(Buffer.byteLength(compact)).toBeLessThan(Buffer.byteLength(text));
    expect(Buffer.byteLength(compact)).toBeLessThan(1024 * 1024);
    expect(JSON.parse(compact)).toEqual(parseTemplate(text));
  });

  it('leaves a text that is not a template as it is, for CloudFormation to refuse', () => {
    expect(compactTemplate('not: [a template')).toBe('not: [a template');
  });
});
