import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudFormationResource,
  type CloudFormationTemplate,
  loadTemplate,
} from '../../../src/deploy/template.js';
import { HEALTH_DETAIL_TYPE, HEALTH_RISK_CODES, HEALTH_SOURCE } from '../../../src/incident/health.js';
import {
  EXPOSED_KEYS_CHECK_NAME,
  TRUSTED_ADVISOR_DETAIL_TYPE,
  TRUSTED_ADVISOR_SOURCE,
} from '../../../src/incident/trusted-advisor.js';
import {
  readContainConfig,
  readInvestigateConfig,
  readNotifyConfig,
  readUndeliveredConfig,
} from '../../../src/settings/function-settings.js';
import { type EventFixture, loadEvent } from '../../support/fixtures.js';

/** The retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** The state machine's states that run a function. */
const LAMBDA_TASK_STATES = [
  'ClaimIncident',
  'DeleteAccessKeyPair',
  'LookupCloudTrailEvents',
  'NotifySecurity',
  'DeleteAsScheduled',
  'VerifyContainment',
];

const FUNCTIONS = {
  ContainFunction: { handler: 'contain.handler', timeout: 60, memory: 256, logGroup: 'ContainLogGroup' },
  InvestigateFunction: { handler: 'investigate.handler', timeout: 900, memory: 1024, logGroup: 'InvestigateLogGroup' },
  NotifyFunction: { handler: 'notify.handler', timeout: 60, memory: 256, logGroup: 'NotifyLogGroup' },
  UndeliveredFunction: { handler: 'undelivered.handler', timeout: 60, memory: 256, logGroup: 'UndeliveredLogGroup' },
};

/** The customer-managed key: the stack's own with KmsKey "create", else the key given. */
const CUSTOMER_KEY = { 'Fn::If': ['CreatesKmsKey', { 'Fn::GetAtt': ['EncryptionKey', 'Arn'] }, { Ref: 'KmsKey' }] };

let template: CloudFormationTemplate;

beforeAll(async () => {
  template = await loadTemplate();
});

function resource(logicalId: string): CloudFormationResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`The template has no ${logicalId}.`);
  return found;
}

function properties(logicalId: string): Record<string, any> {
  return resource(logicalId).Properties ?? {};
}

/** A function's environment as deployed with the parameters' defaults. */
function environmentWithDefaults(logicalId: string): Record<string, string> {
  const variables = properties(logicalId).Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      // With the defaults the stack schedules (a verification 30 minutes after containment); every
      // other condition is false (no e-mail, no trail bucket).
      const branches = (value as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
      const chosen = branches ? (branches[0] === 'UsesSchedules' ? branches[1] : branches[2]) : value;
      const getAtt = (chosen as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      if (getAtt?.[0] === 'SchedulerRole') return [name, 'arn:aws:iam::123456789012:role/exposed-keys-SchedulerRole'];
      if (getAtt?.[0] === 'UndeliveredQueue')
        return [name, 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1ABC'];
      const ref = (chosen as { Ref?: string }).Ref;
      if (ref === 'AWS::StackName') return [name, 'exposed-keys'];
      if (ref === undefined) return [name, String(chosen)];
      if (ref === 'NotificationTopic') return [name, 'arn:aws:sns:us-east-1:123456789012:exposed-keys-topic'];
      if (ref === 'ChatTopic') return [name, 'arn:aws:sns:us-east-1:123456789012:exposed-keys-chat'];
      if (ref === 'IncidentTable') return [name, 'exposed-keys-IncidentTable-1ABC'];
      if (ref === 'StateMachine') return [name, 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys-1ABC'];
      if (ref === 'UndeliveredQueue')
        return [name, 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1ABC'];
      return [name, String(template.Parameters?.[ref]?.Default)];
    }),
  );
}

/** EventBridge matching for the pattern forms the template uses: lists of exact values, nested objects. */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) return (Array.isArray(actual) ? actual : [actual]).some((v) => expected.includes(v));
    return (
      typeof actual === 'object' &&
      actual !== null &&
      matches(expected as Record<string, unknown>, actual as Record<string, unknown>)
    );
  });
}

