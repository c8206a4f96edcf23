import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTemplate } from '../../../src/deploy/template.js';
import { REPORTED_FAILURES } from '../../../src/steps/ended-execution.js';
import { alertUndelivered, type DeadLetterRecord } from '../../../src/steps/undelivered.js';
import {
  type DeadLetterQueue,
  EVENT_KEY,
  STATE_MACHINE_ARN,
  trustedAdvisorEvent,
  undeliveredDeps,
} from '../../support/undelivered.js';
import { activeCharacters } from '../../support/well-formed.js';

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:exposed-keys:3f1c0f6e-0a52-4a4b-9a8e-2f5d1c9b7a10';
const QUEUE: DeadLetterQueue = {
  arn: 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue',
  url: 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue',
};
const snsMock = mockClient(SNSClient);
const sfnMock = mockClient(SFNClient);

/** AWS's published Trusted Advisor event, naming EVENT_KEY: what the execution was started with. */
const INPUT = JSON.stringify(trustedAdvisorEvent());

/**
 * A Step Functions status change as EventBridge delivers it (the fields of Step Functions'
 * documented event), as the rule sends it to the queue: the event is the message's body.
 */
function statusChange(status: string, fields: Record<string, unknown> = {}): DeadLetterRecord {
  const event = {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-30T03:04:05Z',
    region: 'us-east-1',
    resources: [EXECUTION],
    detail: {
      executionArn: EXECUTION,
      stateMachineArn: STATE_MACHINE_ARN,
      name: '3f1c0f6e-0a52-4a4b-9a8e-2f5d1c9b7a10',
      status,
      startDate: Date.parse('2026-11-30T03:00:00Z'),
      stopDate: Date.parse('2026-11-30T03:04:05Z'),
      input: INPUT,
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      ...fields,
    },
  };
  return { messageId: 'm-ended', receiptHandle: 'r-1', body: JSON.stringify(event), eventSourceARN: QUEUE.arn };
}

