import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  type LookupFault,
  startCloudTrailLookupServer,
} from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, type ProxiedCall, startFaultProxy, type WireFault } from '../../emulators/fault-proxy.js';
import { runCli } from '../support/cli-runner.js';
import { listBucketsActivity, userWithTwoKeys } from '../support/exposed-user.js';
import { type IsolatedCliEnv, isolatedCliEnv } from '../support/isolated-cli-env.js';
import { useMoto } from '../support/moto.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * `exposed-keys respond --yes`, run as a child process against moto behind a fault proxy (STS,
 * IAM, SNS) and the LookupEvents fixture (CloudTrail), with each service failing in each way AWS
 * fails. The runs pass --timeout 1, so that the time-out cells (a call that never answers) end in
 * seconds.
 */

type Service = 'sts' | 'iam' | 'cloudtrail' | 'sns';
type Fault = 'throttle' | 'server-error' | 'access-denied' | 'timeout';

const SERVICES: Service[] = ['sts', 'iam', 'cloudtrail', 'sns'];
const FAULTS: Fault[] = ['throttle', 'server-error', 'access-denied', 'timeout'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const FAILING_REGION = 'eu-west-1';
const EVENTS = { 'us-east-1': 3, 'eu-west-1': 2 } as const;

const VISIBLE_AS: Record<Fault, RegExp> = {
  throttle: /Throttling/,
  'server-error': /InternalFailure|InternalServerError/,
  'access-denied': /AccessDenied/,
  timeout: /TimeoutError/,
};

const READ_ONLY = /^(Get|List|Describe|Lookup)/;
function changes(calls: readonly ProxiedCall[]): ProxiedCall[] {
  return calls.filter((call) => !READ_ONLY.test(call.action));
}

const moto = useMoto();
let proxy: FaultProxy;
let cloudTrail: CloudTrailLookupServer;
let cloudTrailFault: ((request: { region: string; count: number }) => LookupFault | null) | null = null;
/** LookupEvents requests answered with a fault since the test began. */
let cloudTrailFaulted = 0;
let isolated: IsolatedCliEnv | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  proxy = await startFaultProxy(moto().endpoint);
  cloudTrail = await startCloudTrailLookupServer({
    records: [],
    requestsPerSecond: 0,
    fault: (request) => {
      const fault = cloudTrailFault?.(request) ?? null;
      if (fault) cloudTrailFaulted += 1;
      return fault;
    },
  });
  isolated = isolatedCliEnv({ aws: proxy.endpoint, cloudTrail: cloudTrail.endpoint }, 'exposed-keys-faults-');
  env = isolated.env;
});
afterAll(async () => {
  await proxy?.stop();
  await cloudTrail?.stop();
  isolated?.remove();
});
beforeEach(() => {
  proxy.setRules([]);
  proxy.calls.length = 0;
  cloudTrailFault = null;
  cloudTrailFaulted = 0;
  cloudTrail.requests.clear();
  cloudTrail.throttled.clear();
});

/** A user with two keys, the first exposed, whose recent activity LookupEvents serves; and a topic to notify. */
async function incident(userName: string) {
  const { exposed, other } = await userWithTwoKeys(moto().iam, userName);
  cloudTrail.setRecords(listBucketsActivity(exposed, userName, EVENTS));
  const inbox = await topicWithInbox(moto(), 'security');
  return { exposed, other, inbox };
}

