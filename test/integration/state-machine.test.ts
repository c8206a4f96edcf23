import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackAs } from '../../demo/attack-records.js';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, startFaultProxy } from '../../emulators/fault-proxy.js';
import { riskCategoryOf } from '../../src/activity/risky-events.js';
import { runStateMachineLocally } from '../../src/state-machine/run-local.js';
import { loadEvent } from '../support/fixtures.js';
import { artifactHandlers } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * The template's own state machine, run on this machine with each task mapped to the real handler
 * from the built Lambda artifact, against moto (IAM, SNS) behind a fault proxy, and the loopback
 * LookupEvents fixture.
 */

const moto = useMoto();
let cloudTrail: CloudTrailLookupServer;
let proxy: FaultProxy;

beforeAll(async () => {
  cloudTrail = await startCloudTrailLookupServer({ records: [], requestsPerSecond: 0 });
  proxy = await startFaultProxy(moto().endpoint);
});
afterAll(async () => {
  await cloudTrail.stop();
  await proxy.stop();
});

async function exposedKey(userName: string) {
  const { iam } = moto();
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const exposed = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const other = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const accessKeyId = exposed.AccessKey?.AccessKeyId as string;
  const attack = await attackAs({
    accessKeyId,
    userName,
    accountId: '123456789012',
    endAt: new Date(Date.now() - 3_600_000),
  });
  // Every risky call and a sample of the rest: LookupEvents reads 2 pages a second, and tests should not wait long.
  const served = attack.filter((record, index) => riskCategoryOf(record) !== null || index % 20 === 0);
  cloudTrail.setRecords(served);
  const events = served.filter((record) => record.userIdentity?.accessKeyId === accessKeyId).length;
  return { accessKeyId, otherKeyId: other.AccessKey?.AccessKeyId as string, events };
}

function trustedAdvisorEvent(accessKeyId: string, userName: string) {
  const event = loadEvent('trusted-advisor-exposed');
  event.detail['check-item-detail']['Access Key ID'] = accessKeyId;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

async function run(event: unknown, env: Record<string, string> = {}) {
  const inbox = await topicWithInbox(moto());
  const handlers = await artifactHandlers({
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
    TOPIC_ARN: inbox.topicArn,
    INVESTIGATE_REGIONS: 'us-east-1',
    LOOKBACK_HOURS: '24',
    ...env,
  });
  const result = await runStateMachineLocally({ event, handlers });
  return { result, messages: await inbox.messages() };
}

async function keysOf(userName: string) {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return (answer.AccessKeyMetadata ?? []).map((key) => key.AccessKeyId);
}

describe('the state machine with the real handlers', () => {
  it('deletes the key of a Trusted Advisor event, summarises its activity, and sends exactly one message', async () => {
    const { accessKeyId, otherKeyId, events } = await exposedKey('alice');

    const { result, messages } = await run(trustedAdvisorEvent(accessKeyId, 'alice'));

    expect(result.status).toBe('SUCCEEDED');
    expect(await keysOf('alice')).toEqual([otherKeyId]);
    expect(result.output?.investigation?.activity).toMatchObject({ accessKeyId, totalEvents: events });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toBe(`Exposed key deleted: ${accessKeyId} (alice) in 123456789012`);
    expect(messages[0]?.Message).toMatch(
      /^Attacker did {3}- covered tracks: .*\n {15}- stayed in: created 13 roles, granted 12 policies, created 4 users/m,
    );
  });

  it('contains the key of an AWS Health event that names no user', async () => {
    const { accessKeyId, otherKeyId } = await exposedKey('bob');
    const event = loadEvent('health-exposed-entities-only');
    event.detail.affectedEntities = [{ entityValue: accessKeyId }];

    const { result, messages } = await run(event);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.containment).toMatchObject({ outcome: 'deleted', userName: 'bob' });
    expect(await keysOf('bob')).toEqual([otherKeyId]);
    expect(messages[0]?.MessageAttributes?.source).toEqual({ Type: 'String', Value: 'health' });
  });

  it('reports a repeated event as already contained', async () => {
    const { accessKeyId } = await exposedKey('carol');
    await run(trustedAdvisorEvent(accessKeyId, 'carol'));

    const { result, messages } = await run(trustedAdvisorEvent(accessKeyId, 'carol'));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.containment?.outcome).toBe('already-contained');
    expect(messages[0]?.Subject).toMatch(/^Exposed key already contained/);
  });

  it('notifies that a root key needs a human, then fails the execution', async () => {
    const { result, messages } = await run(loadEvent('trusted-advisor-root'));

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('KeyNotContained');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: contain exposed key by hand/);
    expect(messages[0]?.Message).toContain('Sign in as the root user');
  });

  it('still notifies, saying the investigation failed, when CloudTrail fails', async () => {
    const { accessKeyId } = await exposedKey('dave');

    const { result, messages } = await run(trustedAdvisorEvent(accessKeyId, 'dave'), {
      AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:9',
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.investigationError?.Error).toBe('InvestigationError');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Message).toContain('Investigation FAILED: InvestigationError: No region could be searched');
    expect(await keysOf('dave')).toHaveLength(1);
  });

  it('notifies that containment failed when IAM fails, then fails the execution', async () => {
    const { accessKeyId } = await exposedKey('erin');
    proxy.setRules([{ service: 'iam', fault: 'server-error' }]);
    try {
      const { result, messages } = await run(trustedAdvisorEvent(accessKeyId, 'erin'));

      expect(result.status).toBe('FAILED');
      expect(result.output?.containmentError?.Error).toBe('ContainmentError');
      expect(messages).toHaveLength(1);
      expect(messages[0]?.Subject).toMatch(/^ACTION REQUIRED: containment FAILED/);
    } finally {
      proxy.setRules([]);
    }
    expect(await keysOf('erin')).toContain(accessKeyId);
  });

  it('retries the notification when SNS fails, and delivers it once', async () => {
    const { accessKeyId } = await exposedKey('frank');
    // Enough failures to exhaust the SDK's own retries (3 attempts) of the full message and of the
    // plain one, so that the task fails once and the state machine's Retry runs.
    proxy.setRules([{ service: 'sns', action: 'Publish', fault: 'server-error', times: 6 }]);

    try {
      const { result, messages } = await run(trustedAdvisorEvent(accessKeyId, 'frank'));

      expect(result.status).toBe('SUCCEEDED');
      expect(
        result.events.filter((event) => event.state === 'NotifySecurity' && event.phase === 'retried'),
      ).toHaveLength(1);
      expect(messages).toHaveLength(1);
    } finally {
      proxy.setRules([]);
    }
  });
});
