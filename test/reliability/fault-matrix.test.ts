import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  type LookupFault,
  startCloudTrailLookupServer,
} from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, startFaultProxy, type WireFault } from '../../emulators/fault-proxy.js';
import { clientConfig } from '../../src/aws/client-config.js';
import { type CloudFormationTemplate, loadTemplate } from '../../src/deploy/template.js';
import { readContainConfig, readInvestigateConfig, readNotifyConfig } from '../../src/settings/function-settings.js';
import { type LocalHandlers, type LocalRunResult, runStateMachineLocally } from '../../src/state-machine/run-local.js';
import { containTask } from '../../src/state-machine/tasks/contain-task.js';
import { investigateTask } from '../../src/state-machine/tasks/investigate-task.js';
import { notifyTask } from '../../src/state-machine/tasks/notify-task.js';
import { listBucketsActivity, userWithTwoKeys } from '../support/exposed-user.js';
import { loadEvent } from '../support/fixtures.js';
import { artifactHandlers } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { type DeliveredMessage, topicWithInbox } from '../support/sns-inbox.js';

/*
 * Each AWS service the state machine calls, failing in each way AWS fails, injected on the wire:
 * IAM and SNS through a fault proxy in front of moto, CloudTrail through the LookupEvents
 * fixture. The template's state machine runs with the handlers of the built artifact (with
 * clients of a short time-out for the time-out cells: the production time-out is 30 seconds).
 * In every cell the key is contained when IAM answers, a notification goes out when SNS answers,
 * and whatever failed is visible.
 */

type Service = 'iam' | 'cloudtrail' | 'sns';
type Fault = 'throttle' | 'server-error' | 'access-denied' | 'timeout';

const SERVICES: Service[] = ['iam', 'cloudtrail', 'sns'];
const FAULTS: Fault[] = ['throttle', 'server-error', 'access-denied', 'timeout'];
/** The regions investigated: a CloudTrail fault hits the second one only, so that the first still answers. */
const REGIONS = ['us-east-1', 'eu-west-1'];
const FAILING_REGION = 'eu-west-1';
/** Events served per region for the exposed key. */
const EVENTS = { 'us-east-1': 3, 'eu-west-1': 2 } as const;
const SHORT_TIMEOUT = { requestTimeoutMs: 200, maxAttempts: 2 };

const moto = useMoto({ resetEachTest: false });
let proxy: FaultProxy;
let cloudTrail: CloudTrailLookupServer;
let cloudTrailFault: ((request: { region: string; count: number }) => LookupFault | null) | null = null;
let inbox: Awaited<ReturnType<typeof topicWithInbox>>;
let artifact: LocalHandlers;
/** The template's state machine, read once. */
let template: CloudFormationTemplate;

