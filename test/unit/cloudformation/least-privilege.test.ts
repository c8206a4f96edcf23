import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudFormationResource,
  type CloudFormationTemplate,
  loadTemplate,
} from '../../../src/deploy/template.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

interface Grant {
  role: string;
  statement: Statement;
  actions: string[];
  resources: unknown[];
  /** The template condition the statement is granted under (`Fn::If`), if any. */
  when: string | undefined;
}

/** Where the workgroup writes query results: a prefix of the artifact bucket. */
const RESULTS = { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${ArtifactBucket}/athena-results/*` };

interface ConditionalStatement {
  'Fn::If': [string, Statement, unknown];
}

const NO_VALUE = { Ref: 'AWS::NoValue' };
const USERS_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/*` };
/** The customer-managed key: the stack's own with KmsKey "create", else the key given. */
const CUSTOMER_KEY = { 'Fn::If': ['CreatesKmsKey', { 'Fn::GetAtt': ['EncryptionKey', 'Arn'] }, { Ref: 'KmsKey' }] };
const FUNCTIONS = ['ContainFunction', 'InvestigateFunction', 'NotifyFunction'];
const ROLES_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/*` };
const GROUPS_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:group/*` };
/** What the inventory reads of IAM besides users, roles and groups: each on the account's own kind of resource. */
const INVENTORY_IAM_ARNS: Record<string, unknown> = {
  'iam:GetPolicy': { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/*` },
  'iam:GetPolicyVersion': { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/*` },
  'iam:ListPolicyVersions': { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/*` },
  'iam:GetSAMLProvider': { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:saml-provider/*` },
  'iam:GetOpenIDConnectProvider': { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/*` },
};
const FUNCTIONS_ARN = { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:*:\${AWS::AccountId}:function:*` };

/** Actions that have no resource-level permissions, so "*" is the only Resource they take. */
const RESOURCE_STAR_ACTIONS = new Set([
  'cloudtrail:LookupEvents',
  'ec2:DescribeRegions',
  'ec2:DescribeInstances',
  'ec2:DescribeSpotInstanceRequests',
  'ec2:DescribeSpotFleetRequests',
  'ec2:DescribeFleets',
  'ec2:DescribeKeyPairs',
  'iam:ListVirtualMFADevices',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'sts:GetAccessKeyInfo',
]);

/** Everything each role may do; anything more is a failure. */
const ROLE_ACTIONS: Record<string, string[]> = {
  ContainRole: [
    'iam:GetAccessKeyLastUsed',
    'iam:ListAccessKeys',
    'iam:ListAttachedUserPolicies',
    'iam:DeleteAccessKey',
    'iam:UpdateAccessKey',
    'iam:PutUserPolicy',
    'iam:TagUser',
    'iam:ListUserTags',
    'iam:GetUserPolicy',
    'cloudtrail:LookupEvents',
    'dynamodb:UpdateItem',
    'dynamodb:GetItem',
    'scheduler:CreateSchedule',
    'scheduler:UpdateSchedule',
    'scheduler:GetSchedule',
    'iam:PassRole',
    'logs:CreateLogStream',

    'logs:PutLogEvents',
  ],
  InvestigateRole: [
    'cloudtrail:LookupEvents',
    'ec2:DescribeRegions',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    // With an Athena table only (TrailBucket set):
    'athena:StartQueryExecution',
    'athena:GetQueryExecution',
    'athena:GetQueryResults',
    'athena:StopQueryExecution',
    'glue:GetTable',
    'glue:GetDatabase',
    's3:GetObject',
    's3:ListBucket',
    's3:GetBucketLocation',
    's3:PutObject',
    's3:GetObject',
    's3:AbortMultipartUpload',
    's3:GetBucketLocation',
    's3:ListBucket',
    'sts:GetAccessKeyInfo',
    // With a trail encrypted with a KMS key too (TrailKmsKeyArn set):
    'kms:Decrypt',
    // The inventory of what the attacker left: reads only.
    'iam:GetUser',
    'iam:GetLoginProfile',
    'iam:ListAccessKeys',
    'iam:ListAttachedUserPolicies',
    'iam:ListUserPolicies',
    'iam:GetRole',
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:ListAttachedGroupPolicies',
    'iam:ListGroupPolicies',
    'iam:ListGroupsForUser',
    'iam:ListSSHPublicKeys',
    'iam:ListServiceSpecificCredentials',
    'iam:ListMFADevices',
    'iam:ListVirtualMFADevices',
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
    'iam:ListPolicyVersions',
    'iam:GetSAMLProvider',
    'iam:GetOpenIDConnectProvider',
    'lambda:GetFunctionConcurrency',
    'ec2:DescribeInstances',
    'ec2:DescribeSpotInstanceRequests',
    'ec2:DescribeSpotFleetRequests',
    'ec2:DescribeFleets',
    'ec2:DescribeKeyPairs',
  ],
  NotifyRole: [
    'sns:Publish',
    'kms:GenerateDataKey',
    'kms:Decrypt',
    'securityhub:BatchImportFindings',
    'securityhub:GetFindings',
    'secretsmanager:GetSecretValue',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ],
  // Chat channels only receive notifications: their role may do nothing.
  ChatChannelRole: [],
  StateMachineRole: [
    'lambda:InvokeFunction',
    // The last-resort alert when the notification function cannot send the report.
    'sns:Publish',
    'kms:GenerateDataKey',
    'kms:Decrypt',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  EventsRole: ['states:StartExecution'],
  // A schedule sends what it could not start to the dead-letter queue as its own role.
  SchedulerRole: ['states:StartExecution', 'sqs:SendMessage'],
  // Reads the dead-letter queue, gives each event to the state machine again, and alerts the topics;
  // asks how an execution that ended with no report ended.
  UndeliveredRole: [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:ChangeMessageVisibility',
    'states:StartExecution',
    'states:DescribeExecution',
    'sns:Publish',
    'kms:GenerateDataKey',
    'kms:Decrypt',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ],
};

const ROLE_SERVICES: Record<string, string> = {
  ContainRole: 'lambda.amazonaws.com',
  InvestigateRole: 'lambda.amazonaws.com',
  NotifyRole: 'lambda.amazonaws.com',
  StateMachineRole: 'states.amazonaws.com',
  EventsRole: 'events.amazonaws.com',
  ChatChannelRole: 'chatbot.amazonaws.com',
  SchedulerRole: 'scheduler.amazonaws.com',
  UndeliveredRole: 'lambda.amazonaws.com',
};

/** The schedules of the stack's own group, and those exposed-keys names only. */
const SCHEDULES_ARN = {
  'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/\${AWS::StackName}/exposed-keys-*`,
};

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A statement under `Fn::If` (present only with a condition) as the statement it would be; nothing for AWS::NoValue. */

function roles(template: CloudFormationTemplate) {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role');
}

/** The policies of a role: its own, and those of AWS::IAM::Policy resources attached to it (the channels'). */
function policiesOf(template: CloudFormationTemplate, role: string, resource: CloudFormationResource) {
  const attached = Object.values(template.Resources)
    .filter((candidate) => candidate.Type === 'AWS::IAM::Policy')
    .filter((candidate) => JSON.stringify(candidate.Properties?.Roles) === JSON.stringify([{ Ref: role }]))
    .map((candidate) => candidate.Properties);
  return [...((resource.Properties?.Policies ?? []) as unknown[]), ...attached] as {
    PolicyDocument: { Statement: Statement[] };
  }[];
}

/** Every statement of every policy in the template, with the role it is attached to. */
function grants(template: CloudFormationTemplate): Grant[] {
  const found: Grant[] = [];
  for (const [role, resource] of roles(template)) {
    const policies = policiesOf(template, role, resource);
    for (const policy of policies) {
      for (const entry of list(policy.PolicyDocument.Statement) as (Statement | ConditionalStatement)[]) {
        // A statement granted only under a template condition: { Fn::If: [condition, statement, AWS::NoValue] }.
        const conditional = 'Fn::If' in entry ? entry['Fn::If'] : undefined;
        const statement = conditional ? conditional[1] : (entry as Statement);
        if (conditional) expect(conditional[2], `${role}: the other branch grants nothing`).toEqual(NO_VALUE);
        found.push({
          role,
          statement,
          actions: list(statement.Action) as string[],
          resources: list(statement.Resource),
          when: conditional?.[0],
        });
      }
    }
  }
  return found;
}

/** The log group the function that runs as `role` writes to. */
function ownLogGroup(template: CloudFormationTemplate, role: string): string | undefined {
  const fn = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      JSON.stringify(resource.Properties?.Role) === JSON.stringify({ 'Fn::GetAtt': [role, 'Arn'] }),
  );
  return (fn?.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
}

function same(actual: unknown[], expected: unknown[]): boolean {
  const key = (items: unknown[]) => items.map((item) => JSON.stringify(item)).sort();
  return JSON.stringify(key(actual)) === JSON.stringify(key(expected));
}

/** The resources `action` may be granted on, or undefined for an action no rule allows. */
function allowedResources(template: CloudFormationTemplate, role: string, action: string): unknown[] | undefined {
  if (RESOURCE_STAR_ACTIONS.has(action)) return ['*'];
  // The containment function hands the scheduler role to Scheduler, and no other role to anything.
  if (action === 'iam:PassRole')
    return role === 'ContainRole' ? [{ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] }] : undefined;
  if (action in INVENTORY_IAM_ARNS) return role === 'InvestigateRole' ? [INVENTORY_IAM_ARNS[action]] : undefined;
  // The groups of a user are read on the user.
  if (action === 'iam:ListGroupsForUser') return role === 'InvestigateRole' ? [USERS_ARN] : undefined;
  if (/^iam:\w+Role/.test(action)) return role === 'InvestigateRole' ? [ROLES_ARN] : undefined;
  if (/^iam:\w+Group/.test(action)) return role === 'InvestigateRole' ? [GROUPS_ARN] : undefined;
  if (action.startsWith('iam:')) return [USERS_ARN];
  if (action === 'lambda:GetFunctionConcurrency') return [FUNCTIONS_ARN];
  if (['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:GetSchedule'].includes(action))
    return role === 'ContainRole' ? [SCHEDULES_ARN] : undefined;
  // The state machine publishes its last-resort alert to the e-mail topic alone.
  if (action === 'sns:Publish')
    return role === 'StateMachineRole'
      ? [{ Ref: 'NotificationTopic' }]
      : [{ Ref: 'NotificationTopic' }, { Ref: 'ChatTopic' }];
  // The dead-letter queue of the stack, and no other.
  if (action.startsWith('sqs:')) return [{ 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] }];
  if (action.startsWith('dynamodb:')) return [{ 'Fn::GetAtt': ['IncidentTable', 'Arn'] }];
  if (action === 'securityhub:BatchImportFindings')
    return [
      {
        'Fn::Sub': `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:product/\${AWS::AccountId}/default`,
      },
    ];
  if (action === 'securityhub:GetFindings')
    return [{ 'Fn::Sub': `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:hub/default` }];
  if (action === 'secretsmanager:GetSecretValue') return [{ Ref: 'WebhookSecretArn' }];
  // The investigation reads the trail's log files, encrypted with the trail's key.
  if (action === 'kms:Decrypt' && role === 'InvestigateRole') return [{ Ref: 'TrailKmsKeyArn' }];
  if (action === 'kms:GenerateDataKey' || action === 'kms:Decrypt') return [CUSTOMER_KEY];
  if (action === 'states:StartExecution') return [{ Ref: 'StateMachine' }];
  // The executions of the stack's state machine, and no other's.
  if (action === 'states:DescribeExecution')
    return [
      {
        'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:\${StateMachine.Name}:*`,
      },
    ];
  if (action === 'lambda:InvokeFunction') {
    return FUNCTIONS.flatMap((fn) => [{ 'Fn::GetAtt': [fn, 'Arn'] }, { 'Fn::Sub': `\${${fn}.Arn}:*` }]);
  }
  const sub = (text: string) => ({ 'Fn::Sub': text });
  if (action.startsWith('athena:'))
    return [sub(`arn:\${AWS::Partition}:athena:\${AWS::Region}:\${AWS::AccountId}:workgroup/\${AthenaWorkGroup}`)];
  if (action.startsWith('glue:'))
    return [
      sub(`arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:catalog`),
      sub(`arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:database/\${AthenaDatabase}`),
      sub(
        `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:table/\${AthenaDatabase}/\${CloudTrailTable}`,
      ),
    ];
  if (action === 's3:GetObject') return [sub(`arn:\${AWS::Partition}:s3:::\${TrailBucket}/AWSLogs/*`), RESULTS];
  if (action === 's3:PutObject' || action === 's3:AbortMultipartUpload') return [RESULTS];
  if (action === 's3:ListBucket' || action === 's3:GetBucketLocation')
    return [sub(`arn:\${AWS::Partition}:s3:::\${TrailBucket}`), sub(`arn:\${AWS::Partition}:s3:::\${ArtifactBucket}`)];
  if (action === 'logs:CreateLogStream' || action === 'logs:PutLogEvents') {
    const group = ownLogGroup(template, role);
    return group ? [{ 'Fn::GetAtt': [group, 'Arn'] }] : undefined;
  }
  return undefined;
}

/** Each way the template's policies break the least-privilege rules, in words. */
function privilegeViolations(template: CloudFormationTemplate): string[] {
  const problems: string[] = [];
  for (const [role, resource] of roles(template)) {
    if (resource.Properties?.ManagedPolicyArns) problems.push(`${role} has managed policies`);
  }
  for (const { role, statement, actions, resources } of grants(template)) {
    const where = `${role}/${statement.Sid ?? '?'}`;
    if (statement.NotAction || statement.NotResource) problems.push(`${where} uses NotAction or NotResource`);
    for (const action of actions) {
      if (action.includes('*')) problems.push(`${where} has the wildcard action ${action}`);
      const allowed = allowedResources(template, role, action);
      if (!allowed) problems.push(`${where} grants ${action}, which no rule allows`);
      // S3 actions may each be granted on fewer of the places they are allowed on (the trail's logs, the results).
      else if (
        action.startsWith('s3:')
          ? !resources.every((r) => allowed.some((a) => same([r], [a])))
          : !same(resources, allowed)
      ) {
        problems.push(`${where} grants ${action} on ${JSON.stringify(resources)}, not ${JSON.stringify(allowed)}`);
      }
    }
  }
  return problems;
}

let template: CloudFormationTemplate;

beforeAll(async () => {
  // The stack of one account: organisation mode's own grants are checked in organization-templates.test.ts.
  const full = await loadTemplate();
  template = {
    ...full,
    Resources: Object.fromEntries(
      Object.entries(full.Resources).filter(
        ([, resource]) => !['IsOrganization', 'NeedsOrganizationTopicKey'].includes(resource.Condition ?? ''),
      ),
    ),
  };
});

describe('the IAM policies of the template', () => {
  it('follow every least-privilege rule', () => {
    expect(privilegeViolations(template)).toEqual([]);
  });

  it('give each role only the actions its job needs', () => {
    const granted = Object.fromEntries(
      roles(template).map(([role]) => [
        role,
        grants(template)
          .filter((grant) => grant.role === role)
          .flatMap((grant) => grant.actions)
          .sort(),
      ]),
    );

    expect(granted).toEqual(
      Object.fromEntries(Object.entries(ROLE_ACTIONS).map(([role, actions]) => [role, [...actions].sort()])),
    );
  });

  it('let the investigation only read, whatever the inventory needs', () => {
    const investigating = grants(template).filter((grant) => grant.role === 'InvestigateRole');
    const changing = investigating
      .flatMap((grant) => grant.actions)
      .filter(
        (action) =>
          !/^[a-z0-9]+:(Get|List|Describe|Lookup)/.test(action) &&
          !action.startsWith('logs:') &&
          // Athena runs queries and writes their results to the stack's own results prefix only.
          !/^athena:(Start|Stop)QueryExecution$/.test(action) &&
          !/^s3:(PutObject|AbortMultipartUpload)$/.test(action) &&
          // Decrypting the trail's log files reads them; it changes nothing.
          action !== 'kms:Decrypt',
      );

    expect(changing).toEqual([]);
  });

  it('pass the scheduler role to Scheduler only', () => {
    const passing = grants(template).filter((grant) => grant.actions.includes('iam:PassRole'));

    expect(passing).toHaveLength(1);
    expect((passing[0]?.statement as { Condition?: unknown } | undefined)?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  });

  it('attach every policy resource to exactly one role of the template', () => {
    for (const resource of Object.values(template.Resources).filter((each) => each.Type === 'AWS::IAM::Policy'))
      expect(resource.Properties?.Roles).toEqual([{ Ref: expect.stringMatching(/Role$/) }]);
  });

  it('use Resource "*" only for actions that accept nothing else', () => {
    const starred = grants(template).filter((grant) => grant.resources.includes('*'));

    expect([...new Set(starred.flatMap((grant) => grant.actions))].sort()).toEqual([...RESOURCE_STAR_ACTIONS].sort());
  });

  it('let each role be assumed only by its service, within this account for the non-Lambda ones', () => {
    for (const [role, resource] of roles(template)) {
      const trust = resource.Properties?.AssumeRolePolicyDocument as { Statement: Record<string, any>[] };
      expect(trust.Statement, role).toHaveLength(1);
      expect(trust.Statement[0], role).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: ROLE_SERVICES[role] },
        Action: 'sts:AssumeRole',
      });
      // Lambda and the chat service are not documented to set aws:SourceAccount when they assume a role.
      if (!['lambda.amazonaws.com', 'chatbot.amazonaws.com'].includes(ROLE_SERVICES[role] as string)) {
        expect(trust.Statement[0]?.Condition, role).toEqual({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        });
      }
    }
  });
});

