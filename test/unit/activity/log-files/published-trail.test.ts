import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { readLogFiles } from '../../../../src/activity/log-files/log-files.js';
import { summarizeRecords } from '../../../support/summaries.js';

/**
 * A trail's folder of deliveries published by others (test/fixtures/cloudtrail/published/SOURCES.md):
 * AWS's documented examples of log files, an Insights file and a digest file in their own folders,
 * and a gzipped delivery of a role session whose `userIdentity` has `inScopeOf`.
 */
const TRAIL = fileURLToPath(new URL('../../../fixtures/cloudtrail/published/aws-docs-trail/', import.meta.url));
const ALICE_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SESSION_KEY = 'ASIAIOSFODNN7EXAMPLE';
const WINDOW = { start: new Date('2014-01-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') };

/** Every delivery's records, parsed whole: what the summary must say of them. */
function deliveredRecords(): CloudTrailRecord[] {
  const folder = join(TRAIL, 'AWSLogs');
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\/CloudTrail\/.*\.json(\.gz)?$/.test(`/${path}`))
    .flatMap((path) => {
      const bytes = readFileSync(join(folder, path));
      return JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')).Records;
    });
}

function read() {
  return readLogFiles({}, { location: TRAIL, accessKeyIds: [ALICE_KEY, SESSION_KEY], window: WINDOW });
}