describe('the template parameters', () => {
  it('have the names, types and defaults the deploy command passes', () => {
    expect(template.Parameters).toMatchObject({
      ArtifactBucket: { Type: 'String' },
      ArtifactKey: { Type: 'String' },
      ArtifactVersion: { Type: 'String', Default: '' },
      NotificationEmail: { Type: 'String', Default: '' },
      ContainmentMode: {
        Type: 'String',
        Default: 'delete',
        AllowedValues: ['delete', 'deactivate', 'deactivate-then-delete', 'notify-only'],
      },
      DeleteAfterDays: { Type: 'Number', Default: 7, MinValue: 1, MaxValue: 365 },
      VerifyAfterMinutes: { Type: 'Number', Default: 30, MinValue: 0, MaxValue: 10080 },
      LookbackHours: { Type: 'Number', Default: 24, MinValue: 1, MaxValue: 2160 },
      InvestigateRegions: { Type: 'String', Default: '' },
      RevokeSessions: { Type: 'String', Default: 'true', AllowedValues: ['true', 'false'] },
      LogRetentionDays: { Type: 'Number', Default: 30, AllowedValues: LOG_RETENTION_DAYS },
      KmsKey: { Type: 'String', Default: '' },
      CodeSigningProfileArn: { Type: 'String', Default: '' },
      OrganizationId: { Type: 'String', Default: '' },
      ResponderRoleName: { Type: 'String', Default: 'exposed-keys-responder' },
    });
    expect(Object.keys(template.Parameters ?? {}).sort()).toEqual(
      [
        'ArtifactBucket',
        'ArtifactKey',
        'ArtifactVersion',
        'CodeSigningProfileArn',
        'ContainmentMode',
        'DeleteAfterDays',
        'VerifyAfterMinutes',
        'InvestigateRegions',
        'KmsKey',
        'LogRetentionDays',
        'LookbackHours',
        'NotificationEmail',
        'OrganizationId',
        'ResponderRoleName',
        'RevokeSessions',
        'TrailBucket',
        'TrailOrganizationId',
        'TrailKmsKeyArn',
        'SecurityHubFindings',
        'SlackChannelId',
        'SlackWorkspaceId',
        'TeamsChannelId',
        'TeamsTeamId',
        'TeamsTenantId',
        'WebhookSecretArn',
      ].sort(),
    );
  });

  it('accept an empty e-mail or an address, and nothing else', () => {
    const pattern = new RegExp(String(template.Parameters?.NotificationEmail?.AllowedPattern));

    expect(pattern.test('')).toBe(true);
    expect(pattern.test('security@example.com')).toBe(true);
    expect(pattern.test('not an address')).toBe(false);
  });

  it('accept an empty region list or region names separated by commas', () => {
    const pattern = new RegExp(String(template.Parameters?.InvestigateRegions?.AllowedPattern));

    expect(pattern.test('')).toBe(true);
    expect(pattern.test('us-east-1,eu-west-1, ap-southeast-2')).toBe(true);
    expect(pattern.test('us-east-1;eu-west-1')).toBe(false);
    expect(pattern.test('everywhere')).toBe(false);
  });
});

describe('the template rules', () => {
  it('refuse a region other than us-east-1, and say why', () => {
    const { OnlyInUsEast1: rule } = template.Rules as Record<string, { Assertions: Record<string, unknown>[] }>;
    const assertions = rule?.Assertions ?? [];

    expect(assertions).toHaveLength(1);
    expect(assertions[0]?.Assert).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    expect(assertions[0]?.AssertDescription).toMatch(/Trusted Advisor and AWS Health .*only .*us-east-1/s);
  });
});

