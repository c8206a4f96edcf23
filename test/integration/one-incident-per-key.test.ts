import { ListAccessKeysCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { type AwsSecurityFinding, GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudTrailLookupServer, startCloudTrailLookupServer } from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, startFaultProxy } from '../../emulators/fault-proxy.js';
import { type SerialProxy, startSerialProxy } from '../../emulators/serial-proxy.js';
import { customNotificationSchema } from '../../src/message/chat.js';
import { runStateMachineLocally } from '../../src/state-machine/run-local.js';
import { userWithTwoKeys } from '../support/exposed-user.js';
import { loadEvent } from '../support/fixtures.js';
import { createIncidentTable } from '../support/incident-table.js';
import { artifactHandlers } from '../support/lambda-artifact.js';
import { useMoto } from '../support/moto.js';
import { asCloudTrailEvent, publishedRecord } from '../support/published.js';
import { topicWithInbox } from '../support/sns-inbox.js';

/*
 * Trusted Advisor, AWS Health and AWS's quarantine reporting one leak, run through the template's
 * state machine on this machine with the real handlers of the built artifact, against moto: IAM
 * behind a proxy that records every call, DynamoDB behind one that applies one request at a time
 * (DynamoDB's per-item atomicity, which moto lacks), Security Hub and SNS as moto serves them.
 */

const moto = useMoto();
let cloudTrail: CloudTrailLookupServer;
let recorder: FaultProxy;
let serial: SerialProxy;

beforeAll(async () => {
  cloudTrail = await startCloudTrailLookupServer({ records: [], requestsPerSecond: 0 });
  recorder = await startFaultProxy(moto().endpoint);
  serial = await startSerialProxy(moto().endpoint);
});
afterAll(async () => {
  await cloudTrail.stop();
  await recorder.stop();
  await serial.stop();
});

const MUTATIONS = ['DeleteAccessKey', 'UpdateAccessKey', 'PutUserPolicy', 'TagUser'];

async function stack() {
  const mail = await topicWithInbox(moto(), 'mail');
  const chat = await topicWithInbox(moto(), 'chat');
  const handlers = await artifactHandlers({
    AWS_ENDPOINT_URL: recorder.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: serial.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
    TOPIC_ARN: mail.topicArn,
    CHAT_TOPIC_ARN: chat.topicArn,
    INCIDENT_TABLE: await createIncidentTable(moto().db),
    SECURITY_HUB_FINDINGS: 'true',
    INVESTIGATE_REGIONS: 'us-east-1',
    LOOKBACK_HOURS: '24',
  });
  const run = (event: unknown) => runStateMachineLocally({ event, handlers });
  return { mail, chat, run };
}