async function keysOf(userName: string): Promise<Record<string, string | undefined>> {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

function respond(exposed: string, topicArn: string) {
  return runCli(
    // --timeout 1: a call that hangs fails after a second (and the SDK's retries), not after 30.
    [
      'respond',
      '--key',
      exposed,
      '--topic',
      topicArn,
      '--regions',
      REGIONS.join(','),
      '--yes',
      '--json',
      '--timeout',
      '1',
    ],
    env,
  );
}

/** Injects `fault`: throttling passes after two requests, the others last. SNS fails only to publish. */
function inject(service: Service, fault: Fault): void {
  if (service === 'cloudtrail') {
    cloudTrailFault = ({ region, count }) => {
      if (fault === 'throttle') return count <= 2 ? 'throttle' : null;
      return region === FAILING_REGION ? fault : null;
    };
    return;
  }
  proxy.setRules([
    {
      service,
      fault: fault as WireFault,
      ...(service === 'sns' ? { action: 'Publish' } : {}),
      ...(fault === 'throttle' ? { times: 2 } : {}),
    },
  ]);
}

function faultsInjected(service: Service): number {
  if (service === 'cloudtrail') return cloudTrailFaulted;
  return proxy.calls.filter((call) => call.service === service && call.faulted).length;
}

const CELLS = SERVICES.flatMap((service) => FAULTS.map((fault) => ({ service, fault })));

describe('respond --yes, with one service failing at the wire', () => {
  it.each(CELLS)(
    '$service answering $fault: contains when IAM answers, notifies when SNS answers, shows the rest',
    async ({ service, fault }) => {
      const userName = `${service}-${fault}`;
      const { exposed, other, inbox } = await incident(userName);
      inject(service, fault);

      const run = await respond(exposed, inbox.topicArn);

      // Throttling passes after two requests (in each region, for CloudTrail); the other faults last.
      if (fault === 'throttle') expect(faultsInjected(service)).toBe(service === 'cloudtrail' ? 2 * REGIONS.length : 2);
      else expect(faultsInjected(service)).toBeGreaterThan(0);
      const messages = await inbox.messages();
      const keys = await keysOf(userName);
      if (fault === 'throttle') {
        expect(run.code, run.stderr).toBe(0);
        expect(keys).toEqual({ [other]: 'Active' });
        expect(messages).toHaveLength(1);
        const result = JSON.parse(run.stdout);
        expect(result.containment.outcome).toBe('deleted');
        expect(result.activity).toMatchObject({
          totalEvents: EVENTS['us-east-1'] + EVENTS['eu-west-1'],
          regions: { searched: [...REGIONS].sort(), failed: [] },
        });
        expect(result.notification.status).toBe('sent');
        return;
      }
      switch (service) {
        case 'sts': {
          // Containment needs IAM alone: the key is contained and notified; the exit code says STS failed.
          expect(run.code, run.stderr).toBe(3);
          expect(run.stderr).toMatch(
            new RegExp(
              `^warning: Could not name the account \\(.*sts:GetCallerIdentity.*${VISIBLE_AS[fault].source}`,
              'm',
            ),
          );
          expect(keys).toEqual({ [other]: 'Active' });
          expect(JSON.parse(run.stdout).containment.outcome).toBe('deleted');
          expect(messages).toHaveLength(1);
          break;
        }

        case 'iam': {
          expect(run.code, run.stderr).toBe(4);
          expect(run.stderr).toMatch(
            new RegExp(`^error: .*iam:GetAccessKeyLastUsed.*${VISIBLE_AS[fault].source}`, 'm'),
          );
          // The owner could not be checked, so nothing is touched; the key is still investigated and the failure notified.
          expect(keys).toEqual({ [exposed]: 'Active', [other]: 'Active' });
          expect(changes(proxy.calls).filter((call) => call.service === 'iam')).toEqual([]);
          expect(messages).toHaveLength(1);
          expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: containment FAILED/);
          break;
        }
        case 'cloudtrail': {
          // Contained, but a region was not searched: an AWS call failed.
          expect(run.code, run.stderr).toBe(3);
          expect(keys).toEqual({ [other]: 'Active' });
          const result = JSON.parse(run.stdout);
          expect(result.activity.totalEvents).toBe(EVENTS['us-east-1']);
          expect(result.activity.regions.failed).toEqual([
            { region: FAILING_REGION, error: expect.stringMatching(VISIBLE_AS[fault]) },
          ]);
          expect(run.stderr).toMatch(new RegExp(`^warning: Region not searched: ${FAILING_REGION}: `, 'm'));
          expect(messages).toHaveLength(1);
          expect(messages[0]?.Message).toContain(`Region NOT searched: ${FAILING_REGION}`);
          break;
        }
        case 'sns': {
          expect(run.code, run.stderr).toBe(3);
          expect(keys).toEqual({ [other]: 'Active' });
          const result = JSON.parse(run.stdout);
          expect(result.containment.outcome).toBe('deleted');
          expect(result.notification).toMatchObject({
            status: 'failed',
            error: expect.stringMatching(VISIBLE_AS[fault]),
          });
          expect(run.stderr).toMatch(/^warning: The notification was not sent: NotificationError: /m);
          expect(messages).toEqual([]);
          break;
        }
      }
    },
  );
});

