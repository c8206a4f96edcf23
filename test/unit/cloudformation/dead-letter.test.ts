import { beforeAll, describe, expect, it } from 'vitest';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { QUEUE_VISIBILITY_SECONDS } from '../../../src/steps/undelivered.js';

let template: CloudFormationTemplate;
beforeAll(async () => {
  template = await loadTemplate();
});

const QUEUE_ARN = { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] };

/** A function's environment variables. */
function variables(logicalId: string): Record<string, unknown> {
  const environment = template.Resources[logicalId]?.Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

/** The rules that start the state machine: what they cannot deliver goes to the queue. */
function rules(): [string, Record<string, any>][] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .filter(([, resource]) =>
      ((resource.Properties?.Targets ?? []) as { Arn?: { Ref?: string } }[]).some(
        (target) => target.Arn?.Ref === 'StateMachine',
      ),
    )
    .map(([id, resource]) => [id, resource]);
}

/** The rule that sends the queue the state machine's executions that ended without success, to be alerted. */
const ENDED = 'ResponseEndedRule';

function queuePolicy(): any[] {
  const policy = template.Resources.UndeliveredQueuePolicy?.Properties?.PolicyDocument as { Statement: any[] };
  return policy.Statement;
}

/** The rule ARNs the queue policy's Allow statements admit, by the template condition they are under. */
function admittedRules(): Record<string, string[]> {
  const admitted: Record<string, string[]> = {};
  for (const entry of queuePolicy()) {
    const conditional = entry['Fn::If'] as [string, any, unknown] | undefined;
    const statement = conditional ? conditional[1] : entry;
    if (statement.Effect !== 'Allow') continue;
    expect(statement).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: QUEUE_ARN,
    });
    const arns = statement.Condition.ArnEquals['aws:SourceArn'] as { 'Fn::GetAtt': [string, string] }[];
    admitted[conditional?.[0] ?? 'always'] = arns.map((arn) => arn['Fn::GetAtt'][0]).sort();
  }
  return admitted;
}

describe('what EventBridge and Scheduler cannot deliver', () => {
  it('goes from every rule to the dead-letter queue after at most 15 minutes of retries', () => {
    expect(rules().length).toBeGreaterThanOrEqual(6);
    for (const [id, rule] of rules())
      for (const target of rule.Properties.Targets) {
        expect(target.DeadLetterConfig, id).toEqual({ Arn: QUEUE_ARN });
        expect(target.RetryPolicy.MaximumEventAgeInSeconds, id).toBeLessThanOrEqual(900);
      }
  });

  it('is admitted to the queue from the stack’s own rules only, the hub’s only in organisation mode', () => {
    const byCondition: Record<string, string[]> = {};
    for (const [id, rule] of [...rules(), [ENDED, template.Resources[ENDED] as Record<string, any>] as const]) {
      const condition = (rule.Condition as string | undefined) ?? 'always';
      byCondition[condition] = [...(byCondition[condition] ?? []), id].sort();
    }

    expect(admittedRules()).toEqual(byCondition);
    expect(byCondition.IsOrganization).toHaveLength(3);
  });

  it('may be sent by nothing else, and received by the function alone: it gives what it reads to the state machine', () => {
    const denials = Object.fromEntries(
      queuePolicy()
        .filter((statement) => statement.Effect === 'Deny')
        .map((statement) => [statement.Sid, statement]),
    );
    expect(Object.keys(denials).sort()).toEqual(['NothingElseSends', 'OnlyTheFunctionReceives']);
    const sends = denials.NothingElseSends;
    expect(sends).toMatchObject({ Principal: '*', Action: 'sqs:SendMessage', Resource: QUEUE_ARN });
    expect(Object.keys(sends.Condition)).toEqual(['ArnNotEquals']);
    // Denied unless sent for one of the stack's rules (the hub's in organisation mode), or by the schedules' role.
    const sourceArns = sends.Condition.ArnNotEquals['aws:SourceArn'];
    const unconditional = sourceArns.filter((arn: any) => !arn['Fn::If']).map((arn: any) => arn['Fn::GetAtt'][0]);
    const hub = sourceArns.filter((arn: any) => arn['Fn::If']);
    expect(unconditional.sort()).toEqual(['HealthRiskRule', 'QuarantineRule', ENDED, 'TrustedAdvisorRule']);
    expect(hub).toEqual(
      ['HubTrustedAdvisorRule', 'HubHealthRiskRule', 'HubQuarantineRule'].map((rule) => ({
        'Fn::If': ['IsOrganization', { 'Fn::GetAtt': [rule, 'Arn'] }, { Ref: 'AWS::NoValue' }],
      })),
    );
    // Whatever the mode: a follow-up scheduled before an update to a mode that schedules nothing still runs.
    expect(sends.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
    expect(denials.OnlyTheFunctionReceives).toEqual({
      Sid: 'OnlyTheFunctionReceives',
      Effect: 'Deny',
      Principal: '*',
      Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
      Resource: QUEUE_ARN,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['UndeliveredRole', 'Arn'] } } },
    });
    expect(rules()).toHaveLength(unconditional.length - 1 + hub.length);
  });

  it('from a schedule, is sent by the schedules’ role, which the containment function is told of', () => {
    const policy = template.Resources.SchedulerStartExecution?.Properties?.PolicyDocument as { Statement: any[] };
    const statements = policy.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }),
    );
    expect(variables('ContainFunction').UNDELIVERED_QUEUE_ARN).toEqual({
      'Fn::If': ['UsesSchedules', QUEUE_ARN, ''],
    });
  });

  it('is read one message at a time by the function, which may start the state machine and leaves on the queue what it could not alert', () => {
    expect(template.Resources.UndeliveredEventSource?.Properties).toEqual({
      EventSourceArn: QUEUE_ARN,
      FunctionName: { Ref: 'UndeliveredFunction' },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const queue = template.Resources.UndeliveredQueue?.Properties ?? {};
    const timeout = Number(template.Resources.UndeliveredFunction?.Properties?.Timeout);
    // Lambda's advice: a visibility of six times the function's timeout, so a message is not received twice at once.
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.MessageRetentionPeriod).toBe(1_209_600);
    expect(variables('UndeliveredFunction')).toMatchObject({
      TOPIC_ARN: { Ref: 'NotificationTopic' },
      CHAT_TOPIC_ARN: { Ref: 'ChatTopic' },
      STATE_MACHINE_ARN: { Ref: 'StateMachine' },
      QUEUE_URL: { Ref: 'UndeliveredQueue' },
      QUEUE_ARN: QUEUE_ARN,
    });
    // The function takes back a message's receipt handle for as long as the queue hides it.
    expect(queue.VisibilityTimeout).toBe(QUEUE_VISIBILITY_SECONDS);
  });
});
