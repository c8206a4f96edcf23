import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { attackAs } from '../demo/attack-records.js';
import { accessKeyOf, type CloudTrailRecord } from '../src/activity/cloudtrail-record.js';
import { ensureArtifact } from '../src/deploy/package-artifact.js';
import { type LocalHandlers, runStateMachineLocally } from '../src/state-machine/run-local.js';
import { motoAccountOf, startCloudTrailLookupServer } from './cloudtrail-lookup-server.js';
import { actingIn, createMember } from './organization.js';

/*
 * A burst of leaked keys across the accounts of an organisation, as one leaked file holding many
 * keys would cause: every key's event reaches the hub at once; the hub's state machine (the
 * template's own definition, run here) runs once per event with the real handlers of the built
 * artifact in organisation mode, against moto (the organisation, the accounts, their keys) and the
 * LookupEvents fixture enforcing 2 requests a second per account and region. Used by the test of
 * the burst and by its benchmark; it measures, the callers judge.
 */

/** The size of the burst. */
export interface BurstOptions {
  motoEndpoint: string;
  accounts: number;
  keysPerAccount: number;
  /** CloudTrail events served per key (the latest of the recorded attack, replayed as that key's). */
  eventsPerKey: number;
  /**
   * Over how long the events arrive, evenly spaced, account by account (each account's keys one
   * after another, so that its investigations meet in its LookupEvents budget); 0, the default, fires
   * every event at once.
   */
  arrivalSpreadMs?: number;
}

/** What happened to one key. */
export interface BurstExecution {
  accountId: string;
  accessKeyId: string;
  status: string;
  outcome: string | undefined;
  accountName: string | undefined;
  /** Milliseconds from the start of the burst to its event's arrival, to the end of its containment, and of its notification. */
  firedAtMs: number;
  containedAtMs: number;
  notifiedAtMs: number;
  totalEvents: number | undefined;
  expectedEvents: number;
  truncated: boolean | undefined;
  failedRegions: number | undefined;
}

/** The burst, measured. */
export interface BurstReport {
  /** When the burst began (epoch milliseconds): the origin of every execution's times. */
  startedAt: number;
  executions: BurstExecution[];
  /** Subjects and first lines of the messages the hub's topic received. */
  messages: { subject: string; firstLine: string }[];
  /** Keys still listed by IAM in their accounts afterwards. */
  keysLeft: number;
  lookupRequests: number;
  throttled: number;
  /** Requests throttled per `<account>/<region>`. */
  throttledByAccount: Record<string, number>;
  /** Requests seen per `<account>/<region>`. */
  requestsByAccount: Record<string, number>;
}

async function loadHandlers(env: Record<string, string>): Promise<LocalHandlers> {
  const artifact = await ensureArtifact();
  if (!artifact.lambdaDir) throw new Error('the artifact has no unzipped handlers');
  Object.assign(process.env, env);
  const load = async (name: string) =>
    (
      (await import(`${pathToFileURL(`${artifact.lambdaDir}/${name}.mjs`).href}?burst=${Date.now()}`)) as {
        handler: LocalHandlers['contain'];
      }
    ).handler;
  return { contain: await load('contain'), investigate: await load('investigate'), notify: await load('notify') };
}

async function inbox(endpoint: string) {
  const config = { region: 'us-east-1', endpoint };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'exposed-keys-burst' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'exposed-keys-burst-inbox' }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes?.QueueArn }));
  return {
    topicArn: TopicArn as string,
    async messages() {
      const all: { subject: string; firstLine: string }[] = [];
      for (;;) {
        const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        if (!page.Messages?.length) return all;
        for (const message of page.Messages) {
          const body = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message?: string };
          all.push({ subject: body.Subject ?? '', firstLine: (body.Message ?? '').split('\n')[0] ?? '' });
        }
      }
    },
  };
}

function trustedAdvisorEvent(accountId: string, accessKeyId: string, userName: string, index: number) {
  return {
    version: '0',
    id: `burst-${index}`,
    'detail-type': 'Trusted Advisor Check Item Refresh Notification',
    source: 'aws.trustedadvisor',
    account: accountId,
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      'check-name': 'Exposed Access Keys',
      'check-item-detail': {
        'Case ID': `case-${index}`,
        'Time Updated': String(Date.now()),
        Location: 'https://github.com/example-org/leaked/blob/main/.env',
        'User Name (IAM or Root)': userName,
        'Access Key ID': accessKeyId,
        'Fraud Type': 'Exposed',
      },
      status: 'ERROR',
      resource_id: '',
      uuid: `uuid-${index}`,
    },
  };
}