describe('readLogFiles on a trail folder of published deliveries', () => {
  it("summarises AWS's documented log file examples as their records say", async () => {
    const result = await read();

    const alice = result.summaries.find((summary) => summary.accessKeyId === ALICE_KEY);
    expect(alice).toMatchObject({
      userName: 'Alice',
      source: 'cloudtrail-logs',
      totalEvents: 6,
      firstSeen: '2014-03-06T17:10:34.000Z',
      lastSeen: '2016-07-14T19:15:45.000Z',
      eventNames: [
        { name: 'AddUserToGroup', count: 1 },
        { name: 'CreateKeyPair', count: 1 },
        { name: 'CreateUser', count: 1 },
        { name: 'StartInstances', count: 1 },
        { name: 'StopInstances', count: 1 },
        { name: 'UpdateTrail', count: 1 },
      ],
      eventSources: [
        { name: 'ec2.amazonaws.com', count: 3 },
        { name: 'iam.amazonaws.com', count: 2 },
        { name: 'cloudtrail.amazonaws.com', count: 1 },
      ],
      awsRegions: [{ name: 'us-east-2', count: 6 }],
      errorCodes: [{ name: 'TrailNotFoundException', count: 1 }],
      resourceNames: [
        { name: 'Bob', count: 2 },
        { name: 'i-ebeaf9e2', count: 2 },
        { name: 'admin', count: 1 },
        { name: 'myTrail2', count: 1 },
        { name: 'mykeypair', count: 1 },
      ],
      sessionKeys: [],
    });
    // The 2014 records have no eventID: each is still counted, once.
    expect(
      alice?.riskyEvents.map(({ eventName, category, errorCode, eventId }) => ({
        eventName,
        category,
        errorCode,
        eventId,
      })),
    ).toEqual([
      { eventName: 'CreateKeyPair', category: 'resource-abuse', errorCode: null, eventId: '' },
      { eventName: 'CreateUser', category: 'persistence', errorCode: null, eventId: '' },
      { eventName: 'AddUserToGroup', category: 'persistence', errorCode: null, eventId: '' },
      {
        eventName: 'UpdateTrail',
        category: 'defense-evasion',
        errorCode: 'TrailNotFoundException',
        eventId: 'b7d4398e-b2f0-4faa-9c76-e2d316a8d67f',
      },
    ]);
  });

  it('reads the gzipped delivery of a role session with inScopeOf and tlsDetails', async () => {
    const result = await read();

    const session = result.summaries.find((summary) => summary.accessKeyId === SESSION_KEY);
    expect(session).toMatchObject({
      // An AssumedRole identity names no user (the role's name is in sessionContext).
      userName: null,
      totalEvents: 1,
      firstSeen: '2026-03-27T17:12:54.000Z',
      lastSeen: '2026-03-27T17:12:54.000Z',
      eventNames: [{ name: 'GetSecretValue', count: 1 }],
      awsRegions: [{ name: 'eu-west-2', count: 1 }],
      sourceIps: [{ name: '1.2.3.4', count: 1 }],
      errorCodes: [],
      // The secret is named by the request and by `resources`, with the same ARN: once.
      resourceTypes: [{ name: 'AWS::SecretsManager::Secret', count: 1 }],
      resourceNames: [{ name: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:your-secret', count: 1 }],
    });
    expect(session?.riskyEvents).toEqual([
      expect.objectContaining({
        eventName: 'GetSecretValue',
        category: 'credential-access',
        eventId: 'f9c3ed0f-81f5-450b-a561-2b9e54fa9e73',
      }),
    ]);
  });

  it('skips the Insights and digest files, and reads every delivery', async () => {
    const result = await read();

    expect(result.files).toMatchObject({ read: 7, skipped: 2, outsideWindow: 0, failed: [] });
    expect(result.files.accounts).toEqual(['111122223333', '123456789012']);
    for (const summary of result.summaries) {
      expect(summary.regions.searched).toEqual(['eu-west-2', 'us-east-2']);
      expect(summary.eventNames.map((entry) => entry.name)).not.toContain('UpdateInstanceInformation');
    }
  });

  it('gives what parsing every delivery whole gives', async () => {
    const records = deliveredRecords();
    expect(records).toHaveLength(7);

    const result = await read();

    for (const summary of result.summaries)
      expect(summary).toEqual(
        summarizeRecords(records, summary.accessKeyId, WINDOW, {
          source: 'cloudtrail-logs',
          regionsSearched: ['eu-west-2', 'us-east-2'],
        }),
      );
  });

  it('lists no region searched for an Insights file under a plain name, whose events are no calls', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'published-trail-'));
    try {
      const logs = join(TRAIL, 'AWSLogs', '123456789012');
      copyFileSync(
        join(
          logs,
          'CloudTrail-Insight/us-east-1/2019/11/14/123456789012_CloudTrail-Insight_us-east-1_20191114T0051Z_Wq3rT6yU9iO2pA5s.json',
        ),
        join(folder, 'insight.json'),
      );
      copyFileSync(
        join(
          logs,
          'CloudTrail/us-east-2/2016/07/14/123456789012_CloudTrail_us-east-2_20160714T1915Z_Hn5wE2rT7yU1iO3p.json',
        ),
        join(folder, 'trail.json'),
      );

      const result = await readLogFiles({}, { location: folder, accessKeyIds: [ALICE_KEY], window: WINDOW });

      // us-east-1, where IAM and STS calls are recorded, must not look searched when none of its calls was read.
      expect(result.summaries[0]?.regions.searched).toEqual(['us-east-2']);
      expect(result.summaries[0]?.totalEvents).toBe(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('counts a record with no eventID again in a delivery found again, and one with an eventID once', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'published-trail-'));
    try {
      const logs = join(TRAIL, 'AWSLogs', '123456789012', 'CloudTrail', 'us-east-2');
      const deliveries = readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((path) =>
        path.endsWith('.json'),
      );
      for (const [index, path] of deliveries.entries()) {
        copyFileSync(join(logs, path), join(folder, `delivery-${index}.json`));
        copyFileSync(join(logs, path), join(folder, `delivery-${index}-again.json`));
      }

      const result = await readLogFiles({}, { location: folder, accessKeyIds: [ALICE_KEY], window: WINDOW });

      // Five records have no eventID, and cannot be told from another call alike: they count twice.
      expect(result.summaries[0]?.totalEvents).toBe(2 * 5 + 1);
      expect(result.summaries[0]?.eventNames).toContainEqual({ name: 'UpdateTrail', count: 1 });
      expect(result.summaries[0]?.eventNames).toContainEqual({ name: 'CreateUser', count: 2 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