describe('respond --yes, with failures after the plan or before it', () => {
  it('notifies that containment failed, and exits 4, when IAM refuses to delete the key', async () => {
    const { exposed, other, inbox } = await incident('delete-refused');
    proxy.setRules([{ service: 'iam', action: 'DeleteAccessKey', fault: 'access-denied' }]);

    const run = await respond(exposed, inbox.topicArn);

    expect(run.code, run.stderr).toBe(4);
    expect(await keysOf('delete-refused')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    const result = JSON.parse(run.stdout);
    expect(result.containment).toMatchObject({ outcome: 'containment-failed', contained: false });
    expect(result.containment.error).toMatch(/iam:DeleteAccessKey failed: AccessDenied/);
    expect(result.needsHuman).toBe(true);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: containment FAILED/);
  });

  it('still contains the key when SNS cannot be reached, warns, and exits 3 with the message printed', async () => {
    const { exposed, other, inbox } = await incident('topic-unchecked');
    proxy.setRules([{ service: 'sns', fault: 'server-error' }]);

    const run = await respond(exposed, inbox.topicArn);

    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/^warning: Could not check the topic .*sns:GetTopicAttributes failed: InternalFailure/m);
    expect(run.stderr).toMatch(/^warning: The notification was not sent: .*sns:Publish failed: InternalFailure/m);
    expect(await keysOf('topic-unchecked')).toEqual({ [other]: 'Active' });
    const result = JSON.parse(run.stdout);
    expect(result.notification).toMatchObject({
      status: 'failed',
      subject: expect.stringMatching(/^Exposed key deleted/),
    });
    expect(result.notification.message).toContain(exposed);
  });

  it('stops before anything, saying to log in again, when IAM refuses the credentials: exit 3, nothing changed', async () => {
    const { exposed, other, inbox } = await incident('credentials-refused');
    proxy.setRules([{ service: 'iam', fault: 'expired-token' }]);

    const run = await respond(exposed, inbox.topicArn);

    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: .*ExpiredToken.*The key was NOT contained: nothing was changed, and nobody was notified\./m,
    );
    expect(run.stderr).toMatch(/^hint: Log in again/m);
    expect(changes(proxy.calls)).toEqual([]);
    expect(await keysOf('credentials-refused')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    expect(await inbox.messages()).toEqual([]);
  });

  it('changes nothing, but investigates and notifies that containment failed, when IAM fails before the plan is made', async () => {
    const { exposed, other, inbox } = await incident('plan-failed');
    proxy.setRules([{ service: 'iam', fault: 'access-denied' }]);

    const run = await respond(exposed, inbox.topicArn);

    expect(run.code, run.stderr).toBe(4);
    expect(changes(proxy.calls).filter((call) => call.service === 'iam')).toEqual([]);
    expect(await keysOf('plan-failed')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
    const result = JSON.parse(run.stdout);
    expect(result.containment).toMatchObject({ outcome: 'containment-failed', contained: false });
    expect(result.activity.totalEvents).toBe(EVENTS['us-east-1'] + EVENTS['eu-west-1']);
    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: containment FAILED/);
  });
});

describe("respond --yes without --topic, with CloudFormation failing while the stack's topic is looked up", () => {
  it.each(['server-error', 'access-denied', 'throttle', 'expired-token', 'timeout'] as const)(
    "contains the key first, then prints the message, warns and exits 3 when CloudFormation answers '%s'",
    async (fault) => {
      const { exposed, other } = await incident(`cfn-${fault}`);
      proxy.setRules([{ service: 'cloudformation', fault: fault as WireFault }]);

      const run = await runCli(
        ['respond', '--key', exposed, '--regions', REGIONS.join(','), '--yes', '--json', '--timeout', '1'],
        env,
      );

      expect(await keysOf(`cfn-${fault}`)).toEqual({ [other]: 'Active' });
      expect(run.code, run.stderr).toBe(3);
      const result = JSON.parse(run.stdout);
      expect(result.containment.outcome).toBe('deleted');
      expect(result.notification.status).toBe('printed');
      expect(run.stderr).toMatch(
        /^warning: Could not look up the topic of stack exposed-keys, so the message is printed/m,
      );
      // Containment came before the stack was asked about: the delete is not behind the failing call.
      const actions = proxy.calls.map((call) => `${call.service}:${call.action}`);
      expect(actions.indexOf('iam:DeleteAccessKey')).toBeLessThan(
        actions.findIndex((action) => action.startsWith('cloudformation:')),
      );
    },
  );
});

describe('respond --yes --json, when the sessions cannot be revoked', () => {
  it('deletes the key, but exits 4 and says on stderr what a human must do, since its sessions still work', async () => {
    const { exposed, other, inbox } = await incident('revoke-refused');
    proxy.setRules([{ service: 'iam', action: 'PutUserPolicy', fault: 'access-denied' }]);

    const run = await respond(exposed, inbox.topicArn);

    expect(run.code, run.stderr).toBe(4);
    expect(await keysOf('revoke-refused')).toEqual({ [other]: 'Active' });
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ needsHuman: true, containment: { outcome: 'deleted' } });
    expect(run.stderr).toMatch(/^error: Part of containment FAILED: revoke-sessions: could not revoke sessions/m);
    expect(run.stderr).toMatch(/^hint: Revoke sessions it minted: attach to revoke-refused an inline policy/m);
    const [message] = await inbox.messages();
    expect(message?.Message).toMatch(/\nDo now {9}1\. Revoke sessions it minted/);
  });
});