/** Builds the organisation, its accounts and keys and their activity, then fires every key's event, at once or spread. */
export async function runOrganizationBurst(options: BurstOptions): Promise<BurstReport> {
  const { motoEndpoint: endpoint } = options;
  // Moto's credentials, for the set-up's clients here as for the handlers below.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  const organizations = new OrganizationsClient({ region: 'us-east-1', endpoint });
  const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const endAt = new Date(Date.now() - 3_600_000);
  const keys: { accountId: string; accessKeyId: string; userName: string; events: number }[] = [];
  const records: CloudTrailRecord[] = [];
  const members = await Promise.all(
    Array.from({ length: options.accounts }, (_, index) => createMember(endpoint, `burst-${index + 1}`)),
  );
  for (const accountId of members) {
    const { iam } = await actingIn(endpoint, accountId);
    for (let index = 0; index < options.keysPerAccount; index += 1) {
      const userName = `leaked-${index + 1}`;
      await iam.send(new CreateUserCommand({ UserName: userName }));
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      const accessKeyId = key.AccessKey?.AccessKeyId as string;
      const own = (await attackAs({ accessKeyId, userName, accountId, endAt }))
        .filter((record) => accessKeyOf(record) === accessKeyId)
        .slice(-options.eventsPerKey)
        // Recorded in the member's own trail: the fixture serves it to that account's credentials only.
        .map((record) => ({ ...record, recipientAccountId: accountId }));
      records.push(...own);
      keys.push({ accountId, accessKeyId, userName, events: own.length });
    }
  }
  const cloudTrail = await startCloudTrailLookupServer({
    records,
    requestsPerSecond: 2,
    accountOf: motoAccountOf(endpoint),
  });
  try {
    const topic = await inbox(endpoint);
    const handlers = await loadHandlers({
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
      TOPIC_ARN: topic.topicArn,
      INVESTIGATE_REGIONS: 'us-east-1',
      LOOKBACK_HOURS: '24',
      ORGANIZATION_ID: Organization?.Id as string,
      RESPONDER_ROLE_NAME: 'exposed-keys-responder',
      // A hundred executions in one process would log over each other; the test and the bench read the results.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const start = Date.now();
    const spacingMs = keys.length > 1 ? (options.arrivalSpreadMs ?? 0) / (keys.length - 1) : 0;
    const executions = await Promise.all(
      keys.map(async (key, index) => {
        // The event's time is when it was due: a late timer counts against the response, not for it.
        const firedAt = start + index * spacingMs;
        if (spacingMs > 0) await delay(Math.max(0, firedAt - Date.now()));
        let containedAt = Number.NaN;
        let notifiedAt = Number.NaN;
        const result = await runStateMachineLocally({
          event: trustedAdvisorEvent(key.accountId, key.accessKeyId, key.userName, index),
          handlers,
          onTransition: (transition) => {
            if (transition.phase !== 'exited') return;
            if (transition.state === 'DeleteAccessKeyPair') containedAt = transition.timestamp;
            if (transition.state === 'NotifySecurity') notifiedAt = transition.timestamp;
          },
        });
        const activity = result.output?.investigation?.activity;
        return {
          accountId: key.accountId,
          accessKeyId: key.accessKeyId,
          status: result.status,
          outcome: result.output?.containment?.outcome,
          accountName: result.output?.containment?.accountName,
          firedAtMs: firedAt - start,
          containedAtMs: containedAt - start,
          notifiedAtMs: notifiedAt - start,
          totalEvents: activity?.totalEvents,
          expectedEvents: key.events,
          truncated: activity?.truncated,
          failedRegions: activity?.regions.failed.length,
        };
      }),
    );
    let keysLeft = 0;
    for (const accountId of members) {
      const { iam } = await actingIn(endpoint, accountId);
      for (const key of keys.filter((each) => each.accountId === accountId)) {
        const listed = await iam.send(new ListAccessKeysCommand({ UserName: key.userName }));
        keysLeft += listed.AccessKeyMetadata?.length ?? 0;
      }
    }
    return {
      startedAt: start,
      executions,
      messages: await topic.messages(),
      keysLeft,
      lookupRequests: [...cloudTrail.requests.values()].reduce((sum, count) => sum + count, 0),
      throttled: [...cloudTrail.throttled.values()].reduce((sum, count) => sum + count, 0),
      throttledByAccount: Object.fromEntries(cloudTrail.accountThrottled),
      requestsByAccount: Object.fromEntries(cloudTrail.accountRequests),
    };
  } finally {
    await cloudTrail.stop();
  }
}
