import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CloudTrailLookupServer,
  startCloudTrailLookupServer,
} from '../../../../emulators/cloudtrail-lookup-server.js';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { lookupActivity } from '../../../../src/activity/lookup-events/lookup-events.js';
import { cloudTrailAt } from '../../../support/cloudtrail-clients.js';
import { summarizeRecords } from '../../../support/summaries.js';

/** Published deliveries (test/fixtures/cloudtrail/published/SOURCES.md) whose records carry an eventID, as LookupEvents' do. */
const LOGS = new URL('../../../fixtures/cloudtrail/published/aws-docs-trail/AWSLogs/', import.meta.url);
const UPDATE_TRAIL =
  '123456789012/CloudTrail/us-east-2/2016/07/14/123456789012_CloudTrail_us-east-2_20160714T1915Z_Hn5wE2rT7yU1iO3p.json';
const GET_SECRET_VALUE =
  '111122223333/CloudTrail/eu-west-2/2026/03/27/111122223333_CloudTrail_eu-west-2_20260327T1715Z_Ys8dF3gH6jK9lZ2x.json.gz';
const ALICE_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SESSION_KEY = 'ASIAIOSFODNN7EXAMPLE';
const WINDOW = { start: new Date('2014-01-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') };
const REGIONS = ['eu-west-2', 'us-east-2'];

function recordsOf(path: string): CloudTrailRecord[] {
  const bytes = readFileSync(new URL(path, LOGS));
  return JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')).Records;
}

let server: CloudTrailLookupServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('lookupActivity on published records', () => {
  it('summarises a failed call and a role session with inScopeOf as the records say', async () => {
    const records = [...recordsOf(UPDATE_TRAIL), ...recordsOf(GET_SECRET_VALUE)];
    server = await startCloudTrailLookupServer({ records, requestsPerSecond: 40 });

    const summaries = await lookupActivity(
      { cloudTrail: cloudTrailAt(server.endpoint) },
      { accessKeyIds: [ALICE_KEY, SESSION_KEY], window: WINDOW, regions: REGIONS, requestsPerSecond: 40 },
    );

    const [alice, session] = summaries;
    expect(alice).toMatchObject({
      accessKeyId: ALICE_KEY,
      userName: 'Alice',
      totalEvents: 1,
      firstSeen: '2016-07-14T19:15:45.000Z',
      errorCodes: [{ name: 'TrailNotFoundException', count: 1 }],
      resourceNames: [{ name: 'myTrail2', count: 1 }],
      riskyEvents: [
        expect.objectContaining({
          eventName: 'UpdateTrail',
          category: 'defense-evasion',
          errorCode: 'TrailNotFoundException',
        }),
      ],
    });
    expect(session).toMatchObject({
      accessKeyId: SESSION_KEY,
      userName: null,
      totalEvents: 1,
      awsRegions: [{ name: 'eu-west-2', count: 1 }],
      resourceNames: [{ name: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:your-secret', count: 1 }],
      riskyEvents: [expect.objectContaining({ eventName: 'GetSecretValue', category: 'credential-access' })],
    });
    for (const summary of summaries)
      expect(summary).toEqual(
        summarizeRecords(records, summary.accessKeyId, WINDOW, { source: 'lookup-events', regionsSearched: REGIONS }),
      );
  });
});