describe('the template resources', () => {
  it('have the logical IDs and types other code looks up', () => {
    const types = Object.fromEntries(Object.entries(template.Resources).map(([id, { Type }]) => [id, Type]));

    expect(types).toEqual({
      EncryptionKey: 'AWS::KMS::Key',
      EncryptionKeyAlias: 'AWS::KMS::Alias',
      CodeSigningConfig: 'AWS::Lambda::CodeSigningConfig',
      NotificationTopic: 'AWS::SNS::Topic',
      EmailSubscription: 'AWS::SNS::Subscription',
      ContainFunction: 'AWS::Lambda::Function',
      InvestigateFunction: 'AWS::Lambda::Function',
      NotifyFunction: 'AWS::Lambda::Function',
      ContainLogGroup: 'AWS::Logs::LogGroup',
      InvestigateLogGroup: 'AWS::Logs::LogGroup',
      NotifyLogGroup: 'AWS::Logs::LogGroup',
      StateMachineLogGroup: 'AWS::Logs::LogGroup',
      ContainRole: 'AWS::IAM::Role',
      InvestigateRole: 'AWS::IAM::Role',
      NotifyRole: 'AWS::IAM::Role',
      StateMachineRole: 'AWS::IAM::Role',
      EventsRole: 'AWS::IAM::Role',
      StateMachine: 'AWS::StepFunctions::StateMachine',
      ScheduleGroup: 'AWS::Scheduler::ScheduleGroup',
      SchedulerRole: 'AWS::IAM::Role',
      SchedulerStartExecution: 'AWS::IAM::Policy',
      TrustedAdvisorRule: 'AWS::Events::Rule',
      HealthRiskRule: 'AWS::Events::Rule',
      AthenaDatabase: 'AWS::Glue::Database',
      CloudTrailTable: 'AWS::Glue::Table',
      AthenaWorkGroup: 'AWS::Athena::WorkGroup',
      QuarantineRule: 'AWS::Events::Rule',
      ResponseEndedRule: 'AWS::Events::Rule',
      IncidentTable: 'AWS::DynamoDB::Table',
      ChatTopic: 'AWS::SNS::Topic',
      ChatTopicPolicy: 'AWS::SNS::TopicPolicy',
      ChatChannelRole: 'AWS::IAM::Role',
      SlackChannel: 'AWS::Chatbot::SlackChannelConfiguration',
      TeamsChannel: 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration',
      NotifyFindingsPolicy: 'AWS::IAM::Policy',
      NotifyWebhookPolicy: 'AWS::IAM::Policy',
      // Organisation mode only (test/unit/cloudformation/organization-templates.test.ts).
      HubEventBus: 'AWS::Events::EventBus',
      HubTrustedAdvisorRule: 'AWS::Events::Rule',
      HubHealthRiskRule: 'AWS::Events::Rule',
      HubQuarantineRule: 'AWS::Events::Rule',
      OrganizationResponderAccess: 'AWS::IAM::Policy',
      OrganizationTopicKey: 'AWS::KMS::Key',
      OrganizationTopicKeyUse: 'AWS::IAM::Policy',
      // What EventBridge and Scheduler could not deliver, and the function that alerts on it.
      UndeliveredQueue: 'AWS::SQS::Queue',
      UndeliveredQueuePolicy: 'AWS::SQS::QueuePolicy',
      UndeliveredLogGroup: 'AWS::Logs::LogGroup',
      UndeliveredRole: 'AWS::IAM::Role',
      UndeliveredFunction: 'AWS::Lambda::Function',
      UndeliveredEventSource: 'AWS::Lambda::EventSourceMapping',
    });
  });

  it('keep the schedule group and its role whatever the mode, so that an update to a mode that schedules nothing leaves the follow-ups waiting there', () => {
    const scheduling = ['ScheduleGroup', 'SchedulerRole', 'SchedulerStartExecution'];

    for (const logicalId of scheduling) expect(resource(logicalId).Condition, logicalId).toBeUndefined();
    expect(
      Object.entries(template.Resources)
        .filter(([, { Condition }]) => Condition === 'UsesSchedules')
        .map(([logicalId]) => logicalId),
    ).toEqual([]);
  });

  it('encrypt the topic, and subscribe the e-mail only when one is given', () => {
    // The customer's key when given or created; in organisation mode, else, the hub's own; else the AWS-managed key.
    expect(properties('NotificationTopic').KmsMasterKeyId).toEqual({
      'Fn::If': [
        'UsesCustomerKey',
        CUSTOMER_KEY,
        { 'Fn::If': ['IsOrganization', { Ref: 'OrganizationTopicKey' }, 'alias/aws/sns'] },
      ],
    });
    expect(resource('EmailSubscription')).toMatchObject({
      Condition: 'HasEmail',
      Properties: { Protocol: 'email', Endpoint: { Ref: 'NotificationEmail' }, TopicArn: { Ref: 'NotificationTopic' } },
    });
    expect(template.Conditions?.HasEmail).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'NotificationEmail' }, ''] }],
    });
  });

  it('encrypt every log group with the customer-managed key when there is one, by default otherwise', () => {
    const groups = Object.entries(template.Resources).filter(([, { Type }]) => Type === 'AWS::Logs::LogGroup');

    for (const [logicalId, group] of groups)
      expect(group.Properties?.KmsKeyId, logicalId).toEqual({
        'Fn::If': ['UsesCustomerKey', CUSTOMER_KEY, { Ref: 'AWS::NoValue' }],
      });
    expect(template.Conditions).toMatchObject({
      UsesCustomerKey: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'KmsKey' }, ''] }] },
      CreatesKmsKey: { 'Fn::Equals': [{ Ref: 'KmsKey' }, 'create'] },
    });
  });

  it('create a rotated key, for "create" only, that CloudWatch Logs may use for the stack\'s log groups alone', () => {
    const key = resource('EncryptionKey');
    const statements = (properties('EncryptionKey').KeyPolicy as { Statement: Record<string, any>[] }).Statement;
    const logs = statements.find((statement) => statement.Sid === 'EncryptTheStackLogGroups');

    expect(key).toMatchObject({ Condition: 'CreatesKmsKey', Properties: { EnableKeyRotation: true } });
    expect(resource('EncryptionKeyAlias').Condition).toBe('CreatesKmsKey');
    expect(statements.map((statement) => statement.Sid)).toEqual([
      'AdministeredThroughIamOfThisAccount',
      'EncryptTheStackLogGroups',
    ]);
    expect(logs?.Principal).toEqual({ Service: { 'Fn::Sub': `logs.\${AWS::Region}.amazonaws.com` } });
    expect(logs?.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toEqual([
      {
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-*`,
      },
      {
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/vendedlogs/states/\${AWS::StackName}`,
      },
    ]);
  });

  it('require code signed by the profile given on all three functions, and no signing without one', () => {
    expect(resource('CodeSigningConfig')).toMatchObject({
      Condition: 'SignsCode',
      Properties: {
        AllowedPublishers: { SigningProfileVersionArns: [{ Ref: 'CodeSigningProfileArn' }] },
        CodeSigningPolicies: { UntrustedArtifactOnDeployment: 'Enforce' },
      },
    });
    for (const logicalId of Object.keys(FUNCTIONS))
      expect(properties(logicalId).CodeSigningConfigArn, logicalId).toEqual({
        'Fn::If': [
          'SignsCode',
          { 'Fn::GetAtt': ['CodeSigningConfig', 'CodeSigningConfigArn'] },
          { Ref: 'AWS::NoValue' },
        ],
      });
    expect(template.Conditions?.SignsCode).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CodeSigningProfileArn' }, ''] }],
    });
    expect(template.Parameters?.CodeSigningProfileArn?.Default).toBe('');
  });

  it('give every log group the retention parameter and remove it with the stack', () => {
    const groups = Object.entries(template.Resources).filter(([, { Type }]) => Type === 'AWS::Logs::LogGroup');

    expect(groups).toHaveLength(5);
    for (const [, group] of groups) {
      expect(group).toMatchObject({
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: { RetentionInDays: { Ref: 'LogRetentionDays' } },
      });
    }
  });

  it('run each function on a current Node.js runtime, arm64, from the artifact, logging to its own group', () => {
    for (const [logicalId, expected] of Object.entries(FUNCTIONS)) {
      const fn = properties(logicalId);
      expect(fn.Runtime, logicalId).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(fn).toMatchObject({
        Architectures: ['arm64'],
        Handler: expected.handler,
        Timeout: expected.timeout,
        MemorySize: expected.memory,
        Code: {
          S3Bucket: { Ref: 'ArtifactBucket' },
          S3Key: { Ref: 'ArtifactKey' },
          // The version the deploy verified, when the bucket keeps versions.
          S3ObjectVersion: { 'Fn::If': ['HasArtifactVersion', { Ref: 'ArtifactVersion' }, { Ref: 'AWS::NoValue' }] },
        },
        LoggingConfig: { LogGroup: { Ref: expected.logGroup } },
      });
      expect(fn.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'exposed-keys' });
      // The artifact ships no source maps; the flag would only slow the cold start.
      expect(fn.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('give each function the settings its handler reads, from the parameters', () => {
    expect(properties('ContainFunction').Environment.Variables).toMatchObject({
      CONTAINMENT_MODE: { Ref: 'ContainmentMode' },
      REVOKE_SESSIONS: { Ref: 'RevokeSessions' },
      DELETE_AFTER_DAYS: { Ref: 'DeleteAfterDays' },
      VERIFY_AFTER_MINUTES: { Ref: 'VerifyAfterMinutes' },
      SCHEDULE_GROUP: { 'Fn::If': ['UsesSchedules', { Ref: 'AWS::StackName' }, ''] },
      SCHEDULER_ROLE_ARN: { 'Fn::If': ['UsesSchedules', { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] }, ''] },
    });
    expect(properties('InvestigateFunction').Environment.Variables).toMatchObject({
      LOOKBACK_HOURS: { Ref: 'LookbackHours' },
      INVESTIGATE_REGIONS: { Ref: 'InvestigateRegions' },
    });
    expect(properties('NotifyFunction').Environment.Variables).toMatchObject({
      TOPIC_ARN: { Ref: 'NotificationTopic' },
    });
  });

  it('deploy with defaults that the handlers accept at cold start', () => {
    expect(readContainConfig(environmentWithDefaults('ContainFunction'))).toEqual({
      mode: 'delete',
      revokeSessions: true,
      incidentTable: 'exposed-keys-IncidentTable-1ABC',
      deleteAfterDays: 7,
      verifyAfterMinutes: 30,
      schedule: {
        groupName: 'exposed-keys',
        roleArn: 'arn:aws:iam::123456789012:role/exposed-keys-SchedulerRole',
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1ABC',
      },
    });
    expect(readInvestigateConfig(environmentWithDefaults('InvestigateFunction'))).toEqual({
      lookbackHours: 24,
      regions: [],
    });
    expect(readNotifyConfig(environmentWithDefaults('NotifyFunction')).topicArn).toMatch(/^arn:aws:sns:/);
    expect(readUndeliveredConfig(environmentWithDefaults('UndeliveredFunction')).topicArn).toMatch(/^arn:aws:sns:/);
  });

  it('log every state machine execution to its log group', () => {
    expect(properties('StateMachine')).toMatchObject({
      StateMachineType: 'STANDARD',
      RoleArn: { 'Fn::GetAtt': ['StateMachineRole', 'Arn'] },
      LoggingConfiguration: {
        Level: 'ALL',
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['StateMachineLogGroup', 'Arn'] } } }],
      },
      DefinitionSubstitutions: {
        ContainFunctionArn: { 'Fn::GetAtt': ['ContainFunction', 'Arn'] },
        InvestigateFunctionArn: { 'Fn::GetAtt': ['InvestigateFunction', 'Arn'] },
        NotifyFunctionArn: { 'Fn::GetAtt': ['NotifyFunction', 'Arn'] },
      },
    });
  });
});