describe('the narrowed grants', () => {
  function grantOf(role: string, action: string): Grant {
    const grant = grants(template).find((each) => each.role === role && each.actions.includes(action));
    if (!grant) throw new Error(`${role} has no ${action}`);
    return grant;
  }

  it('let the containment role tag users only with exposed-keys tags', () => {
    const tagging = grantOf('ContainRole', 'iam:TagUser');

    expect(tagging.actions).toEqual(['iam:TagUser']);
    expect(tagging.statement).toMatchObject({
      Condition: {
        Null: { 'aws:TagKeys': 'false' },
        'ForAllValues:StringLike': { 'aws:TagKeys': 'exposed-keys/contained/*' },
      },
    });
  });

  it('grant PutUserPolicy alone, and only when the stack revokes sessions', () => {
    const revoking = grantOf('ContainRole', 'iam:PutUserPolicy');

    expect(revoking.actions).toEqual(['iam:PutUserPolicy']);
    expect(revoking.when).toBe('RevokesSessions');
    expect(template.Conditions?.RevokesSessions).toEqual({ 'Fn::Equals': [{ Ref: 'RevokeSessions' }, 'true'] });
  });

  it('let the notification function use the customer-managed key only through SNS, and only when there is one', () => {
    const encrypting = grantOf('NotifyRole', 'kms:GenerateDataKey');

    expect(encrypting.when).toBe('UsesCustomerKey');
    expect(encrypting.statement).toMatchObject({
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': `sns.\${AWS::Region}.amazonaws.com` } } },
    });
  });

  it('let the investigation decrypt with the trail’s key only through S3, and only with an Athena table', () => {
    const decrypting = grantOf('InvestigateRole', 'kms:Decrypt');

    expect(decrypting.actions).toEqual(['kms:Decrypt']);
    expect(decrypting.when).toBe('ReadsEncryptedTrail');
    expect(decrypting.statement).toMatchObject({
      Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
    });
  });

  it('grant every other action whatever the parameters', () => {
    const byCondition: Record<string, string[]> = {};
    for (const grant of grants(template).filter((candidate) => candidate.when !== undefined)) {
      const condition = grant.when as string;
      byCondition[condition] = [...(byCondition[condition] ?? []), ...grant.actions].sort();
    }

    expect(byCondition).toEqual({
      RevokesSessions: ['iam:PutUserPolicy'],
      UsesSchedules: ['iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
      // The notification function's, the state machine's for its last-resort alert, and the dead-letter alerts'.
      UsesCustomerKey: [
        'kms:Decrypt',
        'kms:Decrypt',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKey',
        'kms:GenerateDataKey',
      ],
      HasAthena: [
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'glue:GetDatabase',
        'glue:GetTable',
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucket',
        's3:PutObject',
        'sts:GetAccessKeyInfo',
      ],
      ReadsEncryptedTrail: ['kms:Decrypt'],
    });
  });
});

describe('the least-privilege check', () => {
  function broken(change: (copy: CloudFormationTemplate) => void): CloudFormationTemplate {
    const copy = structuredClone(template);
    change(copy);
    return copy;
  }

  function statementOf(copy: CloudFormationTemplate, role: string, sid: string): Statement {
    const policies = copy.Resources[role]?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    const statement = policies[0]?.PolicyDocument.Statement.find((candidate) => candidate.Sid === sid);
    if (!statement) throw new Error(`no ${role}/${sid}`);
    return statement;
  }

  it('catches a wildcard action', () => {
    const copy = broken((t) => {
      statementOf(t, 'NotifyRole', 'PublishToTheTopic').Action = 'sns:*';
    });

    expect(privilegeViolations(copy)).toContain('NotifyRole/PublishToTheTopic has the wildcard action sns:*');
  });

  it('catches IAM actions on every user of every account', () => {
    const copy = broken((t) => {
      statementOf(t, 'ContainRole', 'ContainKeysOfIamUsers').Resource = '*';
    });

    expect(privilegeViolations(copy)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ContainRole\/ContainKeysOfIamUsers grants iam:DeleteAccessKey on/),
      ]),
    );
  });

  it('catches a state machine that may invoke functions outside the stack', () => {
    const copy = broken((t) => {
      const statement = statementOf(t, 'StateMachineRole', 'InvokeTheThreeFunctions');
      statement.Resource = [...list(statement.Resource), { 'Fn::Sub': 'arn:aws:lambda:*:*:function:*' }];
    });

    expect(privilegeViolations(copy)).toHaveLength(1);
  });

  it('catches schedules created outside the stack’s group', () => {
    const copy = broken((t) => {
      const policies = t.Resources.ContainRole?.Properties?.Policies as { PolicyDocument: { Statement: unknown[] } }[];
      const statement = (policies[0]?.PolicyDocument.Statement ?? [])
        .map((entry) => ((entry as ConditionalStatement)['Fn::If']?.[1] ?? entry) as Statement)
        .find((candidate) => candidate.Sid === 'ScheduleFollowUps');
      if (!statement) throw new Error('no ContainRole/ScheduleFollowUps');
      statement.Resource = { 'Fn::Sub': `arn:\${AWS::Partition}:scheduler:*:*:schedule/*/*` };
    });

    // One for each action of the statement: CreateSchedule, UpdateSchedule, GetSchedule.
    expect(privilegeViolations(copy)).toHaveLength(3);
  });

  it('catches a log write to another function’s log group', () => {
    const copy = broken((t) => {
      statementOf(t, 'NotifyRole', 'WriteOwnLogs').Resource = { 'Fn::GetAtt': ['ContainLogGroup', 'Arn'] };
    });

    expect(privilegeViolations(copy)).toHaveLength(2);
  });
});