function trustedAdvisor(accessKeyId: string, userName: string) {
  const event = loadEvent('trusted-advisor-exposed');
  event.id = `ta-${accessKeyId}`;
  event.detail['check-item-detail']['Access Key ID'] = accessKeyId;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

function health(accessKeyId: string) {
  const event = loadEvent('health-exposed-entities-only');
  event.id = `health-${accessKeyId}`;
  event.detail.affectedEntities = [{ entityValue: accessKeyId }];
  return event;
}

function quarantine(userName: string) {
  const record = publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther');
  record.requestParameters.userName = userName;
  // Replayed as AWS quarantining the user now, as it does when it reports the key: not years ago.
  record.eventTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return asCloudTrailEvent(record, `ct-${userName}`);
}

async function findingsOf(accessKeyId: string): Promise<AwsSecurityFinding[]> {
  // moto ignores the filters: the test looks for the id itself.
  const answer = await moto().securityHub.send(new GetFindingsCommand({ MaxResults: 100 }));
  return (answer.Findings ?? []).filter((finding) => finding.Id === `exposed-keys/123456789012/${accessKeyId}`);
}

async function keysOf(userName: string) {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return (answer.AccessKeyMetadata ?? []).map((key) => key.AccessKeyId);
}

function mutations(): string[] {
  return recorder.calls.filter((call) => MUTATIONS.includes(call.action)).map((call) => call.action);
}

describe('one incident per key', () => {
  it('contains once when Trusted Advisor and AWS Health report a key at the same moment, and follows up once', async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'alice');
    const { mail, chat, run } = await stack();
    recorder.calls.length = 0;

    const runs = await Promise.all([run(trustedAdvisor(exposed, 'alice')), run(health(exposed))]);

    expect(runs.map((each) => each.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(runs.filter((each) => each.output?.containment).map((each) => each.output?.containment?.outcome)).toEqual([
      'deleted',
    ]);
    expect(runs.filter((each) => each.output?.signal?.role === 'joined')).toHaveLength(1);
    expect(mutations().sort()).toEqual(['DeleteAccessKey', 'PutUserPolicy', 'TagUser']);
    expect(await keysOf('alice')).toEqual([other]);
    const subjects = (await mail.messages()).map((message) => message.Subject).sort();
    expect(subjects).toEqual([
      `Exposed key deleted: ${exposed} (alice) in 123456789012`,
      `Exposed key reported again, same incident: ${exposed} (alice) in 123456789012`,
    ]);
    const chats = (await chat.messages()).map((message) => customNotificationSchema.parse(JSON.parse(message.Message)));
    expect(chats.map((notification) => notification.metadata?.threadId)).toEqual([exposed, exposed]);
    const findings = await findingsOf(exposed);
    expect(findings).toHaveLength(1);
    expect(Date.parse(findings[0]?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(findings[0]?.CreatedAt ?? ''));
  });

  it('updates the finding of the key on a later report rather than adding one', async () => {
    const { exposed } = await userWithTwoKeys(moto().iam, 'bob');
    const { run } = await stack();
    await run(trustedAdvisor(exposed, 'bob'));
    const [created] = await findingsOf(exposed);

    const later = await run(health(exposed));

    expect(later.output?.signal).toMatchObject({
      role: 'joined',
      keyNow: { status: 'gone' },
      record: { signals: 2, response: { outcome: 'deleted', contained: true } },
    });
    const findings = await findingsOf(exposed);
    expect(findings).toHaveLength(1);
    expect(created).toMatchObject({
      Title: `Exposed key deleted: ${exposed} (bob)`,
      Resources: [{ Type: 'AwsIamAccessKey', Id: exposed, Details: { AwsIamAccessKey: { Status: 'Inactive' } } }, {}],
    });
    expect(findings[0]).toMatchObject({
      CreatedAt: created?.CreatedAt,
      Title: created?.Title,
      ProductFields: { 'exposed-keys/signals': '2', 'exposed-keys/signalSources': 'health,trusted-advisor' },
    });
    expect(Date.parse(findings[0]?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(created?.UpdatedAt ?? ''));
  });

  it('after a containment that failed, a later report of the key still active runs the response again', async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'erin');
    const { mail, run } = await stack();
    recorder.setRules([{ service: 'iam', fault: 'access-denied', action: 'DeleteAccessKey' }]);
    try {
      const first = await run(trustedAdvisor(exposed, 'erin'));
      expect(first.status).toBe('FAILED');
    } finally {
      recorder.setRules([]);
    }
    await mail.messages();

    const later = await run(health(exposed));

    expect(later.output?.signal).toMatchObject({
      role: 'first',
      again: true,
      record: { response: { outcome: 'containment-failed', contained: false } },
    });
    expect(later.output?.containment?.outcome).toBe('deleted');
    expect(later.status).toBe('SUCCEEDED');
    expect(await keysOf('erin')).toEqual([other]);
    const [message] = await mail.messages();
    expect(message?.Subject).toBe(`Exposed key deleted: ${exposed} (erin) in 123456789012`);
    expect(message?.Message).toMatch(/Responded again to this later report \(report 2 of the incident\)/);
  });

  it('contains, on a later report, a key no response contained, whatever a tag written on its user says of a release', async () => {
    const { exposed } = await userWithTwoKeys(moto().iam, 'frank');
    const { mail, run } = await stack();
    recorder.setRules([{ service: 'iam', fault: 'access-denied', action: 'DeleteAccessKey' }]);
    try {
      await run(trustedAdvisor(exposed, 'frank'));
    } finally {
      recorder.setRules([]);
    }
    await mail.messages();
    // Anyone allowed iam:TagUser (the leaked key, often) can write this; no release follows a failed containment.
    await moto().iam.send(
      new TagUserCommand({
        UserName: 'frank',
        Tags: [{ Key: `exposed-keys/contained/${exposed}`, Value: 'reactivated 2026-11-27T09:00:00.000Z' }],
      }),
    );

    const later = await run(health(exposed));

    expect(later.output?.signal).toMatchObject({ role: 'first', again: true });
    expect(await keysOf('frank')).not.toContain(exposed);
    const [message] = await mail.messages();
    expect(message?.Message).toMatch(/Responded again to this later report/);
  });

  it("joins AWS's quarantine of the user to the open incident, and touches nothing", async () => {
    const { exposed } = await userWithTwoKeys(moto().iam, 'carol');
    const { mail, run } = await stack();
    await run(trustedAdvisor(exposed, 'carol'));
    await mail.messages();
    recorder.calls.length = 0;

    const quarantined = await run(quarantine('carol'));

    expect(quarantined.status).toBe('SUCCEEDED');
    expect(quarantined.output?.signal).toMatchObject({ role: 'quarantine', incidents: [{ accessKeyId: exposed }] });
    expect(mutations()).toEqual([]);
    const [message] = await mail.messages();
    // The published record's caller is a console session: the message names it, and does not say AWS did it.
    expect(message?.Subject).toBe('Quarantine policy put on a user whose key may have leaked: carol in 123456789012');
  });

  it('reports the keys of a quarantined user with no incident, contains none, and fails for a human to look', async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'dave');
    const { mail, run } = await stack();
    recorder.calls.length = 0;

    const quarantined = await run(quarantine('dave'));

    expect(quarantined.status).toBe('FAILED');
    expect(quarantined.error).toBe('KeyNotContained');
    expect(mutations()).toEqual([]);
    expect((await keysOf('dave')).sort()).toEqual([exposed, other].sort());
    const [message] = await mail.messages();
    expect(message?.Message).toContain(`If it is ${exposed}: exposed-keys respond --key ${exposed}`);
    expect(message?.Message).toContain(`If it is ${other}: exposed-keys respond --key ${other}`);
  });
});