describe('the state machine definition', () => {
  function states(): Record<string, Record<string, any>> {
    return properties('StateMachine').Definition.States;
  }

  it('keeps the original state names and runs the three tasks in order', () => {
    const definition = properties('StateMachine').Definition;

    expect(definition.StartAt).toBe('ReceiveEvent');
    expect(states()).toMatchObject({
      ReceiveEvent: {
        Type: 'Pass',
        Parameters: {
          'event.$': '$',
          execution: { 'stateMachineArn.$': '$$.StateMachine.Id', 'startedAt.$': '$$.Execution.StartTime' },
        },
        Next: 'RouteEvent',
      },
      RouteEvent: {
        Type: 'Choice',
        Choices: [{ Variable: '$.event.detail.followUp', IsPresent: true, Next: 'RouteFollowUp' }],
        Default: 'ClaimIncident',
      },
      ClaimIncident: { Type: 'Task', Resource: `\${ContainFunctionArn}`, Next: 'FirstReportOfKey' },
      FirstReportOfKey: { Type: 'Choice', Default: 'DeleteAccessKeyPair' },
      DeleteAccessKeyPair: { Type: 'Task', Resource: `\${ContainFunctionArn}`, Next: 'LookupCloudTrailEvents' },
      LookupCloudTrailEvents: { Type: 'Task', Resource: `\${InvestigateFunctionArn}`, Next: 'NotifySecurity' },
      NotifySecurity: { Type: 'Task', Resource: `\${NotifyFunctionArn}`, Next: 'KeyContained' },
      KeyContained: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.notification.failExecution', BooleanEquals: true },
              { Variable: '$.notification.keyContained', BooleanEquals: false },
            ],
            Next: 'KeyNotContained',
          },
          { Variable: '$.notification.failExecution', BooleanEquals: true, Next: 'HumanMustAct' },
        ],
        Default: 'Done',
      },
      KeyNotContained: { Type: 'Fail', Error: 'KeyNotContained' },
      HumanMustAct: { Type: 'Fail', Error: 'HumanMustAct' },
      Done: { Type: 'Succeed' },
    });
    expect(states().KeyNotContained?.Cause).toMatch(/not contained.*what a human must do/s);
    // A human must act also when nothing failed but the attacker left a way in (the inventory).
    expect(states().HumanMustAct?.Cause).toMatch(/part of the response failed.*or the attacker left a way in/s);
  });

  it('retries transient Lambda errors in every task', () => {
    for (const name of LAMBDA_TASK_STATES) {
      const retriers = states()[name]?.Retry as { ErrorEquals: string[] }[];
      expect(
        retriers.flatMap((retrier) => retrier.ErrorEquals),
        name,
      ).toEqual(expect.arrayContaining(TRANSIENT_LAMBDA_ERRORS));
      expect(
        retriers.flatMap((retrier) => retrier.ErrorEquals),
        name,
      ).not.toContain('States.ALL');
    }
    expect(states().NotifySecurity?.Retry[0]).toMatchObject({ IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 4 });
  });

  it('waits out a throttled function for minutes in every task, so that a burst of incidents costs no containment', () => {
    for (const name of LAMBDA_TASK_STATES) {
      const retriers = states()[name]?.Retry as {
        ErrorEquals: string[];
        IntervalSeconds: number;
        BackoffRate: number;
        MaxAttempts: number;
        MaxDelaySeconds?: number;
      }[];
      const throttled = retriers.find((retrier) => retrier.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect(throttled, name).toBeDefined();
      const {
        IntervalSeconds,
        BackoffRate,
        MaxAttempts,
        MaxDelaySeconds = Number.POSITIVE_INFINITY,
      } = throttled ?? {
        IntervalSeconds: 0,
        BackoffRate: 0,
        MaxAttempts: 0,
      };
      let waited = 0;
      for (let attempt = 0; attempt < MaxAttempts; attempt += 1)
        waited += Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds);
      expect(waited, name).toBeGreaterThanOrEqual(180);
    }
  });

  it('records a failure to contain or investigate and goes on; a failure to notify sends a last-resort alert, then ends the execution', () => {
    expect(states().DeleteAccessKeyPair).toMatchObject({
      ResultPath: '$.containment',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.containmentError', Next: 'LookupCloudTrailEvents' }],
    });
    expect(states().LookupCloudTrailEvents).toMatchObject({
      ResultPath: '$.investigation',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.investigationError', Next: 'NotifySecurity' }],
    });
    expect(states().NotifySecurity?.ResultPath).toBe('$.notification');
    expect(states().NotifySecurity?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.notificationError', Next: 'AlertNotificationFailed' },
    ]);
    expect(states().NotifySecurity?.Retry[0].ErrorEquals).toContain('NotificationError');
    // Step Functions publishes it itself, to the e-mail topic, whatever became of the function.
    expect(states().AlertNotificationFailed).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: `\${TopicArn}` },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotificationFailed' }],
      Next: 'NotificationFailed',
    });
    expect(properties('StateMachine').DefinitionSubstitutions.TopicArn).toEqual({ Ref: 'NotificationTopic' });
    // The execution still fails, with the function's own error.
    expect(states().NotificationFailed).toEqual({
      Type: 'Fail',
      ErrorPath: '$.notificationError.Error',
      CausePath: '$.notificationError.Cause',
    });
    const allowed = (properties('StateMachineRole').Policies[0].PolicyDocument.Statement as Record<string, any>[]).find(
      (statement) => statement.Sid === 'PublishTheLastResortAlert',
    );
    expect(allowed).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'NotificationTopic' } });
    expect(properties('OrganizationTopicKeyUse').Roles).toContainEqual({ Ref: 'StateMachineRole' });
  });

  it('stops each task a little after its function would time out', () => {
    expect(states().DeleteAccessKeyPair?.TimeoutSeconds).toBeGreaterThan(FUNCTIONS.ContainFunction.timeout);
    expect(states().LookupCloudTrailEvents?.TimeoutSeconds).toBeGreaterThan(FUNCTIONS.InvestigateFunction.timeout);
    expect(states().NotifySecurity?.TimeoutSeconds).toBeGreaterThan(FUNCTIONS.NotifyFunction.timeout);
  });
});

