import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REGION_PATTERN } from '../../../src/aws/aws-names.js';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { readInvestigateConfig } from '../../../src/settings/function-settings.js';
import { STACK_SETTINGS } from '../../../src/settings/settings.js';

/*
 * The stack's Athena option: a Glue table with partition projection over the trail's bucket, a
 * workgroup with encrypted results and a limit per query, and the investigation function's right
 * to use them, all only when TrailBucket is given.
 */

let template: CloudFormationTemplate;
beforeAll(async () => {
  template = await loadTemplate();
});

const ATHENA_RESOURCES = ['AthenaDatabase', 'CloudTrailTable', 'AthenaWorkGroup'];

function props(id: string): Record<string, any> {
  return template.Resources[id]?.Properties ?? {};
}

describe('the Athena option of the template', () => {
  it('exists only when a trail bucket is given', () => {
    expect(template.Conditions?.HasAthena).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TrailBucket' }, ''] }] });
    for (const id of ATHENA_RESOURCES) expect(template.Resources[id]?.Condition, id).toBe('HasAthena');
    const statements = (props('InvestigateRole').Policies[0].PolicyDocument.Statement as Record<string, any>[]).filter(
      (statement) => statement['Fn::If'],
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(['HasAthena', 'ReadsEncryptedTrail']).toContain(statement['Fn::If'][0]);
      expect(statement['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' });
    }
    expect(template.Conditions?.ReadsEncryptedTrail).toEqual({
      'Fn::And': [{ Condition: 'HasAthena' }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TrailKmsKeyArn' }, ''] }] }],
    });
    const unconditional = JSON.stringify(
      props('InvestigateRole').Policies[0].PolicyDocument.Statement.filter((s: object) => !('Fn::If' in s)),
    );
    expect(unconditional).not.toMatch(/athena:|glue:|s3:|sts:|kms:/);
  });

  it('lets the investigation decrypt the trail’s log files with its KMS key, through S3 only, when one is given', () => {
    const statements = props('InvestigateRole').Policies[0].PolicyDocument.Statement as Record<string, any>[];
    const decrypting = statements.filter((statement) => JSON.stringify(statement).includes('kms:'));

    expect(decrypting).toEqual([
      {
        'Fn::If': [
          'ReadsEncryptedTrail',
          {
            Sid: 'DecryptTrailLogs',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { Ref: 'TrailKmsKeyArn' },
            Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
          },
          { Ref: 'AWS::NoValue' },
        ],
      },
    ]);
    expect(template.Parameters?.TrailKmsKeyArn?.Default).toBe('');
  });

  it('projects partitions for the trail’s layout, by account, region and day, with or without an organisation', () => {
    const input = props('CloudTrailTable').TableInput;

    expect(input.PartitionKeys).toEqual([
      { Name: 'account', Type: 'string' },
      { Name: 'region', Type: 'string' },
      { Name: 'timestamp', Type: 'string' },
    ]);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.account.type': 'injected',
      'projection.region.type': 'enum',
      'projection.timestamp.type': 'date',
      'projection.timestamp.format': 'yyyy/MM/dd',
      'projection.timestamp.interval.unit': 'DAYS',
    });
    for (const region of String(input.Parameters['projection.region.values']).split(','))
      expect(REGION_PATTERN.test(region), region).toBe(true);
    expect(input.Parameters['storage.location.template']).toEqual({
      'Fn::If': [
        'HasTrailOrganization',
        {
          'Fn::Sub': `s3://\${TrailBucket}/AWSLogs/\${TrailOrganizationId}/\${!account}/CloudTrail/\${!region}/\${!timestamp}`,
        },
        { 'Fn::Sub': `s3://\${TrailBucket}/AWSLogs/\${!account}/CloudTrail/\${!region}/\${!timestamp}` },
      ],
    });
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
    });
  });

  it('projects every commercial region the AWS SDK knows: a region missing from the list can hold no partition', () => {
    const listed = String(props('CloudTrailTable').TableInput.Parameters['projection.region.values']).split(',');
    // The SDK's partition table, as @aws-sdk/core ships it (its regions of the `aws` partition).
    const require = createRequire(import.meta.url);
    const core = join(dirname(require.resolve('@aws-sdk/core/package.json')), 'dist-cjs/submodules/client/index.js');
    const text = readFileSync(core, 'utf8');
    const partition = text.slice(text.indexOf('"id": "aws",'), text.indexOf('"id": "aws-cn"'));
    const known = [...partition.matchAll(/"([a-z]{2}-[a-z]+-\d)": \{\s*"description"/g)].map((match) => match[1]);
    expect(known).toEqual(expect.arrayContaining(['us-east-1', 'ap-east-2', 'sa-west-1']));
    expect(known.filter((region) => !listed.includes(region as string))).toEqual([]);
    expect([...listed].sort()).toEqual(listed);
  });

  it('has every column the activity query reads, with the fields it reads', () => {
    const columns = Object.fromEntries(
      (props('CloudTrailTable').TableInput.StorageDescriptor.Columns as { Name: string; Type: string }[]).map(
        (column) => [column.Name, column.Type],
      ),
    );

    for (const name of [
      'eventid',
      'eventtime',
      'eventname',
      'eventsource',
      'awsregion',
      'sourceipaddress',
      'useragent',
    ])
      expect(columns[name], name).toBe('string');
    for (const name of ['errorcode', 'requestparameters', 'responseelements'])
      expect(columns[name], name).toBe('string');
    expect(columns.useridentity).toMatch(/^struct<.*accesskeyid:string.*username:string/);
    expect(columns.resources).toBe('array<struct<arn:string,accountid:string,type:string>>');
  });

  it('has a workgroup that encrypts results, limits the bytes a query scans and uses engine 3', () => {
    expect(props('AthenaWorkGroup').WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 1_000_000_000_000,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      ResultConfiguration: {
        OutputLocation: { 'Fn::Sub': `s3://\${ArtifactBucket}/athena-results/` },
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
      },
    });
  });

  it('tells the investigation function the table and workgroup, which its settings accept', () => {
    const variables = props('InvestigateFunction').Environment.Variables;

    expect(variables.ATHENA_TABLE).toEqual({
      'Fn::If': ['HasAthena', { 'Fn::Sub': `\${AthenaDatabase}.\${CloudTrailTable}` }, ''],
    });
    expect(variables.ATHENA_WORKGROUP).toEqual({ 'Fn::If': ['HasAthena', { Ref: 'AthenaWorkGroup' }, ''] });
    expect(
      readInvestigateConfig({ ATHENA_TABLE: 'exposed_keys.cloudtrail', ATHENA_WORKGROUP: 'exposed-keys' }).athena,
    ).toEqual({ table: { database: 'exposed_keys', table: 'cloudtrail' }, workgroup: 'exposed-keys' });
    expect(() => readInvestigateConfig({ ATHENA_TABLE: 'exposed_keys.cloudtrail' })).toThrow(/ATHENA_WORKGROUP/);
  });

  it('takes the trail bucket and organisation id by the same rules as deploy', () => {
    for (const [setting, values] of [
      [STACK_SETTINGS.trailBucket, ['', 'org-trail-logs', 'a.b-c', 'Bad_Bucket', 'ab']],
      [STACK_SETTINGS.trailOrgId, ['', 'o-abcdefghij', 'o-short', 'x-abcdefghij']],
    ] as const) {
      const pattern = new RegExp(String(template.Parameters?.[setting.parameter]?.AllowedPattern));
      for (const value of values)
        expect(pattern.test(value), `${setting.parameter} ${value}`).toBe(setting.schema.safeParse(value).success);
    }
  });
});
