import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, type ProxiedCall, startFaultProxy } from '../../emulators/fault-proxy.js';
import { type CloudFormationTemplate, loadTemplate } from '../../src/deploy/template.js';
import { InvalidEventError } from '../../src/errors.js';
import { readContainConfig, readInvestigateConfig, readNotifyConfig } from '../../src/settings/function-settings.js';
import { type LocalHandlers, runStateMachineLocally } from '../../src/state-machine/run-local.js';
import { containTask } from '../../src/state-machine/tasks/contain-task.js';
import { investigateTask } from '../../src/state-machine/tasks/investigate-task.js';
import { notifyTask } from '../../src/state-machine/tasks/notify-task.js';
import type { WorkflowState } from '../../src/state-machine/workflow-state.js';
import {
  BAD_EVENTS,
  BAD_OBJECT_EVENTS,
  type BadEventCase,
  NON_OBJECT_EVENTS,
  TOLERATED_EVENTS,
  WELL_FORMED_KEY,
} from '../support/bad-input-corpus.js';
import { cloudTrailAt } from '../support/cloudtrail-clients.js';
import { artifactHandlers } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { type DeliveredMessage, topicWithInbox } from '../support/sns-inbox.js';
import { activeCharacters, wellFormed } from '../support/well-formed.js';

/*
 * Every bad event of the corpus, given to the three tasks of the state machine (in this process)
 * and to the state machine itself (with the handlers of the built artifact), against moto behind
 * a proxy that records each call. A bad event is refused with a typed error naming the field,
 * before any AWS call; only the notification, which says the event could not be read, goes out.
 */

const moto = useMoto({ resetEachTest: false });
let proxy: FaultProxy;
let cloudTrail: CloudTrailLookupServer;
let inbox: Awaited<ReturnType<typeof topicWithInbox>>;
let artifact: LocalHandlers;
/** The template's state machine, read once. */
let template: CloudFormationTemplate;
let tasks: LocalHandlers;
/** How often the investigation asked for the account's regions (the first call it would make). */
let regionsListed = 0;

/** Any call that could change something; the notification's Publish is allowed and counted apart. */
const READ_ONLY = /^(Get|List|Describe|Lookup)/;
function changes(calls: readonly ProxiedCall[]): ProxiedCall[] {
  return calls.filter((call) => !READ_ONLY.test(call.action) && !(call.service === 'sns' && call.action === 'Publish'));
}

beforeAll(async () => {
  template = await loadTemplate();
  proxy = await startFaultProxy(moto().endpoint);
  cloudTrail = await startCloudTrailLookupServer({ records: [], requestsPerSecond: 0 });
  inbox = await topicWithInbox(moto(), 'bad-input');
  const viaProxy = { region: 'us-east-1', endpoint: proxy.endpoint, maxAttempts: 1 };
  tasks = {
    contain: containTask({ iam: new IAMClient(viaProxy) }, readContainConfig({})),
    investigate: investigateTask(
      {
        cloudTrail: cloudTrailAt(cloudTrail.endpoint),
        listRegions: async () => {
          regionsListed += 1;
          return ['us-east-1'];
        },
      },
      readInvestigateConfig({}),
    ),
    notify: notifyTask({ sns: new SNSClient(viaProxy) }, readNotifyConfig({ TOPIC_ARN: inbox.topicArn })),
  };
  artifact = await artifactHandlers({
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
    TOPIC_ARN: inbox.topicArn,
    INVESTIGATE_REGIONS: '',
    LOOKBACK_HOURS: '24',
    // The handlers log each step at INFO; the assertions read their results, not their logs.
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
});
afterAll(async () => {
  await proxy?.stop();
  await cloudTrail?.stop();
});
beforeEach(async () => {
  regionsListed = 0;
  proxy.calls.length = 0;
  cloudTrail.requests.clear();
  await inbox.messages();
});

/** The state the state machine gives a task: the event under `event` (its first state puts it there). */
function stateOf(event: unknown): WorkflowState {
  return { event };
}

async function refusal(task: LocalHandlers['contain'], event: unknown): Promise<unknown> {
  try {
    await task(stateOf(event));
  } catch (error) {
    return error;
  }
  throw new Error('the task accepted the event');
}

function expectUnreadableEventNotice(messages: DeliveredMessage[], testCase: BadEventCase) {
  expect(messages).toHaveLength(1);
  expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: unreadable exposed-key event/);
  expect(messages[0]?.Message).toContain(`Invalid event: ${testCase.field} `);
  expect(messages[0]?.MessageAttributes?.outcome).toEqual({ Type: 'String', Value: 'invalid-event' });
}

describe('the Lambda tasks, given bad events', () => {
  it.each(BAD_EVENTS)('refuse $name with an InvalidEventError naming $field, before any call', async (testCase) => {
    const contained = await refusal(tasks.contain, testCase.event());
    const investigated = await refusal(tasks.investigate, testCase.event());

    for (const error of [contained, investigated]) {
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).field).toBe(testCase.field);
      if (testCase.reason) expect((error as InvalidEventError).message).toMatch(testCase.reason);
    }
    expect(proxy.calls).toEqual([]);
    expect(regionsListed).toBe(0);
    expect(cloudTrail.requests.size).toBe(0);
  });

  it.each(BAD_EVENTS)('refuse $name in the built artifact too, naming $field', async (testCase) => {
    const contained = await refusal(artifact.contain, testCase.event());
    const investigated = await refusal(artifact.investigate, testCase.event());

    // The bundle has its own copy of the error classes: they are told apart by name.
    for (const error of [contained, investigated])
      expect(error).toMatchObject({
        name: expect.stringMatching(/^(InvalidEventError|SeveralKeysError)$/),
        field: testCase.field,
      });

    expect(proxy.calls).toEqual([]);
    expect(cloudTrail.requests.size).toBe(0);
  });

  it.each(NON_OBJECT_EVENTS)('still notify, saying why $name could not be read', async (testCase) => {
    const output = await tasks.notify(stateOf(testCase.event()));

    expect(output).toMatchObject({ outcome: 'invalid-event', keyContained: false, failExecution: true });
    expectUnreadableEventNotice(await inbox.messages(), testCase);
    expect(proxy.calls).toEqual([expect.objectContaining({ service: 'sns', action: 'Publish', faulted: false })]);
  });
});

