import { beforeAll, describe, expect, it } from 'vitest';
import { QUARANTINE_POLICIES } from '../../../src/constants.js';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { asCloudTrailEvent, publishedRecord } from '../../support/published.js';

let template: CloudFormationTemplate;

beforeAll(async () => {
  template = await loadTemplate();
});

function properties(logicalId: string): Record<string, any> {
  return template.Resources[logicalId]?.Properties ?? {};
}

/** `!Sub` of the partition only, as in the quarantine rule, resolved for the aws partition. */
function resolved(value: unknown): unknown {
  const sub = (value as { 'Fn::Sub'?: unknown })?.['Fn::Sub'];
  return typeof sub === 'string' ? sub.replaceAll(`\${AWS::Partition}`, 'aws') : value;
}

/** EventBridge matching for the forms the quarantine rule uses: value lists, `exists`, `$or`, nesting. */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or') return (expected as Record<string, unknown>[]).some((branch) => matches(branch, event));
    const actual = event[field];
    if (Array.isArray(expected))
      return expected.some((candidate) => {
        const exists = (candidate as { exists?: boolean })?.exists;
        if (exists !== undefined) return exists === (actual !== undefined);
        return resolved(candidate) === actual;
      });
    return (
      typeof actual === 'object' &&
      actual !== null &&
      matches(expected as Record<string, unknown>, actual as Record<string, unknown>)
    );
  });
}

describe('the quarantine rule', () => {
  const pattern = () => properties('QuarantineRule').EventPattern as Record<string, any>;

  it('lists exactly the quarantine policies the code knows', () => {
    const [attach, put] = pattern().detail.$or;

    expect(attach.requestParameters.policyArn.map(resolved)).toEqual(
      QUARANTINE_POLICIES.managed.map((name) => `arn:aws:iam::aws:policy/${name}`),
    );
    expect(put.requestParameters.policyName).toEqual([...QUARANTINE_POLICIES.inline]);
  });

  it('matches the published quarantine records, and neither other policies nor failed calls', () => {
    const v2 = asCloudTrailEvent(publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther'));
    const inline = asCloudTrailEvent(publishedRecord('cloudtrail-putuserpolicy-exposedcredentialpolicy-panther-2020'));
    const readOnly = structuredClone(v2);
    readOnly.detail.requestParameters.policyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const failed = structuredClone(v2);
    failed.detail.errorCode = 'AccessDenied';

    expect(matches(pattern(), v2)).toBe(true);
    expect(matches(pattern(), inline)).toBe(true);
    expect(matches(pattern(), readOnly)).toBe(false);
    expect(matches(pattern(), failed)).toBe(false);
  });

  it('listens to IAM through CloudTrail, which EventBridge delivers in us-east-1, the only region of the stack', () => {
    expect(pattern()).toMatchObject({
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['iam.amazonaws.com'] },
    });
  });
});

describe('the chat channels', () => {
  it('are created only when all their ids are given, with a read-only guardrail and the chat topic', () => {
    for (const [logicalId, condition] of [
      ['SlackChannel', 'HasSlack'],
      ['TeamsChannel', 'HasTeams'],
    ] as const) {
      expect(template.Resources[logicalId]?.Condition, logicalId).toBe(condition);
      expect(properties(logicalId), logicalId).toMatchObject({
        IamRoleArn: { 'Fn::GetAtt': ['ChatChannelRole', 'Arn'] },
        SnsTopicArns: [{ Ref: 'ChatTopic' }],
        GuardrailPolicies: [{ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/ReadOnlyAccess` }],
      });
    }
    expect(JSON.stringify(template.Conditions?.HasSlack)).toContain('SlackWorkspaceId');
    expect(JSON.stringify(template.Conditions?.HasTeams)).toContain('TeamsTenantId');
    expect(template.Resources.ChatChannelRole?.Condition).toBe('HasChatChannel');
  });

  it('read an unencrypted topic (the chat service has not delivered from encrypted ones) that takes TLS only', () => {
    expect(properties('ChatTopic').KmsMasterKeyId).toBeUndefined();
    expect(properties('ChatTopicPolicy').PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it('give the notification function the chat topic, the findings switch and the webhook secret', () => {
    expect(properties('NotifyFunction').Environment.Variables).toMatchObject({
      CHAT_TOPIC_ARN: { Ref: 'ChatTopic' },
      SECURITY_HUB_FINDINGS: { Ref: 'SecurityHubFindings' },
      WEBHOOK_SECRET_ARN: { Ref: 'WebhookSecretArn' },
    });
  });

  it('grant Security Hub and the secret only when they are turned on', () => {
    const granted = (logicalId: string) => [
      template.Resources[logicalId]?.Condition,
      properties(logicalId).Roles,
      (properties(logicalId).PolicyDocument.Statement as { Action: string }[]).map((statement) => statement.Action),
    ];

    expect(granted('NotifyFindingsPolicy')).toEqual([
      'FindingsOn',
      [{ Ref: 'NotifyRole' }],
      ['securityhub:BatchImportFindings', 'securityhub:GetFindings'],
    ]);
    expect(granted('NotifyWebhookPolicy')).toEqual([
      'HasWebhook',
      [{ Ref: 'NotifyRole' }],
      ['secretsmanager:GetSecretValue'],
    ]);
  });
});

describe('the incident table', () => {
  it('is keyed by pk, expires records by expiresAt, is encrypted and goes with the stack', () => {
    expect(template.Resources.IncidentTable).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
    expect(properties('ContainFunction').Environment.Variables.INCIDENT_TABLE).toEqual({ Ref: 'IncidentTable' });
  });
});