describe('the event rules', () => {
  function pattern(rule: string): Record<string, unknown> {
    return properties(rule).EventPattern;
  }

  it.each<[string, EventFixture]>([
    ['TrustedAdvisorRule', 'trusted-advisor-exposed'],
    ['TrustedAdvisorRule', 'trusted-advisor-root'],
    ['TrustedAdvisorRule', 'trusted-advisor-suspected'],
    ['HealthRiskRule', 'health-exposed-entities-only'],
    ['HealthRiskRule', 'health-compromised-metadata'],
  ])('%s matches the %s event', (rule, fixture) => {
    expect(matches(pattern(rule), loadEvent(fixture))).toBe(true);
  });

  it('ignore Trusted Advisor items that are not in error and Health events of other services', () => {
    const resolved = loadEvent('trusted-advisor-exposed');
    resolved.detail.status = 'OK';
    const other = loadEvent('health-exposed-entities-only');
    other.detail.service = 'EC2';

    expect(matches(pattern('TrustedAdvisorRule'), resolved)).toBe(false);
    expect(matches(pattern('HealthRiskRule'), other)).toBe(false);
  });

  it('listen for exactly the events the incident parser reads', () => {
    expect(pattern('TrustedAdvisorRule')).toEqual({
      source: [TRUSTED_ADVISOR_SOURCE],
      'detail-type': [TRUSTED_ADVISOR_DETAIL_TYPE],
      detail: { status: ['ERROR', 'WARN'], 'check-name': [EXPOSED_KEYS_CHECK_NAME] },
    });
    expect(pattern('HealthRiskRule')).toEqual({
      source: [HEALTH_SOURCE],
      'detail-type': [HEALTH_DETAIL_TYPE],
      detail: { service: ['RISK'], eventTypeCode: expect.any(Array) },
    });
    const codes = (pattern('HealthRiskRule').detail as { eventTypeCode: string[] }).eventTypeCode;
    expect([...codes].sort()).toEqual(Object.keys(HEALTH_RISK_CODES).sort());
  });

  it('start the state machine through the events role', () => {
    for (const rule of ['TrustedAdvisorRule', 'HealthRiskRule', 'QuarantineRule']) {
      expect(properties(rule).Targets, rule).toEqual([
        expect.objectContaining({ Arn: { Ref: 'StateMachine' }, RoleArn: { 'Fn::GetAtt': ['EventsRole', 'Arn'] } }),
      ]);
    }
  });
});

