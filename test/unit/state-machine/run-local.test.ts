import { beforeAll, describe, expect, it } from 'vitest';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { ContainmentError, NotificationError } from '../../../src/errors.js';
import { PLACEHOLDER_TOPIC_ARN } from '../../../src/state-machine/definition.js';
import {
  LOCAL_EXECUTION_ARN,
  LOCAL_STATE_MACHINE_ARN,
  type LocalTaskHandler,
  runStateMachineLocally,
  type StateTransition,
} from '../../../src/state-machine/run-local.js';
import { failureMessage, incidentReportOf, type WorkflowState } from '../../../src/state-machine/workflow-state.js';
import { needsHuman } from '../../../src/steps/incident-outcome.js';
import { loadEvent } from '../../support/fixtures.js';

let template: CloudFormationTemplate;

beforeAll(async () => {
  template = await loadTemplate();
});

const CONTAINED = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice',
  mode: 'delete',
  dryRun: false,
  outcome: 'deleted',
  contained: true,
  summary: 'Deleted the key.',
  actions: [],
  quarantinePolicies: [],
  humanSteps: [],
  warnings: [],
};
const INVESTIGATED = { activity: { totalEvents: 3 }, sessionActivity: [] };
/** What ClaimIncident answers for the first report of a key. */
const FIRST = { role: 'first', record: null };

/** A stub function that records each state it receives, in a log shared by the three stubs. */
function recorder(log: string[]) {
  return (name: string, behaviour: (state: WorkflowState, call: number) => unknown) => {
    const inputs: WorkflowState[] = [];
    const handler: LocalTaskHandler = async (state) => {
      inputs.push(state);
      log.push(name);
      return behaviour(state, inputs.length);
    };
    return { handler, inputs };
  };
}

/** The notification the real handler would return: it fails the execution when a human must act. */
function notification(state: WorkflowState) {
  const report = incidentReportOf(state);
  return { messageId: 'm-1', subject: 's', outcome: 'x', keyContained: false, failExecution: needsHuman(report) };
}