beforeAll(async () => {
  template = await loadTemplate();
  proxy = await startFaultProxy(moto().endpoint);
  cloudTrail = await startCloudTrailLookupServer({
    records: [],
    requestsPerSecond: 0,
    fault: (request) => cloudTrailFault?.(request) ?? null,
  });
  inbox = await topicWithInbox(moto(), 'fault-matrix');
  artifact = await artifactHandlers({
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
    TOPIC_ARN: inbox.topicArn,
    INVESTIGATE_REGIONS: REGIONS.join(','),
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
  proxy.setRules([]);
  proxy.calls.length = 0;
  cloudTrailFault = null;
  cloudTrail.requests.clear();
  cloudTrail.throttled.clear();
  await inbox.messages();
});

/**
 * The same tasks as the artifact's handlers, with the one service that hangs given a short time-out:
 * with the production 30 seconds and 4 attempts, a hung call takes two minutes to fail.
 */
function handlersTimingOut(service: Service): LocalHandlers {
  const config = (region: string) => clientConfig({ region, ...(service === 'iam' ? SHORT_TIMEOUT : {}) });
  const viaProxy = { endpoint: proxy.endpoint };
  const cloudTrailClients = new Map<string, CloudTrailClient>();
  const cloudTrailOf = (region: string) => {
    const client =
      cloudTrailClients.get(region) ??
      new CloudTrailClient({
        ...clientConfig({ region, ...(service === 'cloudtrail' ? SHORT_TIMEOUT : {}) }),
        endpoint: cloudTrail.endpoint,
      });
    cloudTrailClients.set(region, client);
    return client;
  };
  return {
    contain: containTask({ iam: new IAMClient({ ...config('us-east-1'), ...viaProxy }) }, readContainConfig({})),
    investigate: investigateTask(
      { cloudTrail: cloudTrailOf },
      readInvestigateConfig({ INVESTIGATE_REGIONS: REGIONS.join(','), LOOKBACK_HOURS: '24' }),
    ),
    notify: notifyTask(
      {
        sns: new SNSClient({
          ...clientConfig({ region: 'us-east-1', ...(service === 'sns' ? SHORT_TIMEOUT : {}) }),
          ...viaProxy,
        }),
      },
      readNotifyConfig({ TOPIC_ARN: inbox.topicArn }),
    ),
  };
}

/** A user with two keys, the first exposed, whose recent activity LookupEvents serves. */
async function exposedKey(userName: string) {
  const { exposed, other } = await userWithTwoKeys(moto().iam, userName);
  cloudTrail.setRecords(listBucketsActivity(exposed, userName, EVENTS));
  return { exposed, other };
}

function trustedAdvisorEvent(accessKeyId: string, userName: string) {
  const event = loadEvent('trusted-advisor-exposed');
  event.detail['check-item-detail']['Access Key ID'] = accessKeyId;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

async function keysOf(userName: string): Promise<Record<string, string | undefined>> {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

/** Injects `fault` into `service`: throttling passes after two requests; the other faults last. */
function inject(service: Service, fault: Fault): void {
  if (service === 'cloudtrail') {
    cloudTrailFault = ({ region, count }) => {
      if (fault === 'throttle') return count <= 2 ? 'throttle' : null;
      return region === FAILING_REGION ? fault : null;
    };
    return;
  }
  proxy.setRules([{ service, fault: fault as WireFault, ...(fault === 'throttle' ? { times: 2 } : {}) }]);
}

/** What a notification says of a failure of `service`, by fault. */
const VISIBLE_AS: Record<Fault, RegExp> = {
  throttle: /Throttling/,
  'server-error': /InternalFailure|InternalServerError/,
  'access-denied': /AccessDenied/,
  timeout: /TimeoutError|timed? ?out/i,
};

function onlyMessage(messages: DeliveredMessage[]): DeliveredMessage {
  expect(messages).toHaveLength(1);
  return messages[0] as DeliveredMessage;
}

function expectFaultsInjected(service: Service, fault: Fault): void {
  if (service === 'cloudtrail') {
    const hit = fault === 'throttle' ? REGIONS : [FAILING_REGION];
    for (const region of hit) expect(cloudTrail.requests.get(region) ?? 0).toBeGreaterThan(0);
    if (fault === 'throttle') for (const region of REGIONS) expect(cloudTrail.throttled.get(region)).toBe(2);
    return;
  }
  const faulted = proxy.calls.filter((call) => call.service === service && call.faulted);
  if (fault === 'throttle') expect(faulted).toHaveLength(2);
  else expect(faulted.length).toBeGreaterThan(0);
}

const CELLS = SERVICES.flatMap((service) => FAULTS.map((fault) => ({ service, fault })));

describe('the state machine, with one service failing at the wire', () => {
  it.each(CELLS)(
    '$service answering $fault: contains when IAM answers, notifies when SNS answers, shows the rest',
    async ({ service, fault }) => {
      const userName = `${service}-${fault}`;
      const { exposed, other } = await exposedKey(userName);
      inject(service, fault);

      const result: LocalRunResult = await runStateMachineLocally({
        template,
        event: trustedAdvisorEvent(exposed, userName),
        handlers: fault === 'timeout' ? handlersTimingOut(service) : artifact,
      });

      expectFaultsInjected(service, fault);
      const messages = await inbox.messages();
      const passes = fault === 'throttle';
      const iamAnswers = service !== 'iam' || passes;
      const snsAnswers = service !== 'sns' || passes;
      // IAM is read directly from moto, never through the proxy.
      if (iamAnswers) expect(await keysOf(userName)).toEqual({ [other]: 'Active' });
      else expect(await keysOf(userName)).toEqual({ [exposed]: 'Active', [other]: 'Active' });
      expect(messages).toHaveLength(snsAnswers ? 1 : 0);

      if (passes) {
        expect(result.status).toBe('SUCCEEDED');
        expect(result.output?.containment?.outcome).toBe('deleted');
        expect(result.output?.investigation?.activity).toMatchObject({
          totalEvents: EVENTS['us-east-1'] + EVENTS['eu-west-1'],
          regions: { searched: [...REGIONS].sort(), failed: [] },
        });
        expect(onlyMessage(messages).Subject).toMatch(/^Exposed key deleted/);
      } else if (service === 'iam') {
        expect(result.status).toBe('FAILED');
        expect(result.error).toBe('KeyNotContained');
        expect(result.output?.containmentError?.Error).toBe('ContainmentError');
        const message = onlyMessage(messages);
        expect(message.Subject).toMatch(/^ACTION REQUIRED: containment FAILED/);
        expect(message.Message).toMatch(VISIBLE_AS[fault]);
        expect(message.Message).toContain('iam:GetAccessKeyLastUsed');
      } else if (service === 'cloudtrail') {
        expect(result.status).toBe('SUCCEEDED');
        const activity = result.output?.investigation?.activity;
        expect(activity?.totalEvents).toBe(EVENTS['us-east-1']);
        expect(activity?.regions.searched).toEqual(['us-east-1']);
        expect(activity?.regions.failed).toEqual([
          { region: FAILING_REGION, error: expect.stringMatching(VISIBLE_AS[fault]) },
        ]);
        const message = onlyMessage(messages);
        expect(message.Subject).toMatch(/^Exposed key deleted/);
        expect(message.Message).toMatch(
          new RegExp(`Region NOT searched: ${FAILING_REGION}: .*${VISIBLE_AS[fault].source}`),
        );
      } else {
        expect(result.status).toBe('FAILED');
        expect(result.error).toBe('NotificationError');
        expect(result.cause).toMatch(VISIBLE_AS[fault]);
        expect(messages).toEqual([]);
        expect(
          result.events.filter((event) => event.state === 'NotifySecurity' && event.phase === 'retried'),
        ).toHaveLength(4);
      }
    },
  );
});

describe('the state machine, with failures that leave part of the work done', () => {
  it('contains the key, says its sessions are still valid, and fails the execution for a human, when the deny policy is refused', async () => {
    const { exposed, other } = await exposedKey('revoke-denied');
    proxy.setRules([{ service: 'iam', action: 'PutUserPolicy', fault: 'access-denied' }]);

    const result = await runStateMachineLocally({
      template,
      event: trustedAdvisorEvent(exposed, 'revoke-denied'),
      handlers: artifact,
    });

    // The key is contained, but its sessions still work: a human must act, and the execution says so.
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('HumanMustAct');
    expect(await keysOf('revoke-denied')).toEqual({ [other]: 'Active' });
    expect(result.output?.containment?.actions).toContainEqual(
      expect.objectContaining({ kind: 'revoke-sessions', status: 'failed' }),
    );
    const message = onlyMessage(await inbox.messages());
    expect(message.Message).toContain(`WARNING: Sessions minted from ${exposed} are still valid`);
    expect(message.Message).toContain('AccessDenied');
  });

  it('contains the key and names every region in the notification when CloudTrail refuses them all', async () => {
    const { exposed, other } = await exposedKey('cloudtrail-refused');
    cloudTrailFault = () => 'access-denied';

    const result = await runStateMachineLocally({
      template,
      event: trustedAdvisorEvent(exposed, 'cloudtrail-refused'),
      handlers: artifact,
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(await keysOf('cloudtrail-refused')).toEqual({ [other]: 'Active' });
    expect(result.output?.investigationError?.Error).toBe('InvestigationError');
    const message = onlyMessage(await inbox.messages()).Message;
    expect(message).toContain('Investigation FAILED: InvestigationError: No region could be searched');
    // Every region named, each reason once after the regions it failed.
    const failed = /No region could be searched for \S+: (.*)$/m.exec(message)?.[1] ?? '';
    for (const region of REGIONS) expect(failed).toMatch(new RegExp(`\\b${region}\\b[^:]*: .*AccessDenied`));
  });
});

describe('the state machine, given the same event again and again', () => {
  it('deletes the key once, reports the later runs as already contained, and notifies each time', async () => {
    const { exposed, other } = await exposedKey('repeated');
    const event = trustedAdvisorEvent(exposed, 'repeated');

    const runs: { result: LocalRunResult; messages: DeliveredMessage[] }[] = [];
    for (let run = 0; run < 3; run += 1) {
      const result = await runStateMachineLocally({ template, event: structuredClone(event), handlers: artifact });
      runs.push({ result, messages: await inbox.messages() });
    }

    expect(runs.map(({ result }) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(runs.map(({ result }) => result.output?.containment?.outcome)).toEqual([
      'deleted',
      'already-contained',
      'already-contained',
    ]);
    expect(proxy.calls.filter((call) => call.action === 'DeleteAccessKey')).toHaveLength(1);
    expect(await keysOf('repeated')).toEqual({ [other]: 'Active' });
    expect(runs.map(({ messages }) => messages.length)).toEqual([1, 1, 1]);
    expect(runs[1]?.messages[0]?.Subject).toMatch(/^Exposed key already contained/);
    expect(runs[2]?.messages[0]?.Subject).toMatch(/^Exposed key already contained/);
  });
});
