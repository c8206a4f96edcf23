import { beforeAll, describe, expect, it } from 'vitest';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';

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

function rules(): [string, Record<string, any>][] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([id, resource]) => [id, resource]);
}

/** The rule ARNs a statement of the queue policy admits, by the template condition it is under. */
function admittedRules(): Record<string, string[]> {
  const policy = template.Resources.UndeliveredQueuePolicy?.Properties?.PolicyDocument as { Statement: any[] };
  const statements = policy.Statement;
  const admitted: Record<string, string[]> = {};
  for (const entry of statements) {
    const conditional = entry['Fn::If'] as [string, any, unknown] | undefined;
    const statement = conditional ? conditional[1] : entry;
    expect(statement).toMatchObject({
      Effect: 'Allow',
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
    for (const [id, rule] of rules()) {
      const condition = (rule.Condition as string | undefined) ?? 'always';
      byCondition[condition] = [...(byCondition[condition] ?? []), id].sort();
    }

    expect(admittedRules()).toEqual(byCondition);
    expect(byCondition.IsOrganization).toHaveLength(3);
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

  it('is read one message at a time by the alerting function, which leaves on the queue what it could not alert', () => {
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
    expect(variables('UndeliveredFunction').TOPIC_ARN).toEqual({
      Ref: 'NotificationTopic',
    });
  });
});