function emails() {
  return snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  snsMock.reset();
  sfnMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('an execution of the state machine that ended without success', () => {
  it('stopped by someone, is alerted with the key its event named and how to contain it, and is not started again', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'ABORTED', input: INPUT, executionArn: EXECUTION });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('ABORTED')]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'alerted' });
    expect(result.batchItemFailures).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const [email] = emails();
    expect(email?.Subject).toBe(`ACTION REQUIRED: the exposed-keys response to ${EVENT_KEY} ended with no report`);
    expect(email?.Message).toContain('was STOPPED before it ended');
    expect(email?.Message).toContain(`exposed-keys respond --key ${EVENT_KEY}`);
    expect(email?.Message).toContain(`aws stepfunctions describe-execution --execution-arn ${EXECUTION}`);
    expect(email?.Message).toContain('StopExecution');
    expect(email?.MessageAttributes?.outcome?.StringValue).toBe('response-ended');
    // Step Functions' event gives its times in epoch milliseconds.
    expect(email?.Message).toContain(
      'Ended:      ABORTED at 2026-11-30T03:04:05.000Z (started 2026-11-30T03:00:00.000Z)',
    );
  });

  it('stopped with an error of the state machine reached after its report is still alerted', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'ABORTED', error: 'HumanMustAct', input: INPUT });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('ABORTED')]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'alerted' });
  });

  it("is judged by what Step Functions says, not by the event's own error", async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', error: 'States.DataLimitExceeded', input: INPUT });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('FAILED', { error: 'HumanMustAct' })]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'alerted' });
    expect(emails()[0]?.Message).toContain('Why:        States.DataLimitExceeded');
  });

  it('redriven since, and running again, is let go: its own end sends its own event', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: INPUT });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [
      statusChange('FAILED', { error: 'States.Runtime' }),
    ]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'not-ended' });
    expect(emails()).toEqual([]);
  });

  it("stopped by simulate's own interruption of its test is let go", async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'ABORTED', error: 'SimulationInterrupted', input: INPUT });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('ABORTED')]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'simulation' });
    expect(emails()).toEqual([]);
  });

  it('whose input the event left out (over 248 KB) names the key from Step Functions', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'TIMED_OUT', input: INPUT });

    await alertUndelivered(undeliveredDeps(QUEUE), [
      statusChange('TIMED_OUT', { input: undefined, inputDetails: { included: false } }),
    ]);

    expect(emails()[0]?.Subject).toBe(
      `ACTION REQUIRED: the exposed-keys response to ${EVENT_KEY} ended with no report`,
    );
  });

  it('failed where no step reports (a state over 256 KB) is alerted, with why from Step Functions', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: 'The state/task returned a result with a size exceeding the maximum number of bytes service limit.',
      input: INPUT,
    });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('FAILED')]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'alerted' });
    expect(emails()[0]?.Message).toContain('Why:        States.DataLimitExceeded: The state/task returned');
  });

  it('failed as it meant to, after its report, needs no other alert', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'HumanMustAct', input: INPUT });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('FAILED')]);

    expect(result.outcomes[0]).toMatchObject({ ended: 'reported' });
    expect(emails()).toEqual([]);
  });

  it('whose notification failed both ways is alerted, and the message kept while SNS refuses', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'NotificationFailed', input: INPUT });
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('Service unavailable'), { $fault: 'server' }));

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('FAILED')]);

    expect(emails()).toHaveLength(1);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-ended' }]);
  });

  it('is alerted from its event when Step Functions cannot be asked, saying so', async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('TIMED_OUT')]);

    const message = emails()[0]?.Message ?? '';
    expect(message).toContain('TIMED OUT before it ended');
    expect(message).toContain('Step Functions could not be asked about it');
    expect(message).toContain(`exposed-keys respond --key ${EVENT_KEY}`);
  });

  it('shows what Step Functions and the event said inert', async () => {
    const hostile = 'x\u001b]52;c;ZXZpbA==\u0007\u202eboom\r\n';
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', error: 'States.Runtime', cause: hostile, input: `{"detail":"${'\\u001b[2J'}"}` });

    await alertUndelivered(undeliveredDeps(QUEUE), [statusChange('FAILED')]);

    const [email] = emails();
    expect(activeCharacters(email?.Message ?? '')).toEqual([]);
    expect(email?.Subject).toBe(
      'ACTION REQUIRED: the exposed-keys response to an event it was sent ended with no report',
    );
  });

  it("of another state machine is not taken for one of the stack's", async () => {
    const other = statusChange('ABORTED', { stateMachineArn: `${STATE_MACHINE_ARN}-other` });

    const result = await alertUndelivered(undeliveredDeps(QUEUE), [other]);

    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(result.outcomes[0]?.ended).toBeUndefined();
  });
});

describe("the stack's alert on responses that ended without success", () => {
  it("sends the state machine's executions that did not succeed to the queue the function reads", async () => {
    const template = await loadTemplate();
    const rule = template.Resources.ResponseEndedRule?.Properties as Record<string, unknown> & {
      Targets: { Arn: unknown }[];
    };

    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: 'StateMachine' }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    expect(rule.Targets[0]?.Arn).toEqual({ 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] });
    const policy = JSON.stringify(template.Resources.UndeliveredQueuePolicy?.Properties);
    expect(policy.match(/"ResponseEndedRule","Arn"/g)).toHaveLength(2);
    expect(JSON.stringify(template.Resources.UndeliveredRole?.Properties)).toContain('states:DescribeExecution');
  });

  it('lets go without an alert only the Fail states reached after the report', async () => {
    const template = await loadTemplate();
    const definition = template.Resources.StateMachine?.Properties?.Definition as {
      States: Record<string, { Type: string; Error?: string }>;
    };
    const fails = Object.entries(definition.States).filter(([, state]) => state.Type === 'Fail');
    const named = fails.flatMap(([, state]) => (state.Error ? [state.Error] : []));
    // The one Fail state that takes its error from the state (the notification's own): not let go.
    const passedOn = fails.filter(([, state]) => !state.Error).map(([name]) => name);

    expect([...named].sort()).toEqual([...REPORTED_FAILURES].sort());
    expect(passedOn).toEqual(['NotificationFailed']);
  });
});