describe('the template outputs', () => {
  it('name the topic, the state machine and the three functions', () => {
    expect(template.Outputs).toEqual({
      TopicArn: expect.objectContaining({ Value: { Ref: 'NotificationTopic' } }),
      StateMachineArn: expect.objectContaining({ Value: { Ref: 'StateMachine' } }),
      ChatTopicArn: expect.objectContaining({ Value: { Ref: 'ChatTopic' } }),
      IncidentTableName: expect.objectContaining({ Value: { Ref: 'IncidentTable' } }),
      ContainFunctionName: expect.objectContaining({ Value: { Ref: 'ContainFunction' } }),
      InvestigateFunctionName: expect.objectContaining({ Value: { Ref: 'InvestigateFunction' } }),
      NotifyFunctionName: expect.objectContaining({ Value: { Ref: 'NotifyFunction' } }),
      UndeliveredQueueArn: expect.objectContaining({ Value: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } }),
      AthenaTable: expect.objectContaining({ Condition: 'HasAthena' }),
      AthenaWorkGroupName: expect.objectContaining({ Condition: 'HasAthena', Value: { Ref: 'AthenaWorkGroup' } }),
      HubEventBusArn: expect.objectContaining({
        Condition: 'IsOrganization',
        Value: { 'Fn::GetAtt': ['HubEventBus', 'Arn'] },
      }),
    });
  });
});