/** One bad event per field: running a state machine costs a tenth of a second, and each refusal takes the same path. */
const ONE_PER_FIELD = BAD_OBJECT_EVENTS.filter(
  (testCase, index) => BAD_OBJECT_EVENTS.findIndex((other) => other.field === testCase.field) === index,
);

describe('the state machine with the real handlers, given bad events', () => {
  it.each(ONE_PER_FIELD)('fails on $name, notifies once, and changes nothing', async (testCase) => {
    const result = await runStateMachineLocally({ template, event: testCase.event(), handlers: artifact });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('KeyNotContained');
    expect(result.output?.containmentError?.Error).toBe('InvalidEventError');
    expect(result.output?.containmentError?.Cause).toContain(`Invalid event: ${testCase.field} `);
    expect(result.output?.investigationError?.Error).toBe('InvalidEventError');
    expectUnreadableEventNotice(await inbox.messages(), testCase);
    expect(changes(proxy.calls)).toEqual([]);
    expect(proxy.calls.filter((call) => call.service === 'iam')).toEqual([]);
  });

  // EventBridge only delivers objects. Anything else is kept under $.event and notified, or, where
  // the runner cannot hold it (null), fails at once; either way nothing changes.
  it.each(NON_OBJECT_EVENTS)('fails visibly on $name, and changes nothing', async (testCase) => {
    const result = await runStateMachineLocally({ template, event: testCase.event(), handlers: artifact });

    expect(result.status).toBe('FAILED');
    if (result.error === 'KeyNotContained') expectUnreadableEventNotice(await inbox.messages(), testCase);
    else expect(result.error).toMatch(/^States\./);
    expect(changes(proxy.calls)).toEqual([]);
  });
});

describe('the Lambda tasks, given events with unusable display fields', () => {
  it.each(TOLERATED_EVENTS)('still act on the key of $name, and notify with the field made inert', async (testCase) => {
    const result = await tasks.contain(stateOf(testCase.event()));
    const output = (await tasks.notify({ ...stateOf(testCase.event()), containment: result as never })) as {
      outcome: string;
    };

    expect([WELL_FORMED_KEY, 'AKIA3EXAMPLEMETADAT5']).toContain((result as { accessKeyId: string }).accessKeyId);

    expect(output.outcome).not.toBe('invalid-event');
    const [message] = await inbox.messages();
    expect(activeCharacters(message?.Message ?? '')).toEqual([]);
    expect(wellFormed(message?.Message ?? '')).toBe(true);
    expect(Buffer.byteLength(message?.Message ?? '')).toBeLessThan(256 * 1024);
  });
});