function lambdaError(name: string, message = 'transient'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function stubs(
  overrides: Partial<
    Record<'contain' | 'investigate' | 'notify', (state: WorkflowState, call: number) => unknown>
  > = {},
) {
  const order: string[] = [];
  const stub = recorder(order);
  // ClaimIncident runs the containment function too, told so by `step`: a stub of its own, outside `order`.
  const claim = recorder([])('claim', () => FIRST);
  const contain = stub('contain', overrides.contain ?? (() => CONTAINED));
  const investigate = stub('investigate', overrides.investigate ?? (() => INVESTIGATED));
  const notify = stub('notify', overrides.notify ?? notification);
  const containOrClaim: LocalTaskHandler = (state) =>
    state.step === 'ClaimIncident' ? claim.handler(state) : contain.handler(state);
  return {
    order,
    claim,
    contain,
    investigate,
    notify,
    handlers: { contain: containOrClaim, investigate: investigate.handler, notify: notify.handler },
  };
}

describe('one incident per key, in the template state machine', () => {
  function withClaim(answer: (state: WorkflowState) => unknown) {
    const run = stubs();
    const claimed: LocalTaskHandler = (state) =>
      state.step === 'ClaimIncident' ? answer(state) : run.handlers.contain(state);
    return { ...run, handlers: { ...run.handlers, contain: claimed } };
  }

  it('sends a later report of a key straight to the notification: no second containment, no investigation', async () => {
    const joined = { role: 'joined', record: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, keyNow: { status: 'gone' } };
    const { order, handlers, notify } = withClaim(() => joined);

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(order).toEqual(['notify']);
    expect(notify.inputs[0]).toEqual({
      event: loadEvent('trusted-advisor-exposed'),
      execution: { stateMachineArn: LOCAL_STATE_MACHINE_ARN, startedAt: expect.any(String) },
      signal: joined,
    });
    expect(run.status).toBe('SUCCEEDED');
  });

  it('sends a quarantined user straight to the notification too', async () => {
    const { order, handlers } = withClaim(() => ({ role: 'quarantine' }));

    await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(order).toEqual(['notify']);
  });

  it('responds in full when the claim fails, or answers without a role: twice is better than never', async () => {
    const failing = withClaim(() => {
      throw lambdaError('AwsCallError', 'dynamodb:UpdateItem failed');
    });
    const roleless = withClaim(() => ({}));

    const failed = await runStateMachineLocally({
      event: loadEvent('trusted-advisor-exposed'),
      handlers: failing.handlers,
      template,
    });
    await runStateMachineLocally({
      event: loadEvent('trusted-advisor-exposed'),
      handlers: roleless.handlers,
      template,
    });

    expect(failing.order).toEqual(['contain', 'investigate', 'notify']);
    expect(roleless.order).toEqual(['contain', 'investigate', 'notify']);
    expect(failed.output?.signalError).toMatchObject({ Error: 'AwsCallError' });
    expect(incidentReportOf(failing.notify.inputs[0] as WorkflowState).signalError).toMatch(/dynamodb:UpdateItem/);
  });
});

describe('the template state machine, run locally', () => {
  it('contains, investigates and notifies in that order, and succeeds', async () => {
    const { order, handlers, notify } = stubs();
    const event = loadEvent('trusted-advisor-exposed');

    const run = await runStateMachineLocally({ event, handlers, template });

    expect(run.status).toBe('SUCCEEDED');
    expect(order).toEqual(['contain', 'investigate', 'notify']);
    expect(run.output).toMatchObject({
      event,
      containment: CONTAINED,
      investigation: INVESTIGATED,
      notification: { failExecution: false },
    });
    expect(notify.inputs[0]).toMatchObject({ containment: CONTAINED, investigation: INVESTIGATED });
    expect(run.error).toBeUndefined();
  });

  it('gives each task the event, under event, with the earlier results beside it', async () => {
    const { handlers, claim, contain, investigate } = stubs();
    const event = loadEvent('health-exposed-entities-only');

    await runStateMachineLocally({ event, handlers, template });

    const execution = { stateMachineArn: LOCAL_STATE_MACHINE_ARN, startedAt: expect.any(String) };
    expect(claim.inputs[0]).toEqual({ event, step: 'ClaimIncident' });
    expect(contain.inputs[0]).toEqual({ event, execution, signal: FIRST });
    expect(investigate.inputs[0]).toEqual({ event, execution, signal: FIRST, containment: CONTAINED });
  });

  it('never takes a field of the event for the result of a task', async () => {
    const { handlers, notify } = stubs({
      contain: () => {
        throw new ContainmentError('AKIAIOSFODNN7EXAMPLE', 'iam:DeleteAccessKey failed: AccessDenied');
      },
    });
    const event = {
      ...loadEvent('trusted-advisor-exposed'),
      containment: CONTAINED,
      notification: { failExecution: false },
    };

    const run = await runStateMachineLocally({ event, handlers, template });

    const report = incidentReportOf(notify.inputs[0]!);
    expect(report.containment.status).toBe('failed');
    expect(needsHuman(report)).toBe(true);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('KeyNotContained');
  });

  it('still investigates and notifies when containment fails, then fails the execution', async () => {
    const { order, handlers, notify } = stubs({
      contain: () => {
        throw new ContainmentError('AKIAIOSFODNN7EXAMPLE', 'iam:DeleteAccessKey failed: AccessDenied');
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(order).toEqual(['contain', 'investigate', 'notify']);
    const seen = notify.inputs[0]!;
    expect(seen.containment).toBeUndefined();
    expect(seen.containmentError?.Error).toBe('ContainmentError');
    expect(failureMessage(seen.containmentError!)).toBe('ContainmentError: iam:DeleteAccessKey failed: AccessDenied');
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('KeyNotContained');
    expect(run.cause).toMatch(/not contained/);
    expect(run.output?.notification?.failExecution).toBe(true);
  });

  it('still notifies when the investigation fails, and succeeds when the key was contained', async () => {
    const { order, handlers, notify } = stubs({
      investigate: () => {
        throw new RangeError('CloudTrail is unreachable');
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(order).toEqual(['contain', 'investigate', 'notify']);
    const seen = notify.inputs[0]!;
    expect(seen.investigationError).toEqual({
      Error: 'RangeError',
      Cause: JSON.stringify({ errorType: 'RangeError', errorMessage: 'CloudTrail is unreachable' }),
    });
    expect(seen.containment).toEqual(CONTAINED);
    expect(run.status).toBe('SUCCEEDED');
  });

  it('retries a notification that SNS refused once, and delivers it', async () => {
    const { handlers, notify } = stubs({
      notify: (state, call) => {
        if (call === 1) throw new NotificationError('Could not publish the notification: Throttled');
        return notification(state);
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(notify.inputs).toHaveLength(2);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.notification?.messageId).toBe('m-1');
    expect(run.events).toContainEqual(expect.objectContaining({ state: 'NotifySecurity', phase: 'retried' }));
  });

  it('fails the execution when the notification can never be sent', async () => {
    const { handlers, notify } = stubs({
      notify: () => {
        throw new NotificationError('Could not publish the notification: KMS key disabled');
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('NotificationError');
    expect(JSON.parse(run.cause!)).toEqual({
      errorType: 'NotificationError',
      errorMessage: 'Could not publish the notification: KMS key disabled',
    });
    // One attempt and four retries.
    expect(notify.inputs).toHaveLength(5);
    expect(run.output?.containment).toEqual(CONTAINED);
    // Then the state machine's own alert, to the same topic, naming the execution and the error only.
    expect(run.published).toEqual([
      {
        TopicArn: PLACEHOLDER_TOPIC_ARN,
        Subject: 'ACTION REQUIRED: exposed-keys could not send an incident report',
        Message: expect.stringContaining('report went out (NotificationError after its retries)'),
      },
    ]);
    expect(run.published[0]?.Message).toContain(`Execution: ${LOCAL_EXECUTION_ARN}`);
  });

  it('sends the last-resort alert also when the notification function crashes, and fails the execution still', async () => {
    const published: unknown[] = [];
    const { handlers } = stubs({
      notify: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'activity')");
      },
    });

    const run = await runStateMachineLocally({
      event: loadEvent('trusted-advisor-exposed'),
      handlers: { ...handlers, publish: (alert) => published.push(alert) },
      template,
    });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('TypeError');
    expect(published).toEqual([
      expect.objectContaining({ Message: expect.stringContaining('(TypeError after its retries)') }),
    ]);
    // Nothing from the event reaches the alert.
    expect(JSON.stringify(published)).not.toContain(
      loadEvent('trusted-advisor-exposed').detail['check-item-detail']['Access Key ID'],
    );
  });

  it('retries containment after a transient Lambda error, without catching it', async () => {
    const { order, handlers } = stubs({
      contain: (_, call) => {
        if (call === 1) throw lambdaError('Lambda.TooManyRequestsException', 'Rate exceeded');
        return CONTAINED;
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(order).toEqual(['contain', 'contain', 'investigate', 'notify']);
    expect(run.output?.containment).toEqual(CONTAINED);
    expect(run.output?.containmentError).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
  });

  it('does not retry a containment error that is not transient', async () => {
    const { order, handlers } = stubs({
      contain: () => {
        throw new ContainmentError('AKIAIOSFODNN7EXAMPLE', 'denied');
      },
    });

    await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    expect(order.filter((step) => step === 'contain')).toHaveLength(1);
  });

  it('retries without waiting for the intervals of the definition', async () => {
    const { handlers } = stubs({
      notify: (state, call) => {
        if (call < 3) throw new NotificationError('refused');
        return notification(state);
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    // The definition waits 2 s and then 4 s before these retries.
    expect(run.durationMs).toBeLessThan(2_000);
    expect(run.status).toBe('SUCCEEDED');
  });

  it('reports each state as it is entered and left, with its timing', async () => {
    const { handlers } = stubs();
    const seen: StateTransition[] = [];

    const run = await runStateMachineLocally({
      event: loadEvent('trusted-advisor-exposed'),
      handlers,
      template,
      onTransition: (transition) => seen.push(transition),
    });

    expect(seen).toEqual(run.events);
    expect(seen.map(({ state, phase }) => `${phase} ${state}`)).toEqual([
      'entered ReceiveEvent',
      'exited ReceiveEvent',
      'entered RouteEvent',
      'exited RouteEvent',
      'entered ClaimIncident',
      'exited ClaimIncident',
      'entered FirstReportOfKey',
      'exited FirstReportOfKey',
      'entered DeleteAccessKeyPair',
      'exited DeleteAccessKeyPair',
      'entered LookupCloudTrailEvents',
      'exited LookupCloudTrailEvents',
      'entered NotifySecurity',
      'exited NotifySecurity',
      'entered KeyContained',
      'exited KeyContained',
      'entered Done',
      'exited Done',
    ]);
    for (const transition of seen.filter(({ phase }) => phase === 'exited')) {
      expect(transition.elapsedMs).toBeGreaterThanOrEqual(0);
    }
    expect(seen[8]).toMatchObject({ state: 'DeleteAccessKeyPair', stateType: 'Task', timestamp: expect.any(Number) });
  });

  it('reports a caught failure with its error and cause', async () => {
    const { handlers } = stubs({
      investigate: () => {
        throw new TypeError('bad input');
      },
    });

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template });

    const investigation = run.events.filter(({ state }) => state === 'LookupCloudTrailEvents');
    expect(investigation.map(({ phase }) => phase)).toEqual(['entered', 'failed', 'caught', 'exited']);
    expect(investigation[1]).toMatchObject({ error: 'TypeError', cause: expect.stringContaining('bad input') });
  });

  it('loads the shipped template when none is given', async () => {
    const { handlers, order } = stubs();

    const run = await runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers });

    expect(run.status).toBe('SUCCEEDED');
    expect(order).toEqual(['contain', 'investigate', 'notify']);
  });
  it('refuses a task it has no handler for, rather than calling Lambda', async () => {
    const { handlers, order } = stubs();
    const copy = structuredClone(template);
    const definition = copy.Resources.StateMachine!.Properties!.Definition as { States: Record<string, any> };
    definition.States.DeleteAccessKeyPair.Resource = 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere';

    await expect(
      runStateMachineLocally({ event: loadEvent('trusted-advisor-exposed'), handlers, template: copy }),
    ).rejects.toThrow(/DeleteAccessKeyPair .*no local handler/);
    expect(order).toEqual([]);
  });

  it('passes on an error thrown by the progress callback', async () => {
    const { handlers } = stubs();

    const run = runStateMachineLocally({
      event: loadEvent('trusted-advisor-exposed'),
      handlers,
      template,
      onTransition: () => {
        throw new Error('display broke');
      },
    });

    await expect(run).rejects.toThrow('display broke');
  });
});
