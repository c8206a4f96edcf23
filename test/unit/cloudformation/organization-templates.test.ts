import { beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../../src/common/project-root.js';
import { DEFAULT_STACK_SET_NAME, HUB_ROLE_PATH } from '../../../src/constants.js';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { EVENT_PATTERNS } from '../../../src/incident/event-patterns.js';
import { undeliveredQueueName } from '../../../src/organization/deploy/forwarding-queues.js';
import { STACK_SETTINGS } from '../../../src/settings/settings.js';

/*
 * Organisation mode in the two templates: the hub's resources (under IsOrganization) and the
 * member template, whose responder role and trust policy are checked for least privilege.
 */

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

type PolicyList = { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];

let hub: CloudFormationTemplate;
let member: CloudFormationTemplate;

beforeAll(async () => {
  hub = await loadTemplate();
  member = await loadTemplate(projectPaths().memberTemplate);
});

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The rules that carry reports of exposed keys (not the hub's own rule on its executions' ends). */
function rulesOf(template: CloudFormationTemplate) {
  return Object.entries(template.Resources).filter(
    ([name, resource]) => resource.Type === 'AWS::Events::Rule' && name !== 'ResponseEndedRule',
  );
}

function inlineStatements(template: CloudFormationTemplate, role: string): Statement[] {
  const policies = (template.Resources[role]?.Properties?.Policies ?? []) as PolicyList;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** Every action a role may take, with the resources and conditions of the statement that grants it. */
function grantsOf(statements: Statement[] = []): Record<string, { resources: unknown[]; condition: unknown }> {
  const grants: Record<string, { resources: unknown[]; condition: unknown }> = {};
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    expect(statement.NotAction ?? statement.NotResource).toBeUndefined();
    for (const action of list(statement.Action) as string[])
      grants[action] = { resources: list(statement.Resource), condition: statement.Condition };
  }
  return grants;
}

const sub = (text: string) => ({ 'Fn::Sub': text });
const MEMBER_USERS = sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/*`);

describe('the event patterns', () => {
  it('are the same, rule for rule, on the hub (both buses) and in the members, as the parsers read them', () => {
    const patterns = [...rulesOf(hub), ...rulesOf(member)].map(([name, rule]) => [
      name,
      JSON.parse(JSON.stringify(rule.Properties?.EventPattern)),
    ]);

    // AWS's quarantine: the same pattern everywhere (its policy names are checked against QUARANTINE_POLICIES elsewhere).
    const quarantine = patterns.filter(([name]) => String(name).includes('Quarantine'));
    expect(patterns.filter((entry) => !quarantine.includes(entry))).toEqual([
      ['TrustedAdvisorRule', EVENT_PATTERNS.trustedAdvisor],
      ['HealthRiskRule', EVENT_PATTERNS.healthRisk],
      ['HubTrustedAdvisorRule', EVENT_PATTERNS.trustedAdvisor],
      ['HubHealthRiskRule', EVENT_PATTERNS.healthRisk],
      ['TrustedAdvisorForwardRule', EVENT_PATTERNS.trustedAdvisor],
      ['HealthRiskForwardRule', EVENT_PATTERNS.healthRisk],
    ]);
    expect(quarantine.map(([name]) => name)).toEqual(['QuarantineRule', 'HubQuarantineRule', 'QuarantineForwardRule']);
    for (const [, pattern] of quarantine) expect(pattern).toEqual(quarantine[0]?.[1]);
  });
});

describe('the hub in organisation mode', () => {
  it('adds every resource of its own under IsOrganization, so that a single-account stack is unchanged', () => {
    const organisational = Object.entries(hub.Resources)
      .filter(([, resource]) => ['IsOrganization', 'NeedsOrganizationTopicKey'].includes(resource.Condition ?? ''))
      .map(([name]) => name)
      .sort();

    expect(organisational).toEqual([
      'HubEventBus',
      'HubHealthRiskRule',
      'HubQuarantineRule',
      'HubTrustedAdvisorRule',
      'OrganizationResponderAccess',
      'OrganizationTopicKey',
      'OrganizationTopicKeyUse',
    ]);
    expect(hub.Conditions?.IsOrganization).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }] });
    // The topic's own key only when the customer gave (or had the stack create) none.
    expect(hub.Conditions?.NeedsOrganizationTopicKey).toEqual({
      'Fn::And': [{ Condition: 'IsOrganization' }, { 'Fn::Not': [{ Condition: 'UsesCustomerKey' }] }],
    });
  });

  it('admits to its bus only principals of the organisation, and only to put events there', () => {
    const policy = hub.Resources.HubEventBus?.Properties?.Policy as { Statement: Statement[] };

    expect(policy.Statement).toEqual([
      {
        Sid: 'MembersOfTheOrganizationForward',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: sub(
          `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/\${AWS::StackName}-hub`,
        ),
        Condition: { StringEquals: { 'aws:PrincipalOrgID': sub(`\${OrganizationId}`) } },
      },
    ]);
    expect(hub.Resources.HubEventBus?.Properties?.Name).toEqual(sub(`\${AWS::StackName}-hub`));
  });

  it('sends what arrives on its bus to the state machine, as the default bus does', () => {
    for (const name of ['HubTrustedAdvisorRule', 'HubHealthRiskRule', 'HubQuarantineRule']) {
      const rule = hub.Resources[name]?.Properties;
      expect(rule?.EventBusName, name).toEqual(hub.Resources.HubEventBus?.Properties?.Name);
      expect(hub.Resources[name]?.DependsOn, name).toBe('HubEventBus');
      // What the bus cannot deliver goes to the dead-letter queue, as on the default bus.
      expect(rule?.Targets, name).toEqual(hub.Resources.TrustedAdvisorRule?.Properties?.Targets);
    }
  });

  it('lets the three functions assume only the responder role, only in the organisation', () => {
    const policy = hub.Resources.OrganizationResponderAccess?.Properties;

    // The notification function too: a member's finding is imported in the member.
    expect(policy?.Roles).toEqual([{ Ref: 'ContainRole' }, { Ref: 'InvestigateRole' }, { Ref: 'NotifyRole' }]);
    expect(grantsOf((policy?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement)).toEqual({
      'sts:AssumeRole': {
        resources: [sub(`arn:\${AWS::Partition}:iam::*:role/\${ResponderRoleName}`)],
        condition: { StringEquals: { 'aws:ResourceOrgID': sub(`\${OrganizationId}`) } },
      },
      'organizations:DescribeAccount': {
        resources: [sub(`arn:\${AWS::Partition}:organizations::*:account/\${OrganizationId}/*`)],
        condition: undefined,
      },
    });
  });

  it('encrypts the topic with its own key, which only the notification function and the last-resort alerts (the state machine, the dead-letter queue) may use, through SNS only', () => {
    expect(hub.Resources.NotificationTopic?.Properties?.KmsMasterKeyId).toEqual({
      'Fn::If': [
        'UsesCustomerKey',
        { 'Fn::If': ['CreatesKmsKey', { 'Fn::GetAtt': ['EncryptionKey', 'Arn'] }, { Ref: 'KmsKey' }] },
        { 'Fn::If': ['IsOrganization', { Ref: 'OrganizationTopicKey' }, 'alias/aws/sns'] },
      ],
    });
    const use = hub.Resources.OrganizationTopicKeyUse?.Properties;
    expect(use?.Roles).toEqual([{ Ref: 'NotifyRole' }, { Ref: 'StateMachineRole' }, { Ref: 'UndeliveredRole' }]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub, on purpose
    const viaSns = { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } } };
    expect(grantsOf((use?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement)).toEqual({
      'kms:GenerateDataKey': { resources: [{ 'Fn::GetAtt': ['OrganizationTopicKey', 'Arn'] }], condition: viaSns },
      'kms:Decrypt': { resources: [{ 'Fn::GetAtt': ['OrganizationTopicKey', 'Arn'] }], condition: viaSns },
    });
    const key = hub.Resources.OrganizationTopicKey?.Properties;
    expect(key?.EnableKeyRotation).toBe(true);
    const services = (key?.KeyPolicy as { Statement: Statement[] } | undefined)?.Statement.filter(
      (statement) => statement.Principal && typeof statement.Principal === 'object' && 'Service' in statement.Principal,
    );
    // No rule publishes to the topic: no service is granted the key.
    expect(services).toEqual([]);
  });

  it('puts the function roles under the path members trust, in organisation mode only', () => {
    for (const role of ['ContainRole', 'InvestigateRole', 'NotifyRole'])
      expect(hub.Resources[role]?.Properties?.Path, role).toEqual({
        'Fn::If': ['IsOrganization', HUB_ROLE_PATH, { Ref: 'AWS::NoValue' }],
      });
  });

  it('declares the organisation settings with the registry’s defaults', () => {
    for (const setting of [STACK_SETTINGS.organizationId, STACK_SETTINGS.responderRoleName])
      expect(String(hub.Parameters?.[setting.parameter]?.Default)).toBe(setting.default);
    expect(member.Parameters?.ResponderRoleName?.Default).toBe(STACK_SETTINGS.responderRoleName.default);
  });
});

describe('the member template', () => {
  it('holds the forwarding role, the three rules, their queue and the responder role, nothing else', () => {
    expect(
      Object.entries(member.Resources)
        .map(([name, resource]) => `${name} ${resource.Type}`)
        .sort(),
    ).toEqual([
      'ForwardRole AWS::IAM::Role',
      'HealthRiskForwardRule AWS::Events::Rule',
      'QuarantineForwardRule AWS::Events::Rule',
      'ResponderRole AWS::IAM::Role',
      'TrustedAdvisorForwardRule AWS::Events::Rule',
      'UndeliveredQueue AWS::SQS::Queue',
      'UndeliveredQueuePolicy AWS::SQS::QueuePolicy',
    ]);
  });

  it('forwards each rule to the hub bus through the forwarding role, keeping what it cannot deliver in the queue', () => {
    for (const [name, rule] of rulesOf(member)) {
      expect(rule.Properties?.EventBusName, name).toBeUndefined();
      expect(rule.Properties?.Targets, name).toEqual([
        {
          Id: 'exposed-keys-hub',
          Arn: { Ref: 'HubEventBusArn' },
          RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } },
        },
      ]);
    }
  });

  it('keeps what was not forwarded 14 days, in a queue named as status --org reads it, admitted from the three rules only', () => {
    const queue = member.Resources.UndeliveredQueue;
    expect(queue?.Properties).toMatchObject({
      QueueName: { Ref: 'UndeliveredQueueName' },
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    expect(member.Parameters?.UndeliveredQueueName?.Default).toBe(undeliveredQueueName(DEFAULT_STACK_SET_NAME));
    const pattern = new RegExp(String(member.Parameters?.UndeliveredQueueName?.AllowedPattern));
    expect(pattern.test(undeliveredQueueName('a'.repeat(128)))).toBe(true);
    expect(pattern.test('a'.repeat(81))).toBe(false);
    const policy = member.Resources.UndeliveredQueuePolicy?.Properties?.PolicyDocument as { Statement: Statement[] };
    expect(policy.Statement).toEqual([
      {
        Sid: 'RulesKeepWhatTheyCouldNotForward',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] },
        Condition: {
          ArnEquals: {
            'aws:SourceArn': rulesOf(member).map(([name]) => ({ 'Fn::GetAtt': [name, 'Arn'] })),
          },
        },
      },
    ]);
  });

  it('lets the forwarding role only put events on the hub bus, assumed by EventBridge of this account', () => {
    const role = member.Resources.ForwardRole?.Properties;

    expect((role?.AssumeRolePolicyDocument as { Statement: Statement[] } | undefined)?.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(grantsOf(inlineStatements(member, 'ForwardRole'))).toEqual({
      'events:PutEvents': { resources: [{ Ref: 'HubEventBusArn' }], condition: undefined },
    });
  });

  it('trusts only the hub account’s roles under the hub path, and the operator roles given, to assume the responder role', () => {
    const role = member.Resources.ResponderRole?.Properties;
    const hubPath = `arn:\${AWS::Partition}:iam::\${HubAccountId}:role${HUB_ROLE_PATH}*`;

    expect(role?.RoleName).toEqual({ Ref: 'ResponderRoleName' });
    expect((role?.AssumeRolePolicyDocument as { Statement: Statement[] } | undefined)?.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: sub(`arn:\${AWS::Partition}:iam::\${HubAccountId}:root`) },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnLike: {
            'aws:PrincipalArn': {
              'Fn::If': ['HasOperators', { 'Fn::Split': [',', sub(`${hubPath},\${OperatorRoleArns}`)] }, sub(hubPath)],
            },
          },
        },
      },
    ]);
    expect(member.Conditions?.HasOperators).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OperatorRoleArns' }, ''] }],
    });
    const pattern = new RegExp(String(member.Parameters?.OperatorRoleArns?.AllowedPattern));
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:role/ir,arn:aws:iam::123456789012:role/aws-reserved/x/Y_*')).toBe(
      true,
    );
    expect(pattern.test('*')).toBe(false);
    for (const wide of [
      'role/*',
      'role/aws-reserved/sso.amazonaws.com/*',
      'role/*-admin',
      'role/ir,arn:aws:iam::123456789012:role/*',
    ])
      expect(pattern.test(`arn:aws:iam::123456789012:${wide}`), wide).toBe(false);
  });

  it('forwards nothing from the hub’s own account, whose own rules already start the state machine', () => {
    expect(member.Conditions?.IsNotTheHub).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'HubAccountId' }] }],
    });
    for (const name of [
      'ForwardRole',
      'UndeliveredQueue',
      'UndeliveredQueuePolicy',
      ...rulesOf(member).map(([rule]) => rule),
    ])
      expect(member.Resources[name]?.Condition, name).toBe('IsNotTheHub');
    expect(member.Resources.ResponderRole?.Condition).toBeUndefined();
  });

  it('gives the responder role what containment, investigation and the finding need, on this account only', () => {
    const own = (kind: string) => sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${kind}/*`);
    const QUEUE = sub(`arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:\${UndeliveredQueueName}`);
    const OWN_TAGS = {
      Null: { 'aws:TagKeys': 'false' },
      'ForAllValues:StringLike': { 'aws:TagKeys': 'exposed-keys/contained/*' },
    };
    expect(grantsOf(inlineStatements(member, 'ResponderRole'))).toEqual({
      'iam:GetAccessKeyLastUsed': { resources: [MEMBER_USERS], condition: undefined },
      'iam:ListAccessKeys': { resources: [MEMBER_USERS], condition: undefined },
      'iam:ListAttachedUserPolicies': { resources: [MEMBER_USERS], condition: undefined },
      'iam:DeleteAccessKey': { resources: [MEMBER_USERS], condition: undefined },
      'iam:UpdateAccessKey': { resources: [MEMBER_USERS], condition: undefined },
      'iam:PutUserPolicy': { resources: [MEMBER_USERS], condition: undefined },
      'iam:TagUser': { resources: [MEMBER_USERS], condition: OWN_TAGS },
      'iam:ListUserTags': { resources: [MEMBER_USERS], condition: undefined },
      'iam:GetUserPolicy': { resources: [MEMBER_USERS], condition: undefined },
      'cloudtrail:LookupEvents': { resources: ['*'], condition: undefined },
      'ec2:DescribeRegions': { resources: ['*'], condition: undefined },
      'securityhub:BatchImportFindings': {
        resources: [sub(`arn:\${AWS::Partition}:securityhub:*:\${AWS::AccountId}:product/\${AWS::AccountId}/default`)],
        condition: undefined,
      },
      'securityhub:GetFindings': {
        resources: [sub(`arn:\${AWS::Partition}:securityhub:*:\${AWS::AccountId}:hub/default`)],
        condition: undefined,
      },
      'iam:GetUser': { resources: [MEMBER_USERS], condition: undefined },
      'iam:GetLoginProfile': { resources: [MEMBER_USERS], condition: undefined },
      'iam:ListUserPolicies': { resources: [MEMBER_USERS], condition: undefined },
      'iam:GetRole': { resources: [own('role')], condition: undefined },
      'iam:ListAttachedRolePolicies': { resources: [own('role')], condition: undefined },
      'iam:ListRolePolicies': { resources: [own('role')], condition: undefined },
      'iam:ListAttachedGroupPolicies': { resources: [own('group')], condition: undefined },
      'iam:ListGroupPolicies': { resources: [own('group')], condition: undefined },
      'lambda:GetFunctionConcurrency': {
        resources: [sub(`arn:\${AWS::Partition}:lambda:*:\${AWS::AccountId}:function:*`)],
        condition: undefined,
      },
      'ec2:DescribeInstances': { resources: ['*'], condition: undefined },
      'iam:ListGroupsForUser': { resources: [MEMBER_USERS], condition: undefined },
      'iam:ListSSHPublicKeys': { resources: [MEMBER_USERS], condition: undefined },
      'iam:ListServiceSpecificCredentials': { resources: [MEMBER_USERS], condition: undefined },
      'iam:ListMFADevices': { resources: [MEMBER_USERS], condition: undefined },
      'iam:GetPolicy': { resources: [own('policy')], condition: undefined },
      'iam:GetPolicyVersion': { resources: [own('policy')], condition: undefined },
      'iam:ListPolicyVersions': { resources: [own('policy')], condition: undefined },
      'iam:GetSAMLProvider': { resources: [own('saml-provider')], condition: undefined },
      'iam:GetOpenIDConnectProvider': { resources: [own('oidc-provider')], condition: undefined },
      'iam:ListVirtualMFADevices': { resources: ['*'], condition: undefined },
      'ec2:DescribeSpotInstanceRequests': { resources: ['*'], condition: undefined },
      'ec2:DescribeSpotFleetRequests': { resources: ['*'], condition: undefined },
      'ec2:DescribeFleets': { resources: ['*'], condition: undefined },
      'ec2:DescribeKeyPairs': { resources: ['*'], condition: undefined },
      'sqs:GetQueueUrl': { resources: [QUEUE], condition: undefined },
      'sqs:GetQueueAttributes': { resources: [QUEUE], condition: undefined },
    });
  });

  it('grants the responder role no more IAM actions than the hub’s own containment and investigation roles', () => {
    // The hub's statements granted under a condition (Fn::If) count as granted.
    const unwrap = (statements: unknown[]) =>
      statements.flatMap((statement) => {
        const branches = (statement as { 'Fn::If'?: unknown[] })['Fn::If'];
        return (branches ? [branches[1]] : [statement]).filter(
          (each): each is Statement => typeof each === 'object' && each !== null && 'Effect' in each,
        );
      });
    const own = grantsOf(
      unwrap([...inlineStatements(hub, 'ContainRole'), ...inlineStatements(hub, 'InvestigateRole')]),
    );
    const responder = grantsOf(inlineStatements(member, 'ResponderRole'));
    const iamActions = (grants: Record<string, unknown>) =>
      Object.keys(grants)
        .filter((action) => action.startsWith('iam:'))
        .sort();

    expect(iamActions(responder)).toEqual(iamActions(own).filter((action) => action !== 'iam:PassRole'));
  });

  it('only deploys in us-east-1', () => {
    expect(JSON.stringify(member.Rules)).toContain('"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]');
  });
});
